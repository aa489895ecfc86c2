// The client's "I need help now" request and what came of it. The request has an id of its own
// (clientReportId), kept in sessionStorage until the server answers, so a reload or a dropped
// connection resends the same request rather than losing it or opening a second incident.

import type { Channel } from '../connection';
import type { CrisisInfo, IncidentStatus, ServerFrame } from '../protocol';
import { Emitter } from '../ui/emitter';

/** How long to wait for crisis.info before telling the client to call, and resending. */
const ANSWER_TIMEOUT_MS = 10_000;

export type CrisisState =
  | { kind: 'idle' }
  /** Sent (or waiting for a connection to send); no answer yet. */
  | { kind: 'sending'; connected: boolean }
  /** Sent, but the server has not answered in time. */
  | { kind: 'no-answer' }
  | { kind: 'failed'; message: string }
  | { kind: 'notified'; info: CrisisInfo; status?: IncidentStatus };

export class CrisisService {
  readonly changed = new Emitter<CrisisState>();
  private current: CrisisState = { kind: 'idle' };
  private pendingId: string | null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly off: (() => void)[];

  constructor(
    private readonly conn: Channel,
    private readonly storageKey: string,
  ) {
    this.pendingId = readPending(storageKey);
    if (this.pendingId) this.current = { kind: 'sending', connected: conn.isOpen };
    this.off = [
      conn.frames.on((f) => this.handle(f)),
      conn.state.on((s) => {
        if (this.current.kind === 'sending') this.set({ kind: 'sending', connected: s === 'connected' });
      }),
    ];
  }

  get state(): CrisisState {
    return this.current;
  }

  dispose(): void {
    this.off.forEach((o) => o());
    clearTimeout(this.timer);
  }

  /** The button: tell the on-call clinician. Pressing again while unanswered resends the same request. */
  report(): void {
    if (!this.pendingId) {
      this.pendingId = crypto.randomUUID();
      writePending(this.storageKey, this.pendingId);
    }
    this.set({ kind: 'sending', connected: this.conn.isOpen });
    this.transmit();
  }

  private transmit(): void {
    if (!this.pendingId) return;
    const sent = this.conn.send({ type: 'crisis.report', ref: 'c:' + this.pendingId, clientReportId: this.pendingId });
    clearTimeout(this.timer);
    if (sent) {
      // The server asks for the report to be resent until crisis.info confirms it (it is
      // idempotent by clientReportId); meanwhile the client is told to call directly.
      this.timer = setTimeout(() => {
        if (!this.pendingId) return;
        if (this.current.kind === 'sending') this.set({ kind: 'no-answer' });
        this.transmit();
      }, ANSWER_TIMEOUT_MS);
    }
  }

  private handle(f: ServerFrame): void {
    if (f.type === 'hello') {
      if (this.pendingId) this.transmit();
    } else if (f.type === 'crisis.info') {
      // Answers our request, or the server escalated a risky answer or message by itself.
      this.answered();
      this.set({ kind: 'notified', info: f });
    } else if (f.type === 'incident.status') {
      const c = this.current;
      if (c.kind === 'notified' && c.info.incidentId === f.incidentId) this.set({ ...c, status: f });
    } else if (f.type === 'error' && f.ref?.startsWith('c:')) {
      this.answered();
      this.set({ kind: 'failed', message: f.message });
    }
  }

  private answered(): void {
    clearTimeout(this.timer);
    this.pendingId = null;
    writePending(this.storageKey, null);
  }

  private set(s: CrisisState): void {
    this.current = s;
    this.changed.emit(s);
  }
}

function readPending(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function writePending(key: string, id: string | null): void {
  try {
    if (id) sessionStorage.setItem(key, id);
    else sessionStorage.removeItem(key);
  } catch {
    // Storage disabled: the request is still held in memory for this page.
  }
}
