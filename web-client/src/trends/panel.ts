// One client's score trends: a chart card per scored instrument, each with a text summary and
// the results as a table, refreshed when a new result or dosing session arrives.

import type { Api } from '../api';
import { instrumentTitle } from '../plan/instruments';
import type { Trends } from '../protocol';
import { h, replace, uid } from '../ui/dom';
import { dateTime, messageTime } from '../ui/time';
import { describePoint, TrendChart } from './chart';

/** The scored instruments charted for every client, in this order. */
export const CHARTED_INSTRUMENTS: readonly { id: string; title: string }[] = ['phq9', 'gad7', 'who5', 'pulse'].map((id) => ({
  id,
  title: instrumentTitle(id),
}));

interface Card {
  element: HTMLElement;
  body: HTMLElement;
  chart: TrendChart | null;
  request: number;
}

export class TrendsPanel {
  readonly element: HTMLElement;
  private readonly cards = new Map<string, Card>();
  private readonly grid: HTMLElement;
  private readonly problem: HTMLElement;
  private disposed = false;

  constructor(
    private readonly api: Api,
    private readonly clientId: string,
    private readonly timeZone: string,
  ) {
    const headingId = uid('trends-heading');
    const grid = h('div', { class: 'trend-grid' });
    this.grid = grid;
    this.problem = h('div', { class: 'notice', hidden: true });
    for (const ins of CHARTED_INSTRUMENTS) {
      const body = h('div', { class: 'trend-body' }, h('p', { class: 'loading' }, `Loading ${ins.title} results…`));
      const element = h('article', { class: 'trend-card' }, h('h4', null, ins.title), body);
      this.cards.set(ins.id, { element, body, chart: null, request: 0 });
      grid.append(element);
    }
    this.element = h(
      'section',
      { class: 'trends', 'aria-labelledby': headingId },
      h('h3', { id: headingId }, 'Score trends'),
      h('p', { class: 'hint' }, 'Shaded bands show severity; dashed lines mark dosing sessions.'),
      this.problem,
      grid,
    );
    this.refresh();
  }

  /** Reloads one instrument's trend, or all of them. */
  refresh(instrumentId?: string): void {
    const loads = [...this.cards]
      .filter(([id]) => instrumentId === undefined || instrumentId === id)
      .map(([id, card]) => this.load(id, card));
    if (instrumentId !== undefined) return;
    void Promise.all(loads).then((errors) => {
      if (this.disposed) return;
      // One problem for all charts (e.g. the server is unreachable) is said once, not three times.
      const allFailed = errors.every((e) => e !== null) && new Set(errors).size === 1;
      this.grid.hidden = allFailed;
      this.problem.hidden = !allFailed;
      if (allFailed) {
        replace(
          this.problem,
          h('p', null, `Score trends could not be loaded. ${errors[0]}`),
          h('button', { type: 'button', class: 'secondary small', onclick: () => this.refresh() }, 'Try again'),
        );
      }
    });
  }

  dispose(): void {
    this.disposed = true;
    for (const c of this.cards.values()) c.chart?.destroy();
  }

  /** Loads and shows one trend; resolves to the error message, or null when it loaded. */
  private async load(instrumentId: string, card: Card): Promise<string | null> {
    const request = ++card.request;
    try {
      const trends = await this.api.get<Trends>(
        `/api/clients/${encodeURIComponent(this.clientId)}/trends?instrument=${encodeURIComponent(instrumentId)}`,
      );
      if (!this.disposed && request === card.request) this.show(card, trends);
      return null;
    } catch (e) {
      const message = (e as Error).message;
      if (this.disposed || request !== card.request) return message;
      card.chart?.destroy();
      card.chart = null;
      const title = CHARTED_INSTRUMENTS.find((i) => i.id === instrumentId)?.title ?? instrumentId;
      replace(
        card.body,
        h('p', { class: 'notice' }, `${title} results could not be loaded. ${message}`),
        h('button', { type: 'button', class: 'secondary small', onclick: () => this.refresh(instrumentId) }, 'Try again'),
      );
      return message;
    }
  }

  private show(card: Card, trends: Trends): void {
    const title = trends.instrument.title;
    const summaryId = uid('trend-summary');
    const summary = h('p', { id: summaryId, class: 'trend-summary' }, this.summary(trends));
    if (card.chart && card.body.querySelector('canvas')) {
      card.chart.update(trends);
      replace(card.body.querySelector('.trend-summary-slot') as HTMLElement, summary);
      card.body.querySelector('canvas')?.setAttribute('aria-describedby', summaryId);
      replace(card.body.querySelector('.trend-table-slot') as HTMLElement, this.table(trends));
      return;
    }
    const canvas = h('canvas', { role: 'img', 'aria-label': `${title} trend`, 'aria-describedby': summaryId });
    replace(
      card.body,
      h('div', { class: 'chart-box' }, canvas),
      h('div', { class: 'trend-summary-slot' }, summary),
      h('div', { class: 'trend-table-slot' }, this.table(trends)),
    );
    card.chart = new TrendChart(canvas, trends, this.timeZone);
  }

  private summary(t: Trends): string {
    const n = t.points.length;
    const doses = t.dosingSessions.length;
    const doseText = doses === 0 ? 'No dosing sessions.' : `${doses} dosing session${doses === 1 ? '' : 's'} marked.`;
    if (n === 0) return `No ${t.instrument.title} results yet. ${doseText}`;
    const last = t.points[n - 1];
    return `${n} result${n === 1 ? '' : 's'}. Latest ${describePoint(last)}, ${messageTime(last.at, this.timeZone)}. ${doseText}`;
  }

  private table(t: Trends): HTMLElement | null {
    if (t.points.length === 0) return null;
    return h(
      'details',
      { class: 'trend-table' },
      h('summary', null, `${t.instrument.title} results as a table`),
      h(
        'table',
        null,
        h('caption', { class: 'sr-only' }, `${t.instrument.title} results`),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col' }, 'Result'))),
        h(
          'tbody',
          null,
          [...t.points].reverse().map((p) => h('tr', null, h('td', null, dateTime(p.at, this.timeZone)), h('td', null, describePoint(p)))),
        ),
      ),
    );
  }
}
