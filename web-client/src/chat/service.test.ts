import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALEX, CONV, FakeChannel, SAM, summary } from '../testing/fake-channel';
import type { ChatMessage } from '../protocol';
import { Outbox } from './outbox';
import { ChatService } from './service';

const KEY = 'interlude.outbox.test';

function message(seq: number, from = SAM, extra: Partial<ChatMessage> = {}): ChatMessage {
  return { type: 'chat.message', conversationId: CONV, seq, at: new Date().toISOString(), sender: from, text: `m${seq}`, ...extra };
}

function setup(): { ch: FakeChannel; chat: ChatService; outbox: Outbox } {
  const ch = new FakeChannel();
  const outbox = new Outbox(KEY);
  const chat = new ChatService(ch, { id: ALEX.id, displayName: ALEX.displayName, role: 'client' }, outbox);
  return { ch, chat, outbox };
}

/** Connects and answers the resume request (history or sync) with nothing new. */
function connectAndSync(ch: FakeChannel, lastSeq: number): void {
  ch.connect([summary(lastSeq)]);
  ch.take('chat.history');
  ch.take('chat.sync');
  ch.server({ type: 'chat.synced', conversationId: CONV, lastSeq });
}

beforeEach(() => sessionStorage.clear());
afterEach(() => vi.useRealTimers());

describe('ChatService sending', () => {
  it('queues while offline, then sends one at a time in the order typed', () => {
    const { ch, chat } = setup();
    ch.connect([summary(0)]);
    ch.drop();
    chat.send(CONV, 'one');
    chat.send(CONV, 'two');
    expect(chat.pending(CONV).map((e) => e.state)).toEqual(['pending', 'pending']);
    expect(JSON.parse(sessionStorage.getItem(KEY)!)).toHaveLength(2);

    connectAndSync(ch, 0);
    const first = ch.take('chat.send');
    expect(first.map((f) => f.text)).toEqual(['one']);
    ch.server({ type: 'chat.ack', conversationId: CONV, clientMsgId: first[0].clientMsgId, seq: 1, at: new Date().toISOString() });
    const second = ch.take('chat.send');
    expect(second.map((f) => f.text)).toEqual(['two']);
    ch.server({ type: 'chat.ack', conversationId: CONV, clientMsgId: second[0].clientMsgId, seq: 2, at: new Date().toISOString() });

    const c = chat.conversations.get(CONV)!;
    expect(c.messages().map((m) => [m.seq, m.text])).toEqual([[1, 'one'], [2, 'two']]);
    expect(chat.pending(CONV)).toEqual([]);
    expect(sessionStorage.getItem(KEY)).toBeNull();
  });

  it('survives a reload: a new service on the same storage sends what was queued', () => {
    const a = setup();
    a.chat.send(CONV, 'typed before the reload');
    a.chat.dispose();
    const b = setup();
    connectAndSync(b.ch, 0);
    expect(b.ch.take('chat.send').map((f) => f.text)).toEqual(['typed before the reload']);
  });

  it('resends with the same clientMsgId after a drop, and drops it from the queue when a sync shows it committed', () => {
    const { ch, chat } = setup();
    connectAndSync(ch, 0);
    chat.send(CONV, 'lost ack');
    const [sent] = ch.take('chat.send');
    ch.drop();
    // The message was committed; only the ack was lost. The sync after reconnecting returns it.
    ch.connect([summary(1)]);
    ch.take('chat.history');
    ch.server({ ...message(1, ALEX), clientMsgId: sent.clientMsgId, text: 'lost ack' });
    ch.server({ type: 'chat.synced', conversationId: CONV, lastSeq: 1 });
    expect(ch.take('chat.send')).toEqual([]);
    expect(chat.pending(CONV)).toEqual([]);
    expect(chat.conversations.get(CONV)!.messages().map((m) => m.text)).toEqual(['lost ack']);
  });

  it('marks a refused message failed with the server message, and Retry reuses its clientMsgId', () => {
    const { ch, chat } = setup();
    connectAndSync(ch, 0);
    chat.send(CONV, 'x'.repeat(10));
    const [sent] = ch.take('chat.send');
    ch.server({ type: 'error', code: 'too_long', message: 'the message is longer than 4000 characters', ref: sent.ref });
    expect(chat.pending(CONV)).toMatchObject([{ state: 'failed', error: 'The message is longer than 4000 characters' }]);
    chat.retry(sent.clientMsgId);
    expect(ch.take('chat.send').map((f) => f.clientMsgId)).toEqual([sent.clientMsgId]);
  });

  it('retries transient errors by itself, then gives up as failed', () => {
    vi.useFakeTimers();
    const { ch, chat } = setup();
    connectAndSync(ch, 0);
    chat.send(CONV, 'busy');
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [sent] = ch.take('chat.send');
      expect(sent).toBeDefined();
      ch.server({ type: 'error', code: 'unavailable', message: 'try again', ref: sent.ref });
      vi.advanceTimersByTime(10_000);
    }
    expect(chat.pending(CONV)[0].state).toBe('failed');
  });

  it('reconnects when an ack does not come, rather than waiting forever', () => {
    vi.useFakeTimers();
    const { ch, chat } = setup();
    connectAndSync(ch, 0);
    chat.send(CONV, 'silence');
    ch.take('chat.send');
    vi.advanceTimersByTime(15_000);
    expect(ch.restarts).toBe(1);
    expect(chat.pending(CONV)[0].state).toBe('pending');
  });
});

