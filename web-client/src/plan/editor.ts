// The check-in plan editor: quiet hours, and each step's timing, instruments, reminder, expiry
// and delivery path. One form for the whole plan, saved with one PUT; every step keeps its
// controls in the page (hidden until "Change"), so any problem, found here or named by the
// server, is shown beside its control and listed in an alert summary above the steps.

import { ApiError } from '../api';
import { DAYS_OF_WEEK, type CheckinPlan, type PlanStep, type PromptPath } from '../protocol';
import { confirmDialog } from '../ui/dialog';
import { h, replace, uid } from '../ui/dom';
import { dayName, describeStep, keepUnits } from './describe';
import {
  CONTROL_LABELS,
  draftFromStep,
  fieldTarget,
  newDraft,
  newStepId,
  planBody,
  problemText,
  quietDraft,
  quietFromDraft,
  stepFromDraft,
  type AnchorKind,
  type QuietControl,
  type QuietDraft,
  type StepControl,
  type StepDraft,
} from './editor-state';
import { instrumentTitle, KNOWN_INSTRUMENTS } from './instruments';
import { changeRefused } from './reset';

export type PlanBody = ReturnType<typeof planBody>;

export interface PlanEditorOptions {
  plan: CheckinPlan;
  /** Sends the plan; rejects with the server's ApiError. */
  save: (body: PlanBody) => Promise<void>;
  /** The editor is done (saved or cancelled); the owner removes it. */
  close: (saved: boolean) => void;
}

interface Problem {
  /** The draft's key, or null for the plan as a whole. */
  stepKey: string | null;
  control: StepControl | QuietControl | null;
  message: string;
}

interface ControlRef {
  focus: () => void;
  /** Elements that get aria-invalid. */
  marks: HTMLElement[];
  error: HTMLElement;
}

const KIND_LABELS: Record<AnchorKind, string> = {
  doseDay: 'Days before or after each dose, at a time of day',
  afterDoseStart: 'Hours after each dose starts',
  weekly: 'Every week, on a day and time',
};

const PATH_LABELS: Record<PromptPath, string> = {
  routine: 'Routine: waits until quiet hours end',
  crisis_path: 'Crisis path: never delayed by quiet hours',
};

export class PlanEditor {
  readonly element: HTMLFormElement;
  private readonly heading: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly stepsList: HTMLOListElement;
  private readonly status: HTMLElement;
  private readonly submit: HTMLButtonElement;
  private readonly addButton: HTMLButtonElement;
  private readonly quiet: QuietDraft;
  private drafts: StepDraft[];
  private readonly expanded = new Set<string>();
  private readonly controls = new Map<string, ControlRef>();
  private readonly initial: string;
  private saving = false;

  constructor(private readonly o: PlanEditorOptions) {
    this.quiet = quietDraft(o.plan.quietHours);
    this.drafts = o.plan.steps.map((s) => draftFromStep(s, uid('step')));
    this.initial = this.snapshot();
    const headingId = uid('plan-editor-heading');
    this.heading = h('h4', { id: headingId, tabindex: '-1' }, 'Edit check-in plan');
    this.summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' });
    this.stepsList = h('ol', { class: 'plan-step-edits' });
    this.status = h('p', { class: 'sr-only', role: 'status' });
    this.submit = h('button', { type: 'submit', class: 'primary' }, 'Save check-in plan');
    this.addButton = h('button', { type: 'button', class: 'secondary', onclick: () => this.add() }, 'Add a step');
    this.element = h(
      'form',
      { class: 'plan-editor', 'aria-labelledby': headingId, novalidate: true, onsubmit: (e: Event) => void this.save(e) },
      this.heading,
      h(
        'p',
        { class: 'notice' },
        'Changes apply to future check-ins only: check-ins already sent, answered or missed stay as they were.',
      ),
      this.summary,
      this.quietFields(),
      h('h5', { class: 'steps-heading' }, 'Steps'),
      this.stepsList,
      this.addButton,
      this.status,
      h(
        'div',
        { class: 'form-actions' },
        this.submit,
        h('button', { type: 'button', class: 'secondary', onclick: () => void this.cancel() }, 'Cancel'),
      ),
    );
    this.renderSteps();
  }

  /** Puts the keyboard focus on the editor's heading (after it is attached). */
  focus(): void {
    this.heading.focus();
  }

  private snapshot(): string {
    return JSON.stringify({ quiet: this.quiet, steps: this.drafts.map((d) => ({ ...d, key: undefined })) });
  }

  // ------------------------------------------------------------------ quiet hours

