// The connection state, always visible in the header. Only the state word is in the status
// region (announced when it changes); the retry countdown beside it is not, so screen readers
// are not told the time every second.

import type { Connection, ConnectionState } from '../connection';
import { h } from './dom';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

export class ConnectionStatus {
  readonly element: HTMLElement;
  private readonly label: HTMLSpanElement;
  private readonly detail: HTMLSpanElement;
  private readonly tryNow: HTMLButtonElement;
  private ticker: number | undefined;
  private readonly off: () => void;

  constructor(private readonly conn: Connection) {
    this.label = h('span', { class: 'conn-label' });
    this.detail = h('span', { class: 'conn-detail' });
    this.tryNow = h('button', { type: 'button', class: 'small secondary', onclick: () => conn.retryNow() }, 'Try now');
    this.element = h(
      'div',
      { class: 'conn' },
      h('p', { role: 'status', class: 'conn-state' }, h('span', { class: 'conn-dot', 'aria-hidden': 'true' }), this.label),
      this.detail,
      this.tryNow,
    );
    this.off = conn.state.on(() => this.render());
    this.render();
  }

  dispose(): void {
    this.off();
    window.clearInterval(this.ticker);
  }

  private render(): void {
    const s = this.conn.status;
    this.element.dataset.state = s;
    this.label.textContent = LABELS[s];
    const waiting = (s === 'reconnecting' || s === 'offline') && this.conn.nextAttemptAt !== null;
    this.tryNow.hidden = !waiting;
    window.clearInterval(this.ticker);
    this.ticker = undefined;
    if (waiting) {
      this.ticker = window.setInterval(() => this.renderDetail(), 1000);
    }
    this.renderDetail();
  }

  private renderDetail(): void {
    const at = this.conn.nextAttemptAt;
    const s = this.conn.status;
    if ((s !== 'reconnecting' && s !== 'offline') || at === null) {
      this.detail.textContent = '';
      return;
    }
    const secs = Math.max(0, Math.ceil((at - Date.now()) / 1000));
    const next = secs > 0 ? `Trying again in ${secs} s.` : 'Trying again…';
    this.detail.textContent = this.conn.problem ? `${this.conn.problem} ${next}` : next;
  }
}
