// The on-call console: "Open alerts", most urgent first, each with who, what triggered it and
// how long it has waited, and Acknowledge / Resolve. A new alert is announced three ways: the
// page's assertive live region, a generated tone, and a desktop notification whose text names
// only the severity (a lock screen is no place for a client's name).

import { ApiError, type Api } from '../api';
import type { Connection } from '../connection';
import {
  DISPOSITIONS,
  type Disposition,
  type Incident,
  type IncidentList,
  type Me,
  type ServerFrame,
  type Severity,
  type TriggerKind,
} from '../protocol';
import type { Announcer } from '../ui/announce';
import { chime } from '../ui/chime';
import { h, replace, uid } from '../ui/dom';
import { Emitter } from '../ui/emitter';
import { age, messageTime } from '../ui/time';

const SEVERITY_ORDER: Record<Severity, number> = { CRITICAL: 0, HIGH: 1, WATCH: 2 };

const TRIGGER_LABELS: Record<TriggerKind, string> = {
  crisis_button: 'Pressed “I need help now”',
  checkin: 'Check-in answers',
  chat: 'Chat message',
  missed_checkin: 'Missed check-in',
};

/** What set the alert off, in words: the server's summary (rule names and scores only), or its kind. */
function triggerText(i: Incident): string {
  return i.trigger?.summary || (i.trigger ? TRIGGER_LABELS[i.trigger.kind] : undefined) || 'Alert raised';
}

const DISPOSITION_LABELS: Record<Disposition, string> = {
  reached_client: 'Reached the client',
  safety_plan_reviewed: 'Safety plan reviewed',
  emergency_services_called: 'Emergency services called',
  false_alarm: 'False alarm',
};

