// The client's pending check-ins. Prompts arrive on connect (every open one), live, and again as
// reminders; the same prompt arriving again keeps its form and whatever was already chosen in it.
// Forms are ordered by due time and their position within a plan step, and leave at expiry.

import { capitalise } from '../api';
import type { Channel } from '../connection';
import { telHref } from '../crisis/lines';
import type { CheckinAccepted, CheckinPrompt, ErrorFrame, ServerFrame } from '../protocol';
import { h, uid } from '../ui/dom';
import { Emitter } from '../ui/emitter';
import { CheckinForm } from './form';

const ANSWER_TIMEOUT_MS = 15_000;

export class CheckinSection {
  readonly element: HTMLElement;
  /** Titles of the check-ins still waiting for answers. */
  readonly waiting = new Emitter<string[]>();
  private readonly list: HTMLElement;
  private readonly answered = new Set<string>();
  private readonly forms = new Map<string, { form: CheckinForm; slot: HTMLElement; timers: ReturnType<typeof setTimeout>[] }>();
  private readonly off: () => void;

  constructor(
    private readonly conn: Channel,
    private readonly timeZone: string,
    /** The clinic's emergency number, for answers that report an emergency. */
    private readonly emergencyNumber: string | null,
  ) {
    const headingId = uid('checkins-heading');
    this.list = h('div', { class: 'checkin-list' });
    this.element = h(
      'section',
      { class: 'checkins', id: 'checkins', tabindex: '-1', 'aria-labelledby': headingId, hidden: true },
      h('h2', { id: headingId }, 'Check-ins'),
      h(
        'p',
        { class: 'hint' },
        'Your answers go to your care team. They are not read around the clock: if you need help now, use “I need help now”.',
      ),
      this.list,
    );
    this.off = conn.frames.on((f) => this.handle(f));
  }

  dispose(): void {
    this.off();
    for (const f of this.forms.values()) f.timers.forEach((t) => clearTimeout(t));
  }

  private handle(f: ServerFrame): void {
    if (f.type === 'checkin.prompt') this.add(f);
    else if (f.type === 'checkin.accepted') this.accepted(f);
    else if (f.type === 'error' && f.ref?.startsWith('k:')) this.rejected(f.ref.slice(2), f);
  }

  private add(prompt: CheckinPrompt): void {
    if (this.forms.has(prompt.promptId)) return;
    const timers: ReturnType<typeof setTimeout>[] = [];
    const sameStep = (p: CheckinPrompt) =>
      p.stepId !== undefined && p.stepId === prompt.stepId && p.occurrenceKey === prompt.occurrenceKey;
    const form = new CheckinForm(prompt, this.timeZone, {
      showMessage: ![...this.forms.values()].some((f) => sameStep(f.form.prompt) && !this.answered.has(f.form.prompt.promptId)),
      submit: (answers) => {
        const sent = this.conn.send({ type: 'checkin.submit', ref: 'k:' + prompt.promptId, promptId: prompt.promptId, answers });
        if (sent) timers.push(setTimeout(() => form.timedOut(), ANSWER_TIMEOUT_MS));
        return sent;
      },
    });
    const slot = h('div', { class: 'checkin-slot' }, form.element);
    slot.dataset.order = `${prompt.dueAt}|${String(prompt.position ?? 0).padStart(4, '0')}`;
    const untilExpiry = new Date(prompt.expiresAt).getTime() - Date.now();
    // setTimeout cannot wait longer than ~24.8 days; prompts close long before that.
    if (untilExpiry < 2 ** 31 - 1) timers.push(setTimeout(() => this.close(prompt.promptId), Math.max(0, untilExpiry)));
    this.forms.set(prompt.promptId, { form, slot, timers });
    const next = [...this.list.children].find((el) => ((el as HTMLElement).dataset.order ?? '') > slot.dataset.order!);
    this.list.insertBefore(slot, next ?? null);
    this.element.hidden = false;
    this.emitWaiting();
  }

  /** Expired or withdrawn: the form gives way to a note and no longer counts as waiting. */
  private close(promptId: string): void {
    const entry = this.forms.get(promptId);
    if (!entry || this.answered.has(promptId)) return;
    entry.timers.forEach((t) => clearTimeout(t));
    entry.slot.replaceChildren(entry.form.closed());
    this.answered.add(promptId);
    this.emitWaiting();
  }

  private emitWaiting(): void {
    this.waiting.emit(
      [...this.forms.entries()].filter(([id]) => !this.answered.has(id)).map(([, f]) => f.form.prompt.instrument.title),
    );
  }

  private accepted(f: CheckinAccepted): void {
    const entry = this.forms.get(f.promptId);
    if (!entry) return;
    entry.timers.forEach((t) => clearTimeout(t));
    entry.slot.replaceChildren(entry.form.accepted());
    if (f.clientAction === 'call_emergency_number_now') {
      // Said here at once, whether or not the crisis information follows.
      const number = this.emergencyNumber;
      entry.slot.prepend(
        h(
          'div',
          { role: 'alert', class: 'checkin-emergency' },
          h('p', { class: 'crisis-headline' }, 'Your answers suggest you may need emergency help.'),
          number
            ? h('p', null, h('a', { class: 'call-now', href: telHref(number) }, `Call ${number} now`))
            : h('p', null, 'Call your local emergency number now.'),
        ),
      );
    }
    this.answered.add(f.promptId);
    this.emitWaiting();
  }

  private rejected(promptId: string, f: ErrorFrame): void {
    const entry = this.forms.get(promptId);
    if (!entry) return;
    if (f.code === 'prompt_closed') {
      this.close(promptId);
      return;
    }
    entry.form.rejected(
      capitalise(f.message),
      (f.problems ?? []).map((p) => ({ itemId: p.itemId, message: capitalise(p.message) })),
    );
  }
}
