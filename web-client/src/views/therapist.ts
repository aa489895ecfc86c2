// The therapist's dashboard: the "Clients" list (unread counts, latest scores, open-incident
// badges, all live) and, for the chosen client, the conversation, score trends, check-ins (with
// missed ones to review), dosing sessions and the check-in plan.

import type { Api } from '../api';
import type { ChatService } from '../chat/service';
import { ChatView } from '../chat/view';
import { CheckinHistory } from '../checkin/history';
import type { Connection } from '../connection';
import type { ClientList, ClientSummary, Me, ServerFrame } from '../protocol';
import { PlanSection } from '../plan/section';
import { DosingSection } from '../trends/dosing';
import { CHARTED_INSTRUMENTS, TrendsPanel } from '../trends/panel';
import type { Announcer } from '../ui/announce';
import { h, replace, uid } from '../ui/dom';

interface Detail {
  clientId: string;
  element: HTMLElement;
  chatSlot: HTMLElement;
  chat: ChatView | null;
  trends: TrendsPanel;
  checkins: CheckinHistory;
  dosing: DosingSection;
  plan: PlanSection;
}

export class TherapistView {
  readonly element: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly listStatus: HTMLElement;
  private readonly detailSlot: HTMLElement;
  private clients: ClientSummary[] = [];
  private readonly buttons = new Map<string, HTMLButtonElement>();
  private detail: Detail | null = null;
  /** Frames that arrived before the client list: applied once it has loaded. */
  private early: ServerFrame[] | null = [];
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly me: Me,
    private readonly api: Api,
    private readonly conn: Connection,
    private readonly chat: ChatService,
    private readonly announcer: Announcer,
  ) {
    const listHeading = uid('clients-heading');
    this.list = h('ul', { class: 'client-list', 'aria-label': 'Clients' });
    this.listStatus = h('p', { class: 'loading' }, 'Loading clients…');
    this.detailSlot = h(
      'div',
      { class: 'client-detail' },
      h('p', { class: 'empty-detail' }, 'Choose a client to see their messages, scores, check-ins, dosing sessions and check-in plan.'),
    );
    this.element = h(
      'div',
      { class: 'therapist-view' },
      h('nav', { class: 'roster', 'aria-labelledby': listHeading }, h('h2', { id: listHeading }, 'Clients'), this.listStatus, this.list),
      this.detailSlot,
    );
    this.off.push(
      chat.changed.on((conversationId) => {
        const c = chat.conversations.get(conversationId);
        if (c) this.renderItem(c.clientId);
      }),
      chat.listChanged.on(() => {
        this.clients.forEach((c) => this.renderItem(c.id));
        this.attachChat();
      }),
      conn.frames.on((f) => this.handle(f)),
    );
    void this.load();
  }

  dispose(): void {
    this.off.forEach((o) => o());
    this.disposeDetail();
  }

  private async load(): Promise<void> {
    try {
      const r = await this.api.get<ClientList>('/api/clients');
      this.clients = r.clients;
      this.listStatus.textContent = r.clients.length === 0 ? 'No clients are assigned to you yet.' : '';
      this.listStatus.hidden = r.clients.length > 0;
      replace(
        this.list,
        r.clients.map((c) => {
          const button = h('button', { type: 'button', class: 'client-item', onclick: () => this.select(c.id) });
          this.buttons.set(c.id, button);
          return h('li', null, button);
        }),
      );
      r.clients.forEach((c) => this.renderItem(c.id));
      const early = this.early ?? [];
      this.early = null;
      early.forEach((f) => this.handle(f));
    } catch (e) {
      this.early = null;
      this.listStatus.textContent = `Clients could not be loaded. ${(e as Error).message}`;
    }
  }

  private renderItem(clientId: string): void {
    const c = this.clients.find((x) => x.id === clientId);
    const button = this.buttons.get(clientId);
    if (!c || !button) return;
    const conversation = this.chat.conversationForClient(clientId);
    const unread = conversation ? conversation.unread : (c.unread ?? 0);
    const scores = CHARTED_INSTRUMENTS.flatMap((ins) => {
      const s = c.latestScores?.[ins.id];
      return s ? [s.bandLabel ? `${ins.title} ${s.total} (${s.bandLabel})` : `${ins.title} ${s.total}`] : [];
    });
    button.setAttribute('aria-current', String(this.detail?.clientId === clientId));
    replace(
      button,
      h(
        'span',
        { class: 'client-line' },
        h('span', { class: 'client-name' }, c.displayName),
        c.openIncident ? h('span', { class: `badge sev-${c.openIncident.severity.toLowerCase()}` }, `${c.openIncident.severity} alert`) : null,
        unread > 0 ? h('span', { class: 'badge unread' }, `${unread} unread`) : null,
      ),
      // Only say "no scores" when the server sent scores; an older server sends none at all.
      c.latestScores === undefined ? null : h('span', { class: 'client-scores' }, scores.length ? scores.join(', ') : 'No scores yet'),
    );
  }

  private select(clientId: string): void {
    const c = this.clients.find((x) => x.id === clientId);
    if (!c) return;
    this.disposeDetail();
    const headingId = uid('client-heading');
    const heading = h('h2', { id: headingId, tabindex: '-1' }, c.displayName);
    const chatSlot = h('div', { class: 'chat-slot' }, h('p', { class: 'loading' }, 'Loading the conversation…'));
    const zone = this.me.user.timeZone;
    const trends = new TrendsPanel(this.api, c.id, zone);
    const checkins = new CheckinHistory(this.api, c.id, zone);
    // A new session schedules prompts; a changed plan reschedules the pending ones.
    const dosing = new DosingSection(this.api, c.id, zone, () => {
      trends.refresh();
      checkins.refresh();
    });
    const plan = new PlanSection(this.api, c.id, c.timeZone, zone, () => checkins.refresh());
    const element = h(
      'section',
      { class: 'detail', 'aria-labelledby': headingId },
      heading,
      h(
        'div',
        { class: 'detail-grid' },
        chatSlot,
        h('div', { class: 'detail-side' }, trends.element, checkins.element, dosing.element, plan.element),
      ),
    );
    this.detail = { clientId, element, chatSlot, chat: null, trends, checkins, dosing, plan };
    replace(this.detailSlot, element);
    this.attachChat();
    this.clients.forEach((x) => this.renderItem(x.id));
    heading.focus();
  }

  /** The conversation appears once the socket's hello has named it. */
  private attachChat(): void {
    const d = this.detail;
    if (!d || d.chat) return;
    const conversation = this.chat.conversationForClient(d.clientId);
    if (!conversation) return;
    d.chat = new ChatView({
      chat: this.chat,
      connection: this.conn,
      conversationId: conversation.id,
      timeZone: this.me.user.timeZone,
      heading: 'Messages',
      headingLevel: 3,
      emptyText: 'No messages yet.',
    });
    replace(d.chatSlot, d.chat.element);
  }

  private disposeDetail(): void {
    if (!this.detail) return;
    this.detail.chat?.dispose();
    this.detail.trends.dispose();
    this.detail.checkins.dispose();
    this.detail.dosing.dispose();
    this.detail.plan.dispose();
    this.detail = null;
  }

  private handle(f: ServerFrame): void {
    if (this.early) {
      if (f.type === 'checkin.result' || f.type === 'alert') this.early.push(f);
      return;
    }
    if (f.type === 'checkin.result') {
      const c = this.clients.find((x) => x.id === f.clientId);
      if (!c) return;
      const scored = typeof f.total === 'number';
      if (scored) {
        c.latestScores = { ...c.latestScores, [f.instrumentId]: { total: f.total!, bandLabel: f.bandLabel ?? '', at: f.at } };
        this.renderItem(c.id);
      }
      if (this.detail?.clientId === c.id) {
        this.detail.trends.refresh(f.instrumentId);
        this.detail.checkins.refresh();
      }
      this.announcer.say(
        scored
          ? `New ${f.title} result for ${c.displayName}: ${f.total}${f.bandLabel ? `, ${f.bandLabel}` : ''}.`
          : `${c.displayName} answered a ${f.title}.`,
      );
    } else if (f.type === 'alert') {
      const c = this.clients.find((x) => x.id === f.incident.clientId);
      if (!c) return;
      c.openIncident = f.incident.state === 'resolved' ? null : { id: f.incident.id, severity: f.incident.severity };
      this.renderItem(c.id);
      // A missed check-in can open an alert: the list then shows it as missed.
      if (f.incident.trigger?.kind === 'missed_checkin' && this.detail?.clientId === c.id) this.detail.checkins.refresh();
    } else if (f.type === 'notice' && f.kind === 'unread_messages') {
      const c = this.clients.find((x) => x.id === f.clientId);
      this.announcer.say(c ? `Messages from ${c.displayName} are waiting for a reply.` : 'Client messages are waiting for a reply.');
    }
  }
}