export class OncallView {
  readonly element: HTMLElement;
  /** The number of open alerts changed (for a tab label). */
  readonly countChanged = new Emitter<number>();
  private readonly incidents = new Map<string, Incident>();
  private readonly cards = new Map<string, HTMLLIElement>();
  private readonly list: HTMLUListElement;
  private readonly empty: HTMLElement;
  private readonly latest: HTMLElement;
  private readonly notifyControls: HTMLElement;
  private readonly ageTimer: number;
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly me: Me,
    private readonly api: Api,
    conn: Connection,
    private readonly announcer: Announcer,
  ) {
    const headingId = uid('alerts-heading');
    this.list = h('ul', { class: 'alert-list', 'aria-label': 'Open alerts' });
    this.empty = h('p', { class: 'empty-alerts' }, 'No open alerts. New ones appear here, with a sound and a notification.');
    this.latest = h('p', { class: 'latest-alert', hidden: true });
    this.notifyControls = h('div', { class: 'notify-controls' });
    this.element = h(
      'section',
      { class: 'oncall-view', 'aria-labelledby': headingId },
      h('div', { class: 'oncall-head' }, h('h2', { id: headingId }, 'Open alerts'), this.notifyControls),
      this.latest,
      this.empty,
      this.list,
    );
    this.renderNotifyControls();
    this.off.push(
      conn.frames.on((f) => this.handle(f)),
      conn.state.on((s) => {
        if (s === 'connected') void this.reconcile();
      }),
    );
    this.ageTimer = window.setInterval(() => this.refreshAges(), 30_000);
  }

  dispose(): void {
    this.off.forEach((o) => o());
    window.clearInterval(this.ageTimer);
  }

  private handle(f: ServerFrame): void {
    if (f.type === 'alert') {
      this.upsert(f.incident, true);
    } else if (f.type === 'notice' && f.kind === 'coverage_gap') {
      // No health information in this notice: a rota problem the on-call person should know of.
      this.latest.hidden = false;
      this.latest.textContent = 'On-call coverage has a gap: nobody is scheduled for part of the rota. Please tell the clinic lead.';
      this.announcer.say(this.latest.textContent, true);
    }
  }

  /**
   * After each (re)connect the server re-sends open alerts; the REST list also drops those
   * resolved by a colleague while this tab was away.
   */
  private async reconcile(): Promise<void> {
    try {
      const r = await this.api.get<IncidentList>('/api/incidents?state=open');
      const open = new Set(r.incidents.map((i) => i.id));
      for (const id of [...this.incidents.keys()]) if (!open.has(id)) this.remove(id);
      r.incidents.forEach((i) => this.upsert(i, true));
    } catch (e) {
      // The socket still delivers every open alert on connect; only stale ones may linger.
      if (!(e instanceof ApiError)) throw e;
    }
  }

  private upsert(incident: Incident, announce: boolean): void {
    if (incident.state === 'resolved') {
      this.remove(incident.id);
      return;
    }
    const isNew = !this.incidents.has(incident.id);
    this.incidents.set(incident.id, incident);
    this.render();
    if (isNew && announce && incident.state === 'triggered') this.announce(incident);
  }

  private remove(id: string): void {
    if (!this.incidents.delete(id)) return;
    this.cards.get(id)?.remove();
    this.cards.delete(id);
    this.render();
  }

  private announce(i: Incident): void {
    const text = `New ${i.severity} alert`;
    this.latest.hidden = false;
    this.latest.textContent = `${text} at ${messageTime(i.openedAt, this.me.user.timeZone)}: ${i.clientName}.`;
    this.announcer.say(`${text}: ${i.clientName}, ${triggerText(i)}.`, i.severity !== 'WATCH');
    chime(i.severity);
    if ('Notification' in window && Notification.permission === 'granted') {
      try {
        // No health information: the lock screen may be seen by anyone.
        new Notification('Interlude', { body: text, tag: i.id });
      } catch {
        // Some platforms only allow notifications from a service worker; the page still alerts.
      }
    }
  }

  private sorted(): Incident[] {
    return [...this.incidents.values()].sort(
      (a, b) =>
        Number(a.state !== 'triggered') - Number(b.state !== 'triggered') ||
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        a.openedAt.localeCompare(b.openedAt),
    );
  }

  private render(): void {
    const incidents = this.sorted();
    this.empty.hidden = incidents.length > 0;
    let previous: Element | null = null;
    for (const i of incidents) {
      let card = this.cards.get(i.id);
      if (!card) {
        card = h('li', { class: 'alert-card' });
        this.cards.set(i.id, card);
      }
      // Only changed cards are rebuilt, so focus on another card's button survives a new alert.
      const signature = JSON.stringify(i);
      if (card.dataset.signature !== signature) {
        card.dataset.signature = signature;
        this.fill(card, i);
      }
      const want: ChildNode | null = previous ? previous.nextSibling : this.list.firstChild;
      if (want !== card) this.list.insertBefore(card, want);
      previous = card;
    }
    this.countChanged.emit(incidents.length);
  }

  private fill(card: HTMLLIElement, i: Incident): void {
    const sev = i.severity.toLowerCase();
    card.className = `alert-card sev-${sev} state-${i.state}`;
    card.dataset.incident = i.id;
    const nameId = uid('alert-name');
    const error = h('p', { class: 'form-error', role: 'alert' });
    const acknowledged = i.state === 'acknowledged';
    const ack = h('button', { type: 'button', class: 'primary', onclick: () => void this.acknowledge(i, ack, error) }, 'Acknowledge');
    replace(
      card,
      h(
        'article',
        { 'aria-labelledby': nameId },
        h(
          'p',
          { class: 'alert-meta' },
          h('span', { class: `badge sev-${sev}` }, i.severity),
          ' ',
          h('span', { class: 'alert-state' }, acknowledged ? 'Acknowledged' : 'Waiting for acknowledgement'),
        ),
        h('h3', { id: nameId, class: 'alert-client' }, i.clientName),
        h('p', { class: 'alert-trigger' }, triggerText(i)),
        h(
          'p',
          { class: 'alert-age' },
          'Opened ',
          h('time', { datetime: i.openedAt, class: 'age' }, age(i.openedAt)),
          ` (${messageTime(i.openedAt, this.me.user.timeZone)})`,
        ),
        i.unansweredAt && !acknowledged
          ? h(
              'p',
              { class: 'alert-unanswered' },
              `Nobody acknowledged it through the whole escalation chain (by ${messageTime(i.unansweredAt, this.me.user.timeZone)}). The client was told to call the crisis line.`,
            )
          : null,
        acknowledged && i.acknowledgedBy
          ? h(
              'p',
              { class: 'alert-ack' },
              `Acknowledged by ${i.acknowledgedBy}` +
                (i.acknowledgedAt ? ` at ${messageTime(i.acknowledgedAt, this.me.user.timeZone)}` : ''),
            )
          : null,
        h(
          'div',
          { class: 'alert-actions' },
          acknowledged ? null : ack,
          h('button', { type: 'button', class: acknowledged ? 'primary' : 'secondary', onclick: () => this.resolve(i) }, 'Resolve'),
        ),
        error,
      ),
    );
  }

  private refreshAges(): void {
    for (const t of this.list.querySelectorAll<HTMLTimeElement>('time.age')) t.textContent = age(t.dateTime);
  }

  private async acknowledge(i: Incident, button: HTMLButtonElement, error: HTMLElement): Promise<void> {
    button.disabled = true;
    try {
      const updated = await this.api.post<Incident | undefined>(`/api/incidents/${encodeURIComponent(i.id)}/ack`);
      const current = this.incidents.get(i.id);
      if (!current) return;
      this.upsert(
        updated && updated.id === i.id
          ? updated
          : { ...current, state: 'acknowledged', acknowledgedBy: this.me.user.displayName, acknowledgedAt: new Date().toISOString() },
        false,
      );
      this.cards.get(i.id)?.querySelector<HTMLButtonElement>('.alert-actions button')?.focus();
    } catch (e) {
      error.textContent = (e as Error).message;
      button.disabled = false;
    }
  }

  private resolve(i: Incident): void {
    const titleId = uid('resolve-title');
    const noteId = uid('resolve-note');
    const errorEl = h('p', { class: 'form-error', role: 'alert' });
    const radios = DISPOSITIONS.map((d) => h('input', { type: 'radio', name: 'disposition', value: d, id: uid('disp') }));
    const note = h('textarea', { id: noteId, rows: 4, maxlength: 2000, required: true });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Resolve alert');
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId },
      h(
        'form',
        {
          novalidate: true,
          onsubmit: (e: Event) => {
            e.preventDefault();
            void this.submitResolve(i, dialog, radios, note, errorEl, submit);
          },
        },
        h('h2', { id: titleId }, `Resolve alert for ${i.clientName}`),
        h(
          'fieldset',
          { class: 'item' },
          h('legend', null, 'Disposition'),
          h(
            'div',
            { class: 'options' },
            radios.map((r, n) => h('label', { for: r.id, class: 'option' }, r, h('span', null, DISPOSITION_LABELS[DISPOSITIONS[n]]))),
          ),
        ),
        h('div', { class: 'field' }, h('label', { for: noteId }, 'Note'), note),
        errorEl,
        h(
          'div',
          { class: 'dialog-actions' },
          h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, 'Cancel'),
          submit,
        ),
      ),
    );
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
    radios[0].focus();
  }

  private async submitResolve(
    i: Incident,
    dialog: HTMLDialogElement,
    radios: HTMLInputElement[],
    note: HTMLTextAreaElement,
    errorEl: HTMLElement,
    submit: HTMLButtonElement,
  ): Promise<void> {
    const chosen = radios.find((r) => r.checked);
    if (!chosen) {
      errorEl.textContent = 'Choose a disposition.';
      radios[0].focus();
      return;
    }
    if (!note.value.trim()) {
      errorEl.textContent = 'Write a short note about what was done.';
      note.focus();
      return;
    }
    submit.disabled = true;
    try {
      await this.api.post(`/api/incidents/${encodeURIComponent(i.id)}/resolve`, {
        disposition: chosen.value as Disposition,
        note: note.value.trim(),
      });
      dialog.close();
      this.remove(i.id);
      this.announcer.say(`Alert for ${i.clientName} resolved.`);
    } catch (e) {
      errorEl.textContent = (e as Error).message;
      submit.disabled = false;
    }
  }

  private renderNotifyControls(): void {
    if (!('Notification' in window)) {
      replace(this.notifyControls);
      return;
    }
    if (Notification.permission === 'default') {
      replace(
        this.notifyControls,
        h(
          'button',
          {
            type: 'button',
            class: 'secondary small',
            onclick: () => void Notification.requestPermission().then(() => this.renderNotifyControls()),
          },
          'Turn on desktop notifications',
        ),
      );
    } else if (Notification.permission === 'denied') {
      replace(this.notifyControls, h('p', { class: 'hint' }, 'Desktop notifications are blocked in this browser’s settings.'));
    } else {
      replace(this.notifyControls, h('p', { class: 'hint' }, 'Desktop notifications are on.'));
    }
  }
}
