// Chat over the tab's connection: resume after every (re)connect with chat.sync from the last
// seq held, send queued messages one at a time per conversation (so the server commits them in
// the order they were typed), and keep read receipts, typing indicators and unread counts.
//
// Delivery states of the user's own messages: pending (in the outbox, not acknowledged) ->
// sent (chat.ack, or the message seen in a sync) -> or failed (the server refused it, or it was
// not confirmed after several tries), with Retry reusing the same clientMsgId.

import { capitalise } from '../api';
import type { Channel } from '../connection';
import type {
  ChatAck,
  ChatHistoryPage,
  ChatMessage,
  ChatReadReceipt,
  ConversationSummary,
  ErrorFrame,
  Participant,
  ServerFrame,
} from '../protocol';
import { Emitter } from '../ui/emitter';
import { Conversation } from './conversation';
import type { Outbox, OutboxEntry } from './outbox';

/** Timers run in browsers and, for unit tests, in Node: whatever setTimeout returns. */
type Timer = ReturnType<typeof setTimeout>;

const HISTORY_PAGE = 50;
const ACK_TIMEOUT_MS = 15_000;
const MAX_ATTEMPTS = 3;
const TYPING_SEND_INTERVAL_MS = 3_000;
const TYPING_SHOW_MS = 5_000;
/** How long a gap below a received message may stay open before it is synced. */
const GAP_REPAIR_MS = 1_000;
/** Error codes after which the same frame may succeed later. */
const RETRYABLE = new Set(['unavailable', 'rate_limited', 'internal']);

export interface Me {
  id: string;
  displayName: string;
  role: Participant['role'];
}

interface InFlight {
  clientMsgId: string;
  timer: Timer;
}

export class ChatService {
  readonly conversations = new Map<string, Conversation>();
  /** A conversation's messages, outbox, receipts, typing or counters changed. */
  readonly changed = new Emitter<string>();
  /** The set of conversations changed (first hello). */
  readonly listChanged = new Emitter<void>();