  private quietFields(): HTMLElement {
    const none = h('input', {
      type: 'checkbox',
      checked: this.quiet.none,
      onchange: () => {
        this.quiet.none = none.checked;
        times.hidden = none.checked;
      },
    });
    const start = h('input', { type: 'time', value: this.quiet.start, oninput: () => (this.quiet.start = start.value) });
    const end = h('input', { type: 'time', value: this.quiet.end, oninput: () => (this.quiet.end = end.value) });
    const times = h(
      'div',
      { class: 'inline-fields', hidden: this.quiet.none },
      this.field('plan:quietStart', CONTROL_LABELS.quietStart, start),
      this.field('plan:quietEnd', CONTROL_LABELS.quietEnd, end),
    );
    return h(
      'fieldset',
      { class: 'plan-group' },
      h('legend', null, 'Quiet hours'),
      h('p', { class: 'hint' }, 'On the client’s clock. Routine check-ins due during quiet hours wait until they end; crisis-path check-ins are never delayed.'),
      h('label', { class: 'option check' }, none, 'No quiet hours'),
      times,
    );
  }

  // ------------------------------------------------------------------ steps

  private renderSteps(): void {
    for (const key of [...this.controls.keys()]) if (!key.startsWith('plan:')) this.controls.delete(key);
    replace(
      this.stepsList,
      this.drafts.map((d, i) => this.stepBlock(d, i)),
    );
    if (this.drafts.length === 0) this.stepsList.append(h('li', { class: 'hint' }, 'No steps. Add a step: a plan needs at least one.'));
  }

  private draftText(d: StepDraft): string {
    const r = stepFromDraft(d, () => 'new');
    return 'step' in r ? keepUnits(describeStep(r.step)) : 'Not complete yet: choose its timing and at least one instrument.';
  }

