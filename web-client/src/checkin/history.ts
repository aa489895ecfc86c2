// The therapist's list of one client's check-in prompts (listCheckins), newest due first: what
// was answered with which score, what is still open, and what was missed (the review queue, also
// counted in a badge beside the heading). Bounded: the latest PAGE, then "Show more" by PAGE.
// Refreshed when a result arrives over the socket, a dosing session is saved or the plan changes.

import { recordProblem, type Api } from '../api';
import type { CheckinItem, CheckinList } from '../protocol';
import { h, replace, uid } from '../ui/dom';
import { dateTime } from '../ui/time';
import { emptyText, FILTERS, missedBadge, outcomeText, resultText, STATE_LABELS, type HistoryFilter } from './history-words';

const PAGE = 20;
/** listCheckins' largest page. */
const MAX_LIMIT = 500;
/** Missed prompts counted for the badge; more show as "100+ missed". */
const MISSED_CAP = 100;
/** Results of one check-in arrive together (PHQ-9, GAD-7, WHO-5): one reload for all of them. */
const REFRESH_DELAY_MS = 400;

export class CheckinHistory {
  readonly element: HTMLElement;
  private readonly listSlot: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly more: HTMLButtonElement;
  private filter: HistoryFilter = 'all';
  private limit = PAGE;
  private request = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly api: Api,
    private readonly clientId: string,
    private readonly timeZone: string,
  ) {
    const headingId = uid('history-heading');
    const filterName = uid('history-filter');
    this.badge = h('span', { class: 'badge missed', hidden: true });
    this.listSlot = h('div', { class: 'history-slot' }, h('p', { class: 'loading' }, 'Loading check-ins…'));
    this.more = h('button', { type: 'button', class: 'secondary small', hidden: true, onclick: () => void this.showMore() }, 'Show more check-ins');
    const filters = h(
      'fieldset',
      { class: 'history-filter' },
      h('legend', null, 'Show'),
      h(
        'div',
        { class: 'options' },
        FILTERS.map((f) =>
          h(
            'label',
            { class: 'option' },
            h('input', {
              type: 'radio',
              name: filterName,
              value: f.value,
              checked: f.value === this.filter,
              onchange: () => this.setFilter(f.value),
            }),
            f.label,
          ),
        ),
      ),
    );
    this.element = h(
      'section',
      { class: 'checkin-history', 'aria-labelledby': headingId },
      h('div', { class: 'section-head' }, h('h3', { id: headingId }, 'Check-ins'), this.badge),
      h('p', { class: 'hint' }, 'Newest due first, in your time zone. Missed check-ins are for your review.'),
      filters,
      this.listSlot,
      this.more,
    );
    void this.load();
  }

  /** Reloads soon (several changes in a row cause one reload). */
  refresh(): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.load(), REFRESH_DELAY_MS);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }

  private setFilter(filter: HistoryFilter): void {
    this.filter = filter;
    this.limit = PAGE;
    void this.load();
  }

  private async showMore(): Promise<void> {
    const shown = this.listSlot.querySelectorAll('li').length;
    this.limit = Math.min(MAX_LIMIT, this.limit + PAGE);
    await this.load();
    // Keyboard and screen reader users continue at the first check-in that was added.
    this.listSlot.querySelectorAll<HTMLElement>('li')[shown]?.focus();
  }

  private path(query: string): string {
    return `/api/clients/${encodeURIComponent(this.clientId)}/checkins?${query}`;
  }

  private async load(): Promise<void> {
    const request = ++this.request;
    const state = this.filter === 'all' ? '' : `state=${this.filter}&`;
    try {
      const [list, missed] = await Promise.all([
        this.api.get<CheckinList>(this.path(`${state}limit=${Math.min(MAX_LIMIT, this.limit + 1)}`)),
        this.api.get<CheckinList>(this.path(`state=missed&limit=${MISSED_CAP + 1}`)),
      ]);
      if (this.disposed || request !== this.request) return;
      const count = Math.min(missed.checkins.length, MISSED_CAP);
      const badge = missedBadge(count, missed.checkins.length > MISSED_CAP);
      this.badge.textContent = badge ?? '';
      this.badge.hidden = badge === null;
      const items = list.checkins.slice(0, this.limit);
      this.more.hidden = list.checkins.length <= this.limit;
      this.render(items);
    } catch (e) {
      if (this.disposed || request !== this.request) return;
      this.more.hidden = true;
      replace(
        this.listSlot,
        h('p', { class: 'notice' }, `Check-ins could not be loaded. ${recordProblem(e)}`),
        h('button', { type: 'button', class: 'secondary small', onclick: () => void this.load() }, 'Try again'),
      );
    }
  }

  private render(items: CheckinItem[]): void {
    // A live refresh must not drop the keyboard focus of someone reading the list.
    const focused = document.activeElement instanceof HTMLElement && this.listSlot.contains(document.activeElement)
      ? document.activeElement.closest<HTMLElement>('li')?.dataset.promptId
      : undefined;
    if (items.length === 0) {
      replace(this.listSlot, h('p', null, emptyText(this.filter)));
      return;
    }
    replace(this.listSlot, h('ul', { class: 'history-list' }, items.map((item) => this.row(item))));
    if (focused) this.listSlot.querySelector<HTMLElement>(`li[data-prompt-id="${CSS.escape(focused)}"]`)?.focus();
  }

  private row(item: CheckinItem): HTMLElement {
    const outcome = outcomeText(item, this.timeZone);
    const result = resultText(item);
    return h(
      'li',
      { class: `history-item state-${item.state}`, tabindex: '-1', 'data-prompt-id': item.promptId },
      h(
        'p',
        { class: 'history-head' },
        h('span', { class: 'history-title' }, item.title),
        h('span', { class: `badge state-${item.state}` }, STATE_LABELS[item.state] ?? item.state),
      ),
      h('p', { class: 'history-when' }, 'Due ', h('time', { datetime: item.dueAt }, dateTime(item.dueAt, this.timeZone))),
      outcome ? h('p', { class: 'history-when' }, outcome) : null,
      result && typeof item.total === 'number' ? h('p', { class: 'history-result' }, `Score ${result}`) : null,
    );
  }
}
