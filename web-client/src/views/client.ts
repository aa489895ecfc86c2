// The client's screen, built for a phone first: help and crisis lines at the top, the
// conversation with the care team, then any check-ins (announced above the conversation with a
// link, so a long questionnaire never pushes the chat off the first screen).

import { ChatView } from '../chat/view';
import type { ChatService } from '../chat/service';
import { CheckinSection } from '../checkin/section';
import type { Connection } from '../connection';
import { linesFor } from '../crisis/lines';
import { CrisisPanel } from '../crisis/panel';
import type { CrisisService } from '../crisis/service';
import type { Me } from '../protocol';
import { h, replace } from '../ui/dom';

export class ClientView {
  readonly element: HTMLElement;
  private readonly chatSlot: HTMLElement;
  private chatView: ChatView | null = null;
  private readonly crisisPanel: CrisisPanel;
  private readonly checkins: CheckinSection;
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly me: Me,
    private readonly conn: Connection,
    private readonly chat: ChatService,
    crisis: CrisisService,
  ) {
    this.crisisPanel = new CrisisPanel(crisis, me.clinic, me.user.timeZone);
    this.checkins = new CheckinSection(conn, me.user.timeZone, linesFor(me.clinic.country)?.emergency ?? null);
    const waitingNotice = h('p', { class: 'notice checkin-notice', hidden: true });
    this.chatSlot = h('div', { class: 'chat-slot' }, h('p', { class: 'loading' }, 'Loading your conversation…'));
    this.element = h('div', { class: 'client-view' }, this.crisisPanel.element, waitingNotice, this.chatSlot, this.checkins.element);
    this.off.push(
      this.checkins.waiting.on((titles) => {
        waitingNotice.hidden = titles.length === 0;
        // Instrument names such as "PHQ-9" must not break at their hyphen.
        const names = titles.flatMap((t, i) => [i === 0 ? '' : ', ', h('span', { class: 'nowrap' }, t)]);
        replace(
          waitingNotice,
          titles.length === 1 ? 'A check-in is waiting for you: ' : `${titles.length} check-ins are waiting for you: `,
          names,
          '. ',
          h('a', { href: '#checkins' }, titles.length === 1 ? 'Answer it' : 'Answer them'),
        );
      }),
      chat.listChanged.on(() => this.showChat()),
      conn.frames.on((f) => {
        if (f.type === 'hello' && (f.conversations ?? []).length === 0 && !this.chatView) {
          replace(
            this.chatSlot,
            h('p', { class: 'notice' }, 'Your care team conversation has not been set up yet. Please contact your clinic.'),
          );
        }
      }),
    );
    this.showChat();
  }

  dispose(): void {
    this.off.forEach((o) => o());
    this.chatView?.dispose();
    this.crisisPanel.dispose();
    this.checkins.dispose();
  }

  private showChat(): void {
    if (this.chatView) return;
    const conversation = [...this.chat.conversations.values()][0];
    if (!conversation) return;
    const team = conversation.participants.filter((p) => p.role !== 'client').map((p) => p.displayName);
    this.chatView = new ChatView({
      chat: this.chat,
      connection: this.conn,
      conversationId: conversation.id,
      timeZone: this.me.user.timeZone,
      heading: 'Messages with your care team',
      headingLevel: 2,
      emptyText:
        team.length > 0
          ? `No messages yet. You can write to ${team.join(', ')} here; they reply during staffed hours.`
          : 'No messages yet. Your care team replies here during staffed hours.',
    });
    replace(this.chatSlot, this.chatView.element);
  }
}
