// One conversation's committed messages, kept in seq order and de-duplicated by seq: after a
// reconnect the server may send a message again (sync overlapping live delivery), and the
// same message may arrive as an ack to us and as a chat.message to our other tabs.

import type { ChatMessage, ConversationSummary, Participant } from '../protocol';

export interface StoredMessage {
  seq: number;
  clientMsgId?: string;
  at: string;
  sender: Participant;
  text?: string;
  unreadable?: boolean;
}

export interface TypingPerson {
  userId: string;
  displayName: string;
  until: number;
}

export class Conversation {
  clientId: string;
  clientName: string;
  participants: Participant[];
  /** Highest seq the server has told us exists. */
  lastSeq = 0;
  /** Highest seq this user has read (as stored by the server, or read here since). */
  readSeq = 0;
  /** Highest seq the other side has read: own messages up to it show "Seen". */
  otherReadSeq = 0;
  /** Messages from the client this staff member has not read (staff only). */
  unread = 0;
  /** Older messages exist before the first one held. */
  hasOlder = false;
  loadingOlder = false;
  /** chat.sync has completed on the current connection: safe to send queued messages. */
  synced = false;
  readonly typing = new Map<string, TypingPerson>();

  private readonly bySeq = new Map<number, StoredMessage>();
  private ordered: StoredMessage[] | null = [];

  constructor(readonly id: string, summary: ConversationSummary) {
    this.clientId = summary.clientId;
    this.clientName = summary.clientName;
    this.participants = summary.participants ?? [];
    this.apply(summary);
  }

  /** Takes the server's view from hello; counters only move forward. */
  apply(summary: ConversationSummary): void {
    this.clientId = summary.clientId;
    this.clientName = summary.clientName;
    if (summary.participants) this.participants = summary.participants;
    this.lastSeq = Math.max(this.lastSeq, summary.lastSeq ?? 0);
    this.readSeq = Math.max(this.readSeq, summary.readSeq ?? 0);
    this.otherReadSeq = Math.max(this.otherReadSeq, summary.otherReadSeq ?? 0);
    if (typeof summary.unread === 'number') this.unread = summary.unread;
  }

  /** Adds a committed message; false when it was already held. */
  add(m: StoredMessage | ChatMessage): boolean {
    if (this.bySeq.has(m.seq)) return false;
    this.bySeq.set(m.seq, {
      seq: m.seq,
      clientMsgId: m.clientMsgId,
      at: m.at,
      sender: m.sender,
      text: m.text,
      unreadable: m.unreadable,
    });
    this.lastSeq = Math.max(this.lastSeq, m.seq);
    this.ordered = null;
    return true;
  }

  messages(): readonly StoredMessage[] {
    if (!this.ordered) this.ordered = [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
    return this.ordered;
  }

  get size(): number {
    return this.bySeq.size;
  }

  /** Highest seq held (0 when none). */
  maxSeq(): number {
    const m = this.messages();
    return m.length === 0 ? 0 : m[m.length - 1].seq;
  }

  /**
   * Highest seq held with nothing missing between it and the first one held (0 when none): what
   * chat.sync resumes after. Live messages can arrive out of order (another node's commit is
   * read back from the database while this node's newer one goes straight out), so resuming
   * from the highest seq would skip a message still in flight when the connection dropped.
   */
  contiguousSeq(): number {
    const m = this.messages();
    if (m.length === 0) return 0;
    let last = m[0].seq;
    for (let i = 1; i < m.length && m[i].seq === last + 1; i++) last = m[i].seq;
    return last;
  }

  /** True when a message is missing between the first held and the highest held. */
  hasGap(): boolean {
    return this.contiguousSeq() < this.maxSeq();
  }

  minSeq(): number {
    const m = this.messages();
    return m.length === 0 ? 0 : m[0].seq;
  }
}