describe('ChatService receiving', () => {
  it('loads the latest page on first connect, then syncs from the last seq held', () => {
    const { ch, chat } = setup();
    ch.connect([summary(3)]);
    expect(ch.take('chat.history')).toMatchObject([{ beforeSeq: 4 }]);
    ch.server({ type: 'chat.history.page', ref: 'h:' + CONV, conversationId: CONV, messages: [message(2), message(3)], hasMore: true });
    expect(ch.take('chat.sync')).toMatchObject([{ afterSeq: 3 }]);
    expect(chat.conversations.get(CONV)!.hasOlder).toBe(true);
  });

  it('resumes after the last contiguous seq, so a message still in flight when the socket dropped is not skipped', () => {
    const { ch, chat } = setup();
    connectAndSync(ch, 0);
    // 2 was committed through another node and had not arrived yet; 3 came straight from this one.
    ch.server(message(1));
    ch.server(message(3));
    ch.drop();
    ch.connect([summary(3)]);
    expect(ch.take('chat.sync')).toMatchObject([{ afterSeq: 1 }]);
    ch.server(message(2));
    ch.server(message(3));
    ch.server({ type: 'chat.synced', conversationId: CONV, lastSeq: 3 });
    expect(chat.conversations.get(CONV)!.messages().map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('syncs a gap that stays open for a second, once, without waiting for a reconnect', () => {
    vi.useFakeTimers();
    const { ch, chat } = setup();
    connectAndSync(ch, 0);
    ch.server(message(1));
    ch.server(message(3));
    ch.server(message(4));
    vi.advanceTimersByTime(999);
    expect(ch.take('chat.sync')).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ch.take('chat.sync')).toMatchObject([{ afterSeq: 1 }]);
    ch.server(message(2));
    vi.advanceTimersByTime(5_000);
    expect(ch.take('chat.sync')).toEqual([]);
    expect(chat.conversations.get(CONV)!.messages().map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('keeps messages in seq order and once each, whatever order and however often they arrive', () => {
    const { ch, chat } = setup();
    connectAndSync(ch, 0);
    for (const seq of [2, 1, 2, 3, 1]) ch.server(message(seq));
    expect(chat.conversations.get(CONV)!.messages().map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('shows own messages as seen up to the other side read receipt', () => {
    const { ch, chat } = setup();
    connectAndSync(ch, 0);
    ch.server({ type: 'chat.read.receipt', conversationId: CONV, userId: SAM.id, displayName: SAM.displayName, seq: 5, at: new Date().toISOString() });
    expect(chat.conversations.get(CONV)!.otherReadSeq).toBe(5);
  });

  it('sends chat.read once per new seq, and typing at most every 3 seconds', () => {
    vi.useFakeTimers();
    const { ch, chat } = setup();
    connectAndSync(ch, 0);
    ch.server(message(1));
    chat.markRead(CONV, 1);
    chat.markRead(CONV, 1);
    expect(ch.take('chat.read')).toMatchObject([{ seq: 1 }]);
    chat.userTyping(CONV);
    chat.userTyping(CONV);
    vi.advanceTimersByTime(3_000);
    chat.userTyping(CONV);
    expect(ch.take('chat.typing')).toHaveLength(2);
  });
});

describe('ChatService unread counts (staff)', () => {
  it('trusts the server count for history and counts only messages from others beyond it', () => {
    const ch = new FakeChannel();
    const chat = new ChatService(ch, { id: SAM.id, displayName: SAM.displayName, role: 'therapist' }, new Outbox('t'));
    ch.connect([summary(2, { unread: 2 })]);
    ch.server({ type: 'chat.history.page', ref: 'h:' + CONV, conversationId: CONV, messages: [message(1, ALEX), message(2, ALEX)], hasMore: false });
    const c = chat.conversations.get(CONV)!;
    expect(c.unread).toBe(2);
    ch.server(message(3, ALEX));
    ch.server(message(4, SAM));
    expect(c.unread).toBe(3);
    // The server's own count wins; a frame without lastSeq leaves the conversation's position alone.
    ch.server({ type: 'chat.unread', conversationId: CONV, clientId: ALEX.id, unread: 1 });
    expect(c.unread).toBe(1);
    expect(c.lastSeq).toBe(4);
    chat.markRead(CONV, 4);
    expect(c.unread).toBe(0);
  });
});