  private stepBlock(d: StepDraft, index: number): HTMLElement {
    const n = index + 1;
    const controlsId = `${d.key}-controls`;
    const summary = h('p', { class: 'step-summary' }, this.draftText(d));
    const changed = () => (summary.textContent = this.draftText(d));
    const open = this.expanded.has(d.key);
    const toggle = h(
      'button',
      {
        type: 'button',
        class: 'secondary small',
        'aria-expanded': String(open),
        'aria-controls': controlsId,
        'aria-label': `Change step ${n}`,
        onclick: () => this.expand(d.key, !this.expanded.has(d.key)),
      },
      'Change',
    );
    const stepError = h('p', { class: 'field-error' });
    this.controls.set(`${d.key}:step`, { focus: () => toggle.focus(), marks: [], error: stepError });

    // When: the anchor kind, then the fields that kind needs.
    const days = h('input', { type: 'number', min: '0', max: '366', step: '1', inputmode: 'numeric', value: d.days, oninput: () => ((d.days = days.value), changed()) });
    const direction = h(
      'select',
      { onchange: () => ((d.direction = direction.value as StepDraft['direction']), changed()) },
      h('option', { value: 'before', selected: d.direction === 'before' }, 'Before the dose'),
      h('option', { value: 'after', selected: d.direction === 'after' }, 'After the dose'),
    );
    const hoursAfter = h('input', { type: 'number', step: 'any', inputmode: 'decimal', value: d.hoursAfter, oninput: () => ((d.hoursAfter = hoursAfter.value), changed()) });
    const dayOfWeek = h(
      'select',
      { onchange: () => ((d.dayOfWeek = dayOfWeek.value as StepDraft['dayOfWeek']), changed()) },
      DAYS_OF_WEEK.map((day) => h('option', { value: day, selected: d.dayOfWeek === day }, dayName(day))),
    );
    const time = h('input', { type: 'time', value: d.time, oninput: () => ((d.time = time.value), changed()) });
    const doseDayFields = h(
      'div',
      { class: 'inline-fields' },
      this.field(`${d.key}:days`, CONTROL_LABELS.days, days),
      this.field(null, 'Before or after the dose', direction),
    );
    const afterFields = this.field(`${d.key}:hoursAfter`, CONTROL_LABELS.hoursAfter, hoursAfter);
    const weeklyFields = this.field(`${d.key}:dayOfWeek`, CONTROL_LABELS.dayOfWeek, dayOfWeek);
    const timeField = this.field(`${d.key}:time`, CONTROL_LABELS.time, time, 'On the client’s clock.');
    const showKind = () => {
      doseDayFields.hidden = d.kind !== 'doseDay';
      afterFields.hidden = d.kind !== 'afterDoseStart';
      weeklyFields.hidden = d.kind !== 'weekly';
      timeField.hidden = d.kind === 'afterDoseStart';
    };
    showKind();
    const kind = this.radios(`${d.key}:kind`, CONTROL_LABELS.kind, Object.entries(KIND_LABELS), d.kind, (v) => {
      d.kind = v as AnchorKind;
      showKind();
      changed();
    });

    // What: the instruments, in catalog order, plus any the catalog list here does not know.
    const ids = [...KNOWN_INSTRUMENTS.map((i) => i.id), ...d.instruments.filter((id) => !KNOWN_INSTRUMENTS.some((k) => k.id === id))];
    const boxes = ids.map((id) => {
      const about = KNOWN_INSTRUMENTS.find((k) => k.id === id)?.about;
      const box: HTMLInputElement = h('input', {
        type: 'checkbox',
        value: id,
        checked: d.instruments.includes(id),
        onchange: () => {
          d.instruments = box.checked ? [...d.instruments.filter((x) => x !== id), id] : d.instruments.filter((x) => x !== id);
          changed();
        },
      });
      return h('label', { class: 'option check' }, box, h('span', null, instrumentTitle(id), about ? h('span', { class: 'option-note' }, ` (${about})`) : null));
    });
    const instruments = this.group(`${d.key}:instruments`, CONTROL_LABELS.instruments, boxes, () => boxes[0]?.querySelector('input')?.focus());

    const reminder = h('input', { type: 'number', min: '0', step: 'any', inputmode: 'decimal', value: d.reminderHours, oninput: () => ((d.reminderHours = reminder.value), changed()) });
    const expires = h('input', { type: 'number', min: '0', step: 'any', inputmode: 'decimal', value: d.expiresHours, oninput: () => ((d.expiresHours = expires.value), changed()) });
    const path = this.radios(`${d.key}:path`, CONTROL_LABELS.path, Object.entries(PATH_LABELS), d.path, (v) => {
      d.path = v as PromptPath;
      changed();
    });
    const message = h('textarea', { rows: 2, maxlength: '500', oninput: () => ((d.message = message.value), changed()) });
    message.value = d.message;

    const controls = h(
      'div',
      { id: controlsId, class: 'step-controls', hidden: !open },
      kind,
      doseDayFields,
      afterFields,
      weeklyFields,
      timeField,
      instruments,
      h(
        'div',
        { class: 'inline-fields' },
        this.field(`${d.key}:reminder`, CONTROL_LABELS.reminder, reminder, 'Empty for no reminder.'),
        this.field(`${d.key}:expires`, CONTROL_LABELS.expires, expires, 'Then it counts as missed.'),
      ),
      path,
      this.field(`${d.key}:message`, `${CONTROL_LABELS.message} (optional)`, message),
    );
    return h(
      'li',
      { class: 'plan-step-edit', 'data-key': d.key },
      h(
        'fieldset',
        { class: 'step-fieldset' },
        h('legend', null, `Step ${n}`),
        summary,
        stepError,
        h(
          'div',
          { class: 'step-buttons' },
          toggle,
          h('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove step ${n}`, onclick: () => this.remove(d) }, 'Remove'),
        ),
        controls,
      ),
    );
  }

  /** A labelled input with an optional hint and its error line; registered under key for problems. */
  private field(key: string | null, label: string, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
    const id = uid('plan-field');
    input.id = id;
    const error = h('p', { class: 'field-error', id: `${id}-error` });
    const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
    input.setAttribute('aria-describedby', [hintEl ? `${id}-hint` : '', `${id}-error`].join(' ').trim());
    if (key) this.controls.set(key, { focus: () => input.focus(), marks: [input], error });
    return h('div', { class: 'field' }, h('label', { for: id }, label), hintEl, input, error);
  }

  /** Choices in a fieldset; the error line sits under the legend. */
  private group(key: string, legend: string, options: HTMLElement[], focus: () => void): HTMLElement {
    const error = h('p', { class: 'field-error' });
    this.controls.set(key, { focus, marks: [], error });
    return h('fieldset', { class: 'plan-group' }, h('legend', null, legend), error, h('div', { class: 'options' }, options));
  }

  private radios(key: string, legend: string, choices: [string, string][], value: string, set: (v: string) => void): HTMLElement {
    const name = uid('plan-radio');
    const inputs = choices.map(([v]) => h('input', { type: 'radio', name, value: v, checked: v === value, onchange: () => set(v) }));
    return this.group(
      key,
      legend,
      choices.map(([, label], i) => h('label', { class: 'option' }, inputs[i], label)),
      () => (inputs.find((i) => i.checked) ?? inputs[0]).focus(),
    );
  }

  private expand(key: string, open: boolean): void {
    if (open) this.expanded.add(key);
    else this.expanded.delete(key);
    const li = this.stepsList.querySelector<HTMLElement>(`li[data-key="${key}"]`);
    if (!li) return;
    li.querySelector<HTMLElement>('.step-controls')!.hidden = !open;
    li.querySelector('button[aria-expanded]')?.setAttribute('aria-expanded', String(open));
  }

  private add(): void {
    const d = newDraft(uid('step'));
    this.drafts.push(d);
    this.expanded.add(d.key);
    this.renderSteps();
    this.controls.get(`${d.key}:kind`)?.focus();
    this.status.textContent = `Step ${this.drafts.length} added.`;
  }

  private remove(d: StepDraft): void {
    const index = this.drafts.indexOf(d);
    this.drafts = this.drafts.filter((x) => x !== d);
    this.expanded.delete(d.key);
    this.renderSteps();
    // Focus stays in the list: the step that took its place, else the one before, else "Add a step".
    const next = this.drafts[Math.min(index, this.drafts.length - 1)];
    if (next) this.controls.get(`${next.key}:step`)?.focus();
    else this.addButton.focus();
    this.status.textContent = `Step ${index + 1} removed. Save the plan to apply it.`;
  }

  // ------------------------------------------------------------------ save and cancel

  private async cancel(): Promise<void> {
    if (this.snapshot() !== this.initial) {
      const discard = await confirmDialog({
        title: 'Discard changes?',
        body: 'Your changes to the check-in plan have not been saved.',
        confirm: 'Discard changes',
        cancel: 'Keep editing',
      });
      if (!discard) return;
    }
    this.o.close(false);
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    if (this.saving) return;
    this.clearProblems();
    const problems: Problem[] = [];
    const quiet = quietFromDraft(this.quiet);
    if ('problems' in quiet) problems.push(...quiet.problems.map((p) => ({ stepKey: null, control: p.control, message: p.message })));
    const steps: PlanStep[] = [];
    for (const d of this.drafts) {
      // A new step's id is kept once made, so a retried save cannot add the step twice.
      const r = stepFromDraft(d, (anchor) => (d.stepId = newStepId(anchor)));
      if ('problems' in r) problems.push(...r.problems.map((p) => ({ stepKey: d.key, control: p.control, message: p.message })));
      else steps.push(r.step);
    }
    if (this.drafts.length === 0) {
      problems.push({ stepKey: null, control: null, message: 'A plan needs at least one step. Add a step, or cancel to keep the plan as it was.' });
    }
    if (problems.length > 0 || 'problems' in quiet) {
      this.showProblems(problems);
      return;
    }
    this.saving = true;
    this.submit.disabled = true;
    this.status.textContent = 'Saving the check-in plan…';
    try {
      await this.o.save(planBody(this.o.plan, quiet.quietHours, steps));
      this.o.close(true);
    } catch (err) {
      this.status.textContent = '';
      this.showProblems([this.serverProblem(err)]);
    } finally {
      this.saving = false;
      this.submit.disabled = false;
    }
  }

  private serverProblem(err: unknown): Problem {
    if (err instanceof ApiError && (err.code === 'invalid_plan' || err.code === 'invalid_request') && err.field) {
      const target = fieldTarget(err.field);
      // Indices in the server's field are those of the steps sent: the drafts, in order.
      const d = target.step === null ? undefined : this.drafts[target.step];
      return { stepKey: d?.key ?? null, control: target.control, message: problemText(err.code, err.message, err.field, target, d?.stepId ?? null) };
    }
    return { stepKey: null, control: null, message: changeRefused(err, 'saved') };
  }

  private clearProblems(): void {
    for (const ref of this.controls.values()) {
      ref.error.textContent = '';
      ref.marks.forEach((m) => m.removeAttribute('aria-invalid'));
    }
    replace(this.summary);
  }

  private showProblems(problems: Problem[]): void {
    const items = problems.map((p) => {
      const key = p.stepKey === null ? `plan:${p.control}` : `${p.stepKey}:${p.control ?? 'step'}`;
      const ref = this.controls.get(key) ?? (p.stepKey === null ? undefined : this.controls.get(`${p.stepKey}:step`));
      if (p.stepKey !== null) this.expand(p.stepKey, true);
      if (ref) {
        ref.error.textContent = ref.error.textContent ? `${ref.error.textContent} ${p.message}` : p.message;
        ref.marks.forEach((m) => m.setAttribute('aria-invalid', 'true'));
      }
      const index = this.drafts.findIndex((d) => d.key === p.stepKey);
      const where = [index >= 0 ? `Step ${index + 1}` : null, p.control ? CONTROL_LABELS[p.control] : null].filter(Boolean).join(', ');
      const text = where ? `${where}: ${p.message}` : p.message;
      return h('li', null, ref ? h('button', { type: 'button', class: 'link-button', onclick: () => ref.focus() }, text) : text);
    });
    replace(
      this.summary,
      h('p', { class: 'error-summary-title' }, problems.length === 1 ? 'The plan was not saved: one thing needs a change.' : `The plan was not saved: ${problems.length} things need a change.`),
      h('ul', null, items),
    );
    this.summary.focus();
  }
}
