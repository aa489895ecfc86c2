// Always on the client's screen: the "I need help now" button, the clinic's staffed hours, the
// crisis lines of the clinic's country and the plain statement that this chat is not watched
// around the clock. After the button is pressed, what is happening is told in an alert region,
// and every state that is not "someone has seen it" ends with where to get help right now.

import type { Clinic, CrisisInfo, IncidentStatus } from '../protocol';
import { h, replace, uid, type Child } from '../ui/dom';
import { messageTime } from '../ui/time';
import { linesFor, telHref, type CountryLines } from './lines';
import type { CrisisService, CrisisState } from './service';

export class CrisisPanel {
  readonly element: HTMLElement;
  private readonly alert: HTMLElement;
  private readonly lines: HTMLElement;
  private readonly clinicHours: string;
  private readonly local: CountryLines | null;
  private readonly off: () => void;

  constructor(
    crisis: CrisisService,
    clinic: Clinic,
    private readonly timeZone: string,
  ) {
    this.local = linesFor(clinic.country);
    this.clinicHours = clinic.staffedHours;
    const headingId = uid('crisis-heading');
    this.alert = h('div', { role: 'alert', class: 'crisis-alert' });
    this.lines = this.linesList();
    this.element = h(
      'section',
      { class: 'crisis', 'aria-labelledby': headingId },
      h('h2', { id: headingId }, 'Need help now?'),
      h(
        'div',
        { class: 'crisis-main' },
        h('button', { type: 'button', class: 'help-button', onclick: () => crisis.report() }, 'I need help now'),
        h(
          'div',
          { class: 'crisis-facts' },
          h('p', null, 'The button tells the on-call clinician. ', h('strong', null, 'This chat is not monitored around the clock.')),
          h('p', null, h('span', { class: 'line-name' }, 'Staffed hours:'), ' ', withStop(clinic.staffedHours)),
        ),
      ),
      this.lines,
      this.alert,
    );
    this.off = crisis.changed.on((s) => this.render(s));
    this.render(crisis.state);
  }

  dispose(): void {
    this.off();
  }

  private linesList(): HTMLElement {
    if (!this.local) {
      return h('p', { class: 'crisis-lines' }, 'If you are in immediate danger, call your local emergency number.');
    }
    return h(
      'ul',
      { class: 'crisis-lines', 'aria-label': 'Crisis lines' },
      this.local.lines.map((l) =>
        h('li', null, h('span', { class: 'line-name' }, l.name), ' ', actions(l.actions.map((a) => h('a', { href: a.href }, a.text)))),
      ),
      h(
        'li',
        null,
        h('span', { class: 'line-name' }, 'Emergency'),
        ' ',
        h('a', { href: telHref(this.local.emergency) }, `Call ${this.local.emergency}`),
      ),
    );
  }

  private render(s: CrisisState): void {
    this.alert.dataset.state = s.kind;
    this.alert.classList.toggle('active', s.kind !== 'idle');
    // Once the server has answered, its own list (in the alert) replaces the built-in one.
    this.lines.hidden = s.kind === 'notified';
    switch (s.kind) {
      case 'idle':
        replace(this.alert);
        break;
      case 'sending':
        replace(
          this.alert,
          h(
            'p',
            { class: 'crisis-headline' },
            s.connected
              ? 'Telling the on-call clinician…'
              : 'You are not connected, so the clinic cannot be told through the app yet. We will keep trying.',
          ),
          h('p', null, this.callNow()),
        );
        break;
      case 'no-answer':
        replace(
          this.alert,
          h('p', { class: 'crisis-headline' }, 'We could not confirm that the on-call clinician was told.'),
          h('p', null, this.callNow()),
        );
        break;
      case 'failed':
        replace(
          this.alert,
          h('p', { class: 'crisis-headline' }, 'We could not reach the on-call clinician through the app.'),
          h('p', null, this.callNow()),
        );
        break;
      case 'notified':
        replace(this.alert, ...this.notified(s.info, s.status));
        break;
    }
  }

  private notified(info: CrisisInfo, status?: IncidentStatus): Child[] {
    const emergency = status?.emergencyNumber ?? info.emergencyNumber;
    const lines = status?.lines ?? info.lines;
    const out: Child[] = [];
    if (info.callEmergencyNow) {
      out.push(
        h('p', { class: 'crisis-headline' }, withStop(info.message)),
        h('p', null, h('a', { class: 'call-now', href: telHref(emergency) }, `Call ${emergency} now`)),
      );
    } else {
      out.push(h('p', { class: 'crisis-headline' }, withStop(info.message)));
    }
    if (status?.state === 'acknowledged') {
      const who = status.acknowledgedBy ?? 'A clinician';
      out.push(h('p', { class: 'crisis-ack' }, `${who} has seen your message at ${messageTime(status.at, this.timeZone)}.`));
    } else if (status?.state === 'unanswered') {
      out.push(h('p', { class: 'crisis-headline' }, withStop(status.message)));
    }
    out.push(
      h(
        'ul',
        { class: 'crisis-lines' },
        lines.map((l) => h('li', null, h('span', { class: 'line-name' }, l.name), ' ', l.contact)),
        h('li', null, h('span', { class: 'line-name' }, 'Emergency'), ' ', h('a', { href: telHref(emergency) }, `Call ${emergency}`)),
      ),
      // The hours are already shown above the alert; repeat them only if the server's differ.
      info.staffedHours === this.clinicHours
        ? null
        : h('p', null, h('span', { class: 'line-name' }, 'Staffed hours:'), ' ', withStop(info.staffedHours)),
    );
    return out;
  }

  /** Where to turn right now, from the clinic's own country list. */
  private callNow(): string {
    if (!this.local) return 'If you are in immediate danger, call your local emergency number now.';
    const first = this.local.lines[0];
    const how = first.actions.map((a) => lowerFirst(a.text)).join(' or ');
    return `Please reach out now: ${first.name}, ${how}. If you are in immediate danger, call ${this.local.emergency}.`;
  }
}

function actions(links: HTMLAnchorElement[]): Child[] {
  return links.flatMap((a, i) => (i === 0 ? [a] : [' or ', a]));
}

/** "Call 988" -> "call 988", for use mid-sentence (action texts start with a verb). */
function lowerFirst(s: string): string {
  return s.length === 0 ? s : s[0].toLowerCase() + s.slice(1);
}

function withStop(s: string): string {
  return /[.!?]$/.test(s) ? s : s + '.';
}
