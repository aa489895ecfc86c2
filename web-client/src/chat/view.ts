// The conversation on screen: the "Conversation" log, the typing line and the composer.
// Elements are kept per message and moved only when their order changes, so screen readers
// are not re-read the whole log and focus on a Retry button survives updates.

import type { Connection } from '../connection';
import { h, replace, uid } from '../ui/dom';
import { messageTime } from '../ui/time';
import type { StoredMessage } from './conversation';
import type { OutboxEntry } from './outbox';
import type { ChatService } from './service';

export interface ChatViewOptions {
  chat: ChatService;
  connection: Connection;
  conversationId: string;
  timeZone: string;
  /** Heading above the log, e.g. "Messages with your care team". */
  heading: string;
  /** Where the heading sits in the page outline. */
  headingLevel: 2 | 3;
  /** Shown in the log while there are no messages. */
  emptyText: string;
}

const MAX_CHARS = 4000;
const NEAR_BOTTOM_PX = 80;

type Row = { key: string; message?: StoredMessage; pending?: OutboxEntry };

export class ChatView {
  readonly element: HTMLElement;
  private readonly log: HTMLDivElement;
  private readonly empty: HTMLParagraphElement;
  private readonly olderButton: HTMLButtonElement;
  private readonly typingLine: HTMLParagraphElement;
  private readonly textarea: HTMLTextAreaElement;
  private readonly offlineHint: HTMLParagraphElement;
  private readonly composerError: HTMLParagraphElement;
  private readonly items = new Map<string, HTMLElement>();
  private readonly observer: IntersectionObserver;
  private readonly visibleSeqs = new Set<number>();
  private readFlush: number | undefined;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly o: ChatViewOptions) {
    const headingId = uid('chat-heading');
    const hintId = uid('composer-hint');
    const errorId = uid('composer-error');
    this.olderButton = h('button', { type: 'button', class: 'link-button older', onclick: () => this.loadOlder() }, 'Show earlier messages');
    this.empty = h('p', { class: 'log-empty' }, o.emptyText);
    this.log = h('div', { class: 'log', role: 'log', 'aria-label': 'Conversation', tabindex: '0' }, this.empty);
    this.typingLine = h('p', { class: 'typing', 'aria-live': 'polite' });
    const textareaId = uid('message');
    this.textarea = h('textarea', {
      id: textareaId,
      rows: 2,
      maxlength: MAX_CHARS,
      autocomplete: 'off',
      'aria-describedby': `${hintId} ${errorId}`,
      oninput: () => {
        this.composerError.textContent = '';
        if (this.textarea.value.trim()) o.chat.userTyping(o.conversationId);
      },
      onkeydown: (e: Event) => this.onKey(e as KeyboardEvent),
    });
    this.offlineHint = h('p', { class: 'hint', id: hintId });
    this.composerError = h('p', { class: 'field-error', id: errorId, 'aria-live': 'polite' });
    const form = h(
      'form',
      { class: 'composer', onsubmit: (e: Event) => this.submit(e) },
      h('label', { for: textareaId }, 'Message'),
      h('div', { class: 'composer-row' }, this.textarea, h('button', { type: 'submit', class: 'primary' }, 'Send')),
      this.composerError,
      this.offlineHint,
    );
    this.element = h(
      'section',
      { class: 'chat', 'aria-labelledby': headingId },
      h(o.headingLevel === 2 ? 'h2' : 'h3', { id: headingId }, o.heading),
      this.olderButton,
      this.log,
      this.typingLine,
      form,
    );

    this.observer = new IntersectionObserver((entries) => this.onVisibility(entries), { root: this.log, threshold: 0.5 });
    const onVisible = () => this.scheduleRead();
    document.addEventListener('visibilitychange', onVisible);
    this.unsubscribe.push(() => document.removeEventListener('visibilitychange', onVisible));
    this.unsubscribe.push(o.chat.changed.on((id) => id === o.conversationId && this.render()));
    this.unsubscribe.push(o.connection.state.on(() => this.renderConnection()));
    this.render();
    this.renderConnection();
    // The element is put on the page by the caller after construction: open at the latest
    // messages once it has a layout (before that it has no height to scroll).
    requestAnimationFrame(() => this.scrollToEnd());
  }

  dispose(): void {
    this.unsubscribe.forEach((u) => u());
    this.observer.disconnect();
    window.clearTimeout(this.readFlush);
  }

  focusComposer(): void {
    this.textarea.focus();
  }

  private get conversation() {
    return this.o.chat.conversations.get(this.o.conversationId);
  }

  // ------------------------------------------------------------------ composing

  private onKey(e: KeyboardEvent): void {
    // Enter sends on a keyboard; on touch screens Enter makes a new line and the button sends.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !matchMedia('(pointer: coarse)').matches) {
      e.preventDefault();
      this.textarea.form?.requestSubmit();
    }
  }

  private submit(e: Event): void {
    e.preventDefault();
    const text = this.textarea.value.trim();
    if (!text) {
      this.composerError.textContent = 'Write a message first.';
      this.textarea.focus();
      return;
    }
    if (text.length > MAX_CHARS) {
      this.composerError.textContent = `Messages can be up to ${MAX_CHARS.toLocaleString()} characters.`;
      return;
    }
    this.o.chat.send(this.o.conversationId, text);
    this.textarea.value = '';
    this.textarea.focus();
    this.scrollToEnd();
  }

  private edit(clientMsgId: string): void {
    const text = this.o.chat.withdraw(clientMsgId);
    if (text === undefined) return;
    const current = this.textarea.value.trim();
    this.textarea.value = current ? `${current}\n${text}` : text;
    this.textarea.focus();
  }

  private loadOlder(): void {
    const before = this.log.scrollHeight;
    this.o.chat.loadOlder(this.o.conversationId);
    // Keep the reader's place when older messages are inserted above.
    const off = this.o.chat.changed.on((id) => {
      if (id !== this.o.conversationId || this.conversation?.loadingOlder) return;
      off();
      this.log.scrollTop += this.log.scrollHeight - before;
    });
  }

  private renderConnection(): void {
    const connected = this.o.connection.status === 'connected';
    this.offlineHint.textContent = connected
      ? ''
      : 'You are not connected right now. Messages you send are kept on this page and go out when the connection is back.';
  }

  // ------------------------------------------------------------------ rendering

  private render(): void {
    const c = this.conversation;
    if (!c) return;
    const nearBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < NEAR_BOTTOM_PX;
    const rows: Row[] = c.messages().map((m) => ({ key: keyOf(m.clientMsgId, m.seq), message: m }));
    for (const p of this.o.chat.pending(c.id)) rows.push({ key: keyOf(p.clientMsgId), pending: p });

    const me = this.o.chat.meId;
    const own = c.messages().filter((m) => m.sender.id === me);
    const lastOwn = own.length ? own[own.length - 1].seq : -1;
    const seenOwn = own.filter((m) => m.seq <= c.otherReadSeq);
    const lastSeen = seenOwn.length ? seenOwn[seenOwn.length - 1].seq : -1;

    const keep = new Set(rows.map((r) => r.key));
    for (const [key, el] of this.items) {
      if (!keep.has(key)) {
        el.remove();
        this.items.delete(key);
      }
    }
    this.empty.hidden = rows.length > 0;
    let anchor: Element = this.empty;
    for (const row of rows) {
      let el = this.items.get(row.key);
      if (!el) {
        el = h('div', { class: 'msg' });
        this.items.set(row.key, el);
      }
      this.fill(el, row, lastOwn, lastSeen);
      if (anchor.nextElementSibling !== el) anchor.after(el);
      anchor = el;
    }

    this.olderButton.hidden = !(c.hasOlder && c.size > 0);
    this.olderButton.disabled = c.loadingOlder;
    this.olderButton.textContent = c.loadingOlder ? 'Loading earlier messages…' : 'Show earlier messages';
    this.renderTyping();
    if (nearBottom) this.scrollToEnd();
  }

  /**
   * Builds a message's parts once and afterwards touches only what changed (its time when the
   * server acknowledges it, its delivery status), so the live log announces each message once.
   */
  private fill(el: HTMLElement, row: Row, lastOwn: number, lastSeen: number): void {
    const m = row.message;
    const p = row.pending;
    const mine = p !== undefined || m?.sender.id === this.o.chat.meId;
    const state = p ? p.state : 'sent';
    el.className = `msg ${mine ? 'mine' : 'theirs'} ${state}`;
    el.dataset.state = state;
    if (m && el.dataset.seq !== String(m.seq)) {
      el.dataset.seq = String(m.seq);
      this.observer.observe(el);
    }
    const at = m ? m.at : (p?.createdAt ?? '');
    let time = el.querySelector('time');
    if (!time) {
      time = h('time');
      const body = m?.unreadable
        ? h('p', { class: 'text unreadable' }, 'This message could not be read. Your care team has been told.')
        : h('p', { class: 'text' }, m?.text ?? p?.text ?? '');
      const who = mine ? 'You' : (m?.sender.displayName ?? '');
      replace(el, h('p', { class: 'meta' }, h('span', { class: 'sender' }, who), ' ', time), body, h('div', { class: 'status-slot' }));
    }
    if (time.dateTime !== at) {
      time.dateTime = at;
      time.textContent = messageTime(at, this.o.timeZone);
    }
    const status = this.status(row, mine, lastOwn, lastSeen);
    const signature = status ? `${state}|${status.textContent}` : '';
    if (el.dataset.status !== signature) {
      el.dataset.status = signature;
      replace(el.querySelector('.status-slot') as HTMLElement, status);
    }
  }

  private status(row: Row, mine: boolean, lastOwn: number, lastSeen: number): HTMLElement | null {
    const p = row.pending;
    if (p?.state === 'pending') return h('p', { class: 'status' }, 'Waiting to send');
    if (p?.state === 'failed') {
      return h(
        'p',
        { class: 'status failed-status' },
        h('span', null, `Not sent. ${p.error ?? ''}`.trim()),
        ' ',
        h('button', { type: 'button', class: 'small', onclick: () => this.o.chat.retry(p.clientMsgId) }, 'Retry'),
        ' ',
        h('button', { type: 'button', class: 'small secondary', onclick: () => this.edit(p.clientMsgId) }, 'Edit'),
      );
    }
    const m = row.message;
    if (!mine || !m) return null;
    if (m.seq === lastSeen) return h('p', { class: 'status' }, 'Seen');
    if (m.seq === lastOwn) return h('p', { class: 'status' }, 'Sent');
    return null;
  }

  private renderTyping(): void {
    const c = this.conversation;
    const names = c ? [...c.typing.values()].map((t) => t.displayName) : [];
    this.typingLine.textContent =
      names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : `${names.join(' and ')} are typing…`;
  }

  private scrollToEnd(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }

  // ------------------------------------------------------------------ read receipts

  private onVisibility(entries: IntersectionObserverEntry[]): void {
    for (const e of entries) {
      const seq = Number((e.target as HTMLElement).dataset.seq);
      if (e.isIntersecting) this.visibleSeqs.add(seq);
      else this.visibleSeqs.delete(seq);
    }
    this.scheduleRead();
  }

  /** Reports what is actually on screen, and only while the tab is visible. */
  private scheduleRead(): void {
    window.clearTimeout(this.readFlush);
    this.readFlush = window.setTimeout(() => {
      if (document.visibilityState !== 'visible' || this.visibleSeqs.size === 0) return;
      this.o.chat.markRead(this.o.conversationId, Math.max(...this.visibleSeqs));
    }, 300);
  }
}

function keyOf(clientMsgId: string | undefined, seq?: number): string {
  return clientMsgId ? 'c:' + clientMsgId : 's:' + seq;
}
