// Warns two minutes before the server would end the session for inactivity, with a dialog
// whose "Stay signed in" makes a request (which restarts the server's idle clock). The server
// restarts that clock on REST calls (at most every 5 s) and on WebSocket frames (at most every
// 30 s per socket); this mirrors both, erring early, so the warning is never late.

import { h, uid } from './dom';

const WARN_BEFORE_MS = 120_000;
const FRAME_TOUCH_INTERVAL_MS = 30_000;

export interface IdleWatchOptions {
  idleSeconds: number;
  /** Makes a signed-in request; resolves when the server has seen it. */
  refresh: () => Promise<void>;
  /** The session has (or is about to have) ended for inactivity. */
  expired: () => void;
  signOut: () => void;
}

export class IdleWatch {
  private touchedAt = Date.now();
  private frameTouchedAt = Date.now();
  private warnTimer: number | undefined;
  private expireTimer: number | undefined;
  private ticker: number | undefined;
  private dialog: HTMLDialogElement | null = null;
  private countdown: HTMLElement | null = null;
  private problem: HTMLElement | null = null;

  constructor(private readonly o: IdleWatchOptions) {
    this.schedule();
  }

  /** A signed-in REST call succeeded. */
  restActivity(): void {
    this.touchedAt = Date.now();
    this.schedule();
  }

  /** A frame was sent (or the socket connected, which also authenticates). */
  frameActivity(): void {
    const now = Date.now();
    if (now - this.frameTouchedAt < FRAME_TOUCH_INTERVAL_MS) return;
    this.frameTouchedAt = now;
    this.touchedAt = Math.max(this.touchedAt, now);
    this.schedule();
  }

  dispose(): void {
    window.clearTimeout(this.warnTimer);
    window.clearTimeout(this.expireTimer);
    window.clearInterval(this.ticker);
    this.dialog?.remove();
    this.dialog = null;
  }

  private get deadline(): number {
    return this.touchedAt + this.o.idleSeconds * 1000;
  }

  private schedule(): void {
    window.clearTimeout(this.warnTimer);
    window.clearTimeout(this.expireTimer);
    const now = Date.now();
    const warnBefore = Math.min(WARN_BEFORE_MS, (this.o.idleSeconds * 1000) / 2);
    if (this.dialog) this.closeDialog();
    this.warnTimer = window.setTimeout(() => this.warn(), Math.max(0, this.deadline - warnBefore - now));
    this.expireTimer = window.setTimeout(() => {
      this.dispose();
      this.o.expired();
    }, Math.max(0, this.deadline - now));
  }

  private warn(): void {
    if (this.dialog) return;
    const titleId = uid('idle-title');
    const bodyId = uid('idle-body');
    this.countdown = h('strong');
    this.problem = h('p', { class: 'field-error', 'aria-live': 'polite' });
    const stay = h('button', { type: 'button', class: 'primary', onclick: () => this.stay(stay) }, 'Stay signed in');
    this.dialog = h(
      'dialog',
      { class: 'dialog', role: 'alertdialog', 'aria-labelledby': titleId, 'aria-describedby': bodyId },
      h('h2', { id: titleId }, 'Are you still there?'),
      h('p', { id: bodyId }, 'To protect your privacy, you will be signed out soon because nothing has happened for a while.'),
      h('p', { 'aria-hidden': 'true' }, 'Time left: ', this.countdown),
      this.problem,
      h(
        'div',
        { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => this.o.signOut() }, 'Sign out'),
        stay,
      ),
    );
    // Escape must not silently dismiss the warning and leave the user to be signed out.
    this.dialog.addEventListener('cancel', (e) => e.preventDefault());
    document.body.append(this.dialog);
    this.dialog.showModal();
    stay.focus();
    this.tick();
    this.ticker = window.setInterval(() => this.tick(), 1000);
  }

  private tick(): void {
    if (!this.countdown) return;
    const left = Math.max(0, Math.ceil((this.deadline - Date.now()) / 1000));
    this.countdown.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  }

  private async stay(button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      await this.o.refresh();
      // restActivity() (called by the API layer) has already closed the dialog.
    } catch (e) {
      if (this.problem) this.problem.textContent = e instanceof Error ? e.message : 'Interlude could not be reached.';
      button.disabled = false;
    }
  }

  private closeDialog(): void {
    window.clearInterval(this.ticker);
    this.dialog?.close();
    this.dialog?.remove();
    this.dialog = null;
    this.countdown = null;
    this.problem = null;
  }
}
