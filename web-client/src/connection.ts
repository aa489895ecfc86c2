// The one WebSocket of this tab. It reconnects by itself with exponential backoff and full
// jitter (so a restarted server is not hit by every browser at the same instant), reports an
// honest state for the status region, and tells the app when the session has ended (close
// 1008, or a refused handshake while /api/me answers 401). Frames are never logged: they carry
// health information.

import { capitalise } from './api';
import { CLOSE_SESSION_ENDED, SUBPROTOCOL, type ClientFrame, type ServerFrame } from './protocol';
import { Emitter } from './ui/emitter';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** What a refused or dropped connection means for the session, asked of the REST API. */
export type SessionProbe = () => Promise<'valid' | 'ended' | 'unreachable'>;

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  // "Equal jitter": never less than half the ceiling, so retries still back off.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** What features need of the connection (and what unit tests fake). */
export interface Channel {
  readonly frames: Emitter<ServerFrame>;
  readonly state: Emitter<ConnectionState>;
  readonly isOpen: boolean;
  /** Sends when connected; returns false (and sends nothing) otherwise. */
  send(frame: ClientFrame): boolean;
  /** Drops a connection that looks stuck and reconnects. */
  restart(): void;
}

export class Connection implements Channel {
  readonly state = new Emitter<ConnectionState>();
  readonly frames = new Emitter<ServerFrame>();
  /** Emitted after every frame sent: the server restarts its idle clock on inbound frames. */
  readonly activity = new Emitter<void>();
  /** The session is over; the payload is the server's reason (expired, logout, …). */
  readonly sessionEnded = new Emitter<string>();

  private ws: WebSocket | null = null;
  private current: ConnectionState = 'connecting';
  private attempt = 0;
  private retryTimer: number | undefined;
  private stopped = true;
  private endReason: string | null = null;
  private tooManyConnections: string | null = null;
  /** When the next attempt is due (for "trying again in 8 s"); null when not waiting. */
  nextAttemptAt: number | null = null;
  /** Why the last attempt failed, when the server said (shown next to the status). */
  problem: string | null = null;

  constructor(
    private readonly url: string,
    private readonly probe: SessionProbe,
  ) {}

  get status(): ConnectionState {
    return this.current;
  }

  get isOpen(): boolean {
    return this.current === 'connected' && this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.open();
  }

  /** Closes for good (sign-out, session end); no reconnect. */
  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    window.clearTimeout(this.retryTimer);
    this.nextAttemptAt = null;
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, 'signed out');
  }

  /** Skips the wait before the next attempt (the "Try now" button, the network coming back). */
  retryNow(): void {
    if (this.stopped || this.ws) return;
    window.clearTimeout(this.retryTimer);
    this.open();
  }

  /** Drops a connection that looks stuck (e.g. an unacknowledged send) and reconnects. */
  restart(): void {
    if (this.stopped || !this.ws) return;
    this.abandon(4000, 'client restart');
    this.scheduleRetry();
  }

  /**
   * Lets go of the current socket at once. A stuck or cut-off connection may never complete the
   * closing handshake, so its close event is not waited for.
   */
  private abandon(code: number, reason: string): void {
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    ws.onopen = null;
    ws.onmessage = null;
    ws.onclose = null;
    try {
      ws.close(code, reason);
    } catch {
      // Already closing: nothing more to do.
    }
  }

  /** Sends when connected; returns false (and sends nothing) otherwise. */
  send(frame: ClientFrame): boolean {
    if (!this.isOpen || !this.ws) return false;
    this.ws.send(JSON.stringify(frame));
    this.activity.emit();
    return true;
  }

  private setState(s: ConnectionState): void {
    if (s === this.current) return;
    this.current = s;
    this.state.emit(s);
  }

  private open(): void {
    // Never two sockets at once: a stray one would still count against the per-user limit.
    if (this.ws) return;
    this.nextAttemptAt = null;
    this.endReason = null;
    this.tooManyConnections = null;
    this.setState(this.attempt === 0 && this.current === 'connecting' ? 'connecting' : 'reconnecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url, SUBPROTOCOL);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      const frame = parse(ev.data);
      if (!frame) return;
      if (frame.type === 'hello') {
        this.attempt = 0;
        this.problem = null;
        this.setState('connected');
      } else if (frame.type === 'session.ended') {
        this.endReason = frame.reason;
      } else if (frame.type === 'error' && frame.code === 'too_many_connections') {
        this.tooManyConnections = capitalise(frame.message);
      }
      this.frames.emit(frame);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      if (ev.code === CLOSE_SESSION_ENDED && this.tooManyConnections) {
        // Too many tabs: not a session end. Wait the longest delay before trying again.
        this.problem = this.tooManyConnections;
        this.attempt = Math.max(this.attempt, 10);
        this.scheduleRetry();
      } else if (ev.code === CLOSE_SESSION_ENDED) {
        this.end(this.endReason ?? 'ended');
      } else if (!opened) {
        // The handshake failed: the server is down, or it refused us (session over?).
        void this.probe().then((verdict) => {
          if (this.stopped || this.ws) return;
          if (verdict === 'ended') this.end('expired');
          else this.scheduleRetry();
        });
      } else {
        this.scheduleRetry();
      }
    };
  }

  private end(reason: string): void {
    this.stop();
    this.sessionEnded.emit(reason);
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    window.clearTimeout(this.retryTimer);
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.nextAttemptAt = Date.now() + delay;
    this.setState(navigator.onLine ? 'reconnecting' : 'offline');
    // The status region shows a countdown; tell it the schedule changed even if the state did not.
    this.state.emit(this.current);
    this.retryTimer = window.setTimeout(() => this.open(), delay);
  }

  private readonly onOnline = (): void => {
    this.attempt = 0;
    this.retryNow();
  };

  private readonly onOffline = (): void => {
    // The browser knows the network is gone: do not wait for TCP (or a closing handshake) to notice.
    if (this.stopped) return;
    this.abandon(4001, 'offline');
    this.scheduleRetry();
  };
}

function parse(data: unknown): ServerFrame | null {
  if (typeof data !== 'string') return null;
  try {
    const value: unknown = JSON.parse(data);
    if (value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') {
      return value as ServerFrame;
    }
  } catch {
    // Ignored: the server only sends JSON objects; anything else is noise from a proxy.
  }
  return null;
}