  private readonly inFlight = new Map<string, InFlight>();
  private readonly attempts = new Map<string, number>();
  private readonly lastTypingSent = new Map<string, number>();
  private readonly sentReadSeq = new Map<string, number>();
  /** Conversations with a gap repair pending. */
  private readonly gapRepairs = new Set<string>();
  private readonly timers = new Set<Timer>();
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly conn: Channel,
    private readonly me: Me,
    private readonly outbox: Outbox,
  ) {
    this.unsubscribe = [
      conn.frames.on((f) => this.handle(f)),
      conn.state.on((s) => {
        if (s !== 'connected') this.connectionLost();
      }),
    ];
  }

  dispose(): void {
    this.unsubscribe.forEach((u) => u());
    this.connectionLost();
    this.timers.forEach((t) => clearTimeout(t));
    for (const c of this.conversations.values()) c.typing.clear();
  }

  get meId(): string {
    return this.me.id;
  }

  conversationForClient(clientId: string): Conversation | undefined {
    for (const c of this.conversations.values()) if (c.clientId === clientId) return c;
    return undefined;
  }

  pending(conversationId: string): OutboxEntry[] {
    return this.outbox.forConversation(conversationId);
  }

  /** Queues a message and sends it as soon as the conversation is in sync. */
  send(conversationId: string, text: string): void {
    this.outbox.add({
      clientMsgId: crypto.randomUUID(),
      conversationId,
      text,
      createdAt: new Date().toISOString(),
      state: 'pending',
    });
    this.changed.emit(conversationId);
    this.pump(conversationId);
  }

  retry(clientMsgId: string): void {
    const e = this.outbox.get(clientMsgId);
    if (!e) return;
    this.attempts.delete(clientMsgId);
    this.outbox.update(clientMsgId, { state: 'pending' });
    this.changed.emit(e.conversationId);
    this.pump(e.conversationId);
  }

  /** Takes a failed message back out of the queue (to edit it); returns its text. */
  withdraw(clientMsgId: string): string | undefined {
    const e = this.outbox.get(clientMsgId);
    if (!e || e.state !== 'failed') return undefined;
    this.outbox.remove(clientMsgId);
    this.changed.emit(e.conversationId);
    return e.text;
  }

  /** The user has seen everything up to seq. */
  markRead(conversationId: string, seq: number): void {
    const c = this.conversations.get(conversationId);
    if (!c || seq <= c.readSeq) return;
    c.readSeq = seq;
    c.unread = c.messages().filter((m) => m.seq > seq && m.sender.id !== this.me.id).length;
    this.sendRead(c);
    this.changed.emit(conversationId);
  }

  /** Called on input in the message box; sends chat.typing at most every 3 s. */
  userTyping(conversationId: string): void {
    const now = Date.now();
    if (now - (this.lastTypingSent.get(conversationId) ?? 0) < TYPING_SEND_INTERVAL_MS) return;
    if (this.conn.send({ type: 'chat.typing', conversationId })) this.lastTypingSent.set(conversationId, now);
  }

  loadOlder(conversationId: string): void {
    const c = this.conversations.get(conversationId);
    if (!c || c.loadingOlder || !c.hasOlder) return;
    if (!this.conn.send({ type: 'chat.history', ref: 'o:' + c.id, conversationId, beforeSeq: c.minSeq(), limit: HISTORY_PAGE })) {
      return;
    }
    c.loadingOlder = true;
    this.changed.emit(conversationId);
  }

  // ------------------------------------------------------------------ frames

  private handle(f: ServerFrame): void {
    switch (f.type) {
      case 'hello':
        this.onHello(f.conversations ?? []);
        break;
      case 'chat.history.page':
        this.onHistory(f);
        break;
      case 'chat.synced': {
        const c = this.conversations.get(f.conversationId);
        if (!c) break;
        c.synced = true;
        c.lastSeq = Math.max(c.lastSeq, f.lastSeq);
        if (c.readSeq > (this.sentReadSeq.get(c.id) ?? 0)) this.sendRead(c);
        this.changed.emit(c.id);
        this.pump(c.id);
        break;
      }
      case 'chat.ack':
        this.onAck(f);
        break;
      case 'chat.message':
        this.onMessage(f);
        break;
      case 'chat.read.receipt':
        this.onReceipt(f);
        break;
      case 'chat.typing.indicator': {
        const c = this.conversations.get(f.conversationId);
        if (!c || f.userId === this.me.id) break;
        c.typing.set(f.userId, { userId: f.userId, displayName: f.displayName, until: Date.now() + TYPING_SHOW_MS });
        this.later(TYPING_SHOW_MS + 50, () => {
          const t = c.typing.get(f.userId);
          if (t && t.until <= Date.now()) {
            c.typing.delete(f.userId);
            this.changed.emit(c.id);
          }
        });
        this.changed.emit(c.id);
        break;
      }
      case 'chat.unread': {
        const c = this.conversations.get(f.conversationId);
        if (!c) break;
        c.unread = f.unread;
        if (typeof f.lastSeq === 'number') c.lastSeq = Math.max(c.lastSeq, f.lastSeq);
        this.changed.emit(c.id);
        break;
      }
      case 'error':
        this.onError(f);
        break;
      default:
        break;
    }
  }

  private onHello(summaries: ConversationSummary[]): void {
    let added = false;
    for (const s of summaries) {
      let c = this.conversations.get(s.conversationId);
      if (c) {
        c.apply(s);
      } else {
        c = new Conversation(s.conversationId, s);
        this.conversations.set(c.id, c);
        added = true;
      }
      c.synced = false;
      this.sentReadSeq.set(c.id, Math.max(this.sentReadSeq.get(c.id) ?? 0, s.readSeq ?? 0));
      this.resume(c);
    }
    if (added) this.listChanged.emit();
    for (const s of summaries) this.changed.emit(s.conversationId);
  }

  /** First load: the latest page of history; afterwards: everything after the last seq held. */
  private resume(c: Conversation): void {
    if (c.size === 0 && c.lastSeq > 0) {
      this.conn.send({ type: 'chat.history', ref: 'h:' + c.id, conversationId: c.id, beforeSeq: c.lastSeq + 1, limit: HISTORY_PAGE });
    } else {
      this.sync(c);
    }
  }

  private sync(c: Conversation): void {
    this.conn.send({ type: 'chat.sync', ref: 'y:' + c.id, conversationId: c.id, afterSeq: c.contiguousSeq() });
  }

  private onHistory(f: ChatHistoryPage): void {
    const c = this.conversations.get(f.conversationId);
    if (!c) return;
    for (const m of f.messages) this.addMessage(c, m);
    c.hasOlder = f.hasMore;
    if (f.ref?.startsWith('o:')) {
      c.loadingOlder = false;
    } else {
      // The page ends where the hello's lastSeq was; sync picks up anything committed since.
      this.sync(c);
    }
    this.changed.emit(c.id);
  }

  private onAck(f: ChatAck): void {
    const c = this.conversations.get(f.conversationId);
    const entry = this.outbox.get(f.clientMsgId);
    if (c && entry) {
      this.addMessage(c, {
        seq: f.seq,
        clientMsgId: f.clientMsgId,
        at: f.at,
        sender: { id: this.me.id, displayName: this.me.displayName, role: this.me.role },
        text: entry.text,
      });
    }
    this.delivered(f.conversationId, f.clientMsgId);
  }

  /**
   * A message missing below one that arrived is usually just behind it (delivered through
   * another node); if it is still missing a second later (a nudge lost with a node), sync from
   * the last contiguous seq rather than wait for the next reconnect.
   */
  private repairGapLater(c: Conversation): void {
    if (!c.hasGap() || this.gapRepairs.has(c.id)) return;
    this.gapRepairs.add(c.id);
    this.later(GAP_REPAIR_MS, () => {
      this.gapRepairs.delete(c.id);
      if (c.hasGap() && c.synced) this.sync(c);
    });
  }

  private onMessage(f: ChatMessage): void {
    const c = this.conversations.get(f.conversationId);
    if (!c) return;
    this.addMessage(c, f);
    this.repairGapLater(c);
    if (f.sender.id !== this.me.id) {
      c.typing.delete(f.sender.id);
    }
    // A message of ours that a sync returned was committed before the connection dropped.
    if (f.clientMsgId && this.outbox.get(f.clientMsgId)) this.delivered(c.id, f.clientMsgId);
    this.changed.emit(c.id);
  }

  private addMessage(c: Conversation, m: Parameters<Conversation['add']>[0]): void {
    // The server's unread count (hello, chat.unread) covers everything up to its lastSeq; only a
    // message from someone else beyond that is counted here, until the next chat.unread says otherwise.
    const beyondServerCount = m.seq > c.lastSeq;
    if (c.add(m) && beyondServerCount && this.me.role !== 'client' && m.sender.id !== this.me.id && m.seq > c.readSeq) {
      c.unread += 1;
    }
  }

  private onReceipt(f: ChatReadReceipt): void {
    const c = this.conversations.get(f.conversationId);
    if (!c) return;
    if (f.userId === this.me.id) {
      // Read in another tab of ours.
      if (f.seq > c.readSeq) {
        c.readSeq = f.seq;
        this.sentReadSeq.set(c.id, Math.max(this.sentReadSeq.get(c.id) ?? 0, f.seq));
      }
    } else {
      c.otherReadSeq = Math.max(c.otherReadSeq, f.seq);
    }
    this.changed.emit(c.id);
  }

  private onError(f: ErrorFrame): void {
    const ref = f.ref ?? '';
    if (ref.startsWith('s:')) {
      this.sendFailed(ref.slice(2), f);
    } else if (ref.startsWith('o:')) {
      const c = this.conversations.get(ref.slice(2));
      if (c) {
        c.loadingOlder = false;
        this.changed.emit(c.id);
      }
    } else if (ref.startsWith('h:')) {
      // No history page: fall back to syncing from the start, which is complete if slower.
      const c = this.conversations.get(ref.slice(2));
      if (c) this.sync(c);
    } else if (ref.startsWith('y:')) {
      const c = this.conversations.get(ref.slice(2));
      if (c && RETRYABLE.has(f.code)) this.later(2_000, () => this.conn.isOpen && this.sync(c));
    }
  }

  // ------------------------------------------------------------------ sending

  private pump(conversationId: string): void {
    const c = this.conversations.get(conversationId);
    if (!c || !c.synced || !this.conn.isOpen || this.inFlight.has(conversationId)) return;
    const next = this.outbox.forConversation(conversationId).find((e) => e.state === 'pending');
    if (!next) return;
    const timer = setTimeout(() => this.ackTimedOut(conversationId, next.clientMsgId), ACK_TIMEOUT_MS);
    this.inFlight.set(conversationId, { clientMsgId: next.clientMsgId, timer });
    this.conn.send({
      type: 'chat.send',
      ref: 's:' + next.clientMsgId,
      conversationId,
      clientMsgId: next.clientMsgId,
      text: next.text,
    });
  }

  private delivered(conversationId: string, clientMsgId: string): void {
    this.outbox.remove(clientMsgId);
    this.attempts.delete(clientMsgId);
    const f = this.inFlight.get(conversationId);
    if (f && f.clientMsgId === clientMsgId) {
      clearTimeout(f.timer);
      this.inFlight.delete(conversationId);
    }
    this.changed.emit(conversationId);
    this.pump(conversationId);
  }

  private sendFailed(clientMsgId: string, err: ErrorFrame): void {
    const entry = this.outbox.get(clientMsgId);
    if (!entry) return;
    const f = this.inFlight.get(entry.conversationId);
    if (f && f.clientMsgId === clientMsgId) {
      clearTimeout(f.timer);
      this.inFlight.delete(entry.conversationId);
    }
    const attempt = (this.attempts.get(clientMsgId) ?? 0) + 1;
    this.attempts.set(clientMsgId, attempt);
    if (RETRYABLE.has(err.code) && attempt < MAX_ATTEMPTS) {
      // Leave it pending and first in line: the next pump resends it.
      this.later(1_000 * 2 ** attempt, () => this.pump(entry.conversationId));
      return;
    }
    this.outbox.update(clientMsgId, { state: 'failed', error: capitalise(err.message) });
    this.changed.emit(entry.conversationId);
    this.pump(entry.conversationId);
  }

  /** No ack on an open socket: most likely a half-open connection, so reconnect and resync. */
  private ackTimedOut(conversationId: string, clientMsgId: string): void {
    const f = this.inFlight.get(conversationId);
    if (!f || f.clientMsgId !== clientMsgId) return;
    this.inFlight.delete(conversationId);
    const attempt = (this.attempts.get(clientMsgId) ?? 0) + 1;
    this.attempts.set(clientMsgId, attempt);
    if (attempt >= MAX_ATTEMPTS) {
      this.outbox.update(clientMsgId, { state: 'failed', error: 'The server did not confirm this message.' });
      this.changed.emit(conversationId);
      this.pump(conversationId);
    } else {
      this.conn.restart();
    }
  }

  private sendRead(c: Conversation): void {
    if (c.readSeq <= (this.sentReadSeq.get(c.id) ?? 0)) return;
    if (this.conn.send({ type: 'chat.read', conversationId: c.id, seq: c.readSeq })) {
      this.sentReadSeq.set(c.id, c.readSeq);
    }
  }

  private connectionLost(): void {
    for (const f of this.inFlight.values()) clearTimeout(f.timer);
    this.inFlight.clear();
    for (const c of this.conversations.values()) c.synced = false;
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
}
