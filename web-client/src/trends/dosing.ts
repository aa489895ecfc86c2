// A client's dosing sessions and the form to add one. Check-in plans are timed from these, and
// the trend charts mark them, so a saved session refreshes both.

import type { Api } from '../api';
import { ApiError } from '../api';
import { DOSING_ROUTES, type DosingRoute, type DosingSession, type DosingSessionList } from '../protocol';
import { h, replace, uid } from '../ui/dom';
import { dateTime } from '../ui/time';

const ROUTE_LABELS: Record<DosingRoute, string> = {
  sublingual: 'Sublingual',
  intranasal: 'Intranasal',
  intramuscular: 'Intramuscular',
  intravenous: 'Intravenous',
};

const STATUS_LABELS: Record<NonNullable<DosingSession['status']>, string> = {
  scheduled: 'Scheduled',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

export class DosingSection {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly toggle: HTMLButtonElement;
  private readonly when: HTMLInputElement;
  private readonly route: HTMLSelectElement;
  private readonly formError: HTMLElement;
  private readonly saved: HTMLElement;
  private disposed = false;

  constructor(
    private readonly api: Api,
    private readonly clientId: string,
    private readonly timeZone: string,
    private readonly onChange: () => void,
  ) {
    const headingId = uid('dosing-heading');
    const formId = uid('dosing-form');
    const whenId = uid('dosing-when');
    const routeId = uid('dosing-route');
    this.list = h('div', { class: 'dosing-list' }, h('p', { class: 'loading' }, 'Loading dosing sessions…'));
    this.when = h('input', { id: whenId, type: 'datetime-local', required: true });
    this.route = h(
      'select',
      { id: routeId, required: true },
      DOSING_ROUTES.map((r) => h('option', { value: r }, ROUTE_LABELS[r])),
    );
    this.formError = h('p', { class: 'form-error', role: 'alert' });
    this.form = h(
      'form',
      { id: formId, class: 'dosing-form', hidden: true, novalidate: true, onsubmit: (e: Event) => void this.save(e) },
      h('div', { class: 'field' }, h('label', { for: whenId }, 'Date and time'), this.when),
      h('div', { class: 'field' }, h('label', { for: routeId }, 'Route'), this.route),
      this.formError,
      h(
        'div',
        { class: 'form-actions' },
        h('button', { type: 'submit', class: 'primary' }, 'Save dosing session'),
        h('button', { type: 'button', class: 'secondary', onclick: () => this.close() }, 'Cancel'),
      ),
    );
    this.toggle = h(
      'button',
      { type: 'button', class: 'secondary', 'aria-expanded': 'false', 'aria-controls': formId, onclick: () => this.open() },
      'Add dosing session',
    );
    this.saved = h('p', { role: 'status', class: 'saved' });
    this.element = h(
      'section',
      { class: 'dosing', 'aria-labelledby': headingId },
      h('h3', { id: headingId }, 'Dosing sessions'),
      this.list,
      this.toggle,
      this.form,
      this.saved,
    );
    void this.load();
  }

  dispose(): void {
    this.disposed = true;
  }

  private async load(): Promise<void> {
    try {
      const r = await this.api.get<DosingSessionList>(`/api/clients/${encodeURIComponent(this.clientId)}/dosing-sessions`);
      if (!this.disposed) this.render(r.dosingSessions);
    } catch (e) {
      if (this.disposed) return;
      replace(
        this.list,
        h('p', { class: 'notice' }, `Dosing sessions could not be loaded. ${(e as Error).message}`),
        h('button', { type: 'button', class: 'secondary small', onclick: () => void this.load() }, 'Try again'),
      );
    }
  }

  private render(sessions: DosingSession[]): void {
    if (sessions.length === 0) {
      replace(this.list, h('p', null, 'No dosing sessions recorded.'));
      return;
    }
    const sorted = [...sessions].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    replace(
      this.list,
      h(
        'ul',
        { class: 'plain-list' },
        sorted.map((s) =>
          h(
            'li',
            null,
            h('time', { datetime: s.startsAt }, dateTime(s.startsAt, this.timeZone)),
            ` · ${ROUTE_LABELS[s.route] ?? s.route}`,
            s.status ? ` · ${STATUS_LABELS[s.status]}` : '',
          ),
        ),
      ),
    );
  }

  private open(): void {
    this.form.hidden = false;
    this.toggle.setAttribute('aria-expanded', 'true');
    this.toggle.hidden = true;
    this.saved.textContent = '';
    this.when.focus();
  }

  private close(): void {
    this.form.hidden = true;
    this.form.reset();
    this.formError.textContent = '';
    this.toggle.hidden = false;
    this.toggle.setAttribute('aria-expanded', 'false');
    this.toggle.focus();
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    if (!this.when.value) {
      this.formError.textContent = 'Choose the date and time of the session.';
      this.when.focus();
      return;
    }
    // datetime-local is wall-clock time in the browser's zone; the server wants an instant.
    const startsAt = new Date(this.when.value);
    if (Number.isNaN(startsAt.getTime())) {
      this.formError.textContent = 'That date and time is not valid.';
      this.when.focus();
      return;
    }
    const submit = this.form.querySelector<HTMLButtonElement>('button[type=submit]');
    if (submit) submit.disabled = true;
    try {
      await this.api.post(`/api/clients/${encodeURIComponent(this.clientId)}/dosing-sessions`, {
        startsAt: startsAt.toISOString(),
        route: this.route.value as DosingRoute,
      });
      if (this.disposed) return;
      this.close();
      this.saved.textContent = `Dosing session on ${dateTime(startsAt.toISOString(), this.timeZone)} saved.`;
      await this.load();
      this.onChange();
    } catch (err) {
      this.formError.textContent = err instanceof ApiError ? err.message : 'The session could not be saved.';
      if (err instanceof ApiError && err.field === 'route') this.route.focus();
      else this.when.focus();
    } finally {
      if (submit) submit.disabled = false;
    }
  }
}
