// One pending check-in as a form named by the instrument's title. Choice, yes/no and scale
// items are radio groups (a fieldset and legend each), so they work by keyboard and read well;
// a scale is a row of numbered radios rather than a slider, which would start on an answer the
// person never gave. Answers are never logged or stored outside the form.

import type { Answer, CheckinPrompt, InstrumentItem } from '../protocol';
import { h, uid, type Child } from '../ui/dom';
import { dateTime } from '../ui/time';

export interface FormOptions {
  /** Sends the answers; returns false when not connected. */
  submit: (answers: Record<string, Answer>) => boolean;
  /** The step's message (repeated by the server on each of its prompts) is shown on the first only. */
  showMessage: boolean;
}

interface ItemUi {
  item: InstrumentItem;
  error: HTMLElement;
  focusTarget: () => HTMLElement | null;
  read: () => Answer | undefined;
}

export class CheckinForm {
  readonly element: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly items: ItemUi[] = [];
  private readonly formError: HTMLElement;
  private readonly submitButton: HTMLButtonElement;
  private waiting = false;

  constructor(
    readonly prompt: CheckinPrompt,
    timeZone: string,
    private readonly options: FormOptions,
  ) {
    const ins = prompt.instrument;
    const titleId = uid('checkin-title');
    this.formError = h('p', { class: 'form-error', role: 'alert' });
    this.submitButton = h('button', { type: 'submit', class: 'primary' }, 'Submit check-in');
    const itemEls = ins.items.map((item, i) => this.renderItem(item, i + 1, ins.items.length > 1));
    this.form = h(
      'form',
      { class: 'checkin', 'aria-labelledby': titleId, novalidate: true, onsubmit: (e: Event) => this.onSubmit(e) },
      h('h3', { id: titleId }, ins.title),
      h('p', { class: 'due' }, `Please answer by ${dateTime(prompt.expiresAt, timeZone)}.`),
      prompt.message && options.showMessage ? h('p', null, prompt.message) : null,
      h('p', { class: 'stem' }, ins.stem),
      ins.instructions ? h('p', null, ins.instructions) : null,
      itemEls,
      this.formError,
      h('div', { class: 'form-actions' }, this.submitButton),
    );
    this.element = this.form;
  }

  /** The server accepted the answers: the form is replaced by a thank-you. */
  accepted(): HTMLElement {
    this.waiting = false;
    return h(
      'div',
      { class: 'checkin-done', role: 'status' },
      h('p', null, `Thank you. Your ${this.prompt.instrument.title} answers were sent to your care team.`),
    );
  }

  /** The prompt expired or was withdrawn: the form is replaced by a note saying so. */
  closed(): HTMLElement {
    this.waiting = false;
    return h(
      'div',
      { class: 'checkin-closed', role: 'status' },
      h('p', null, `The ${this.prompt.instrument.title} check-in has closed. Your care team will send a new one when it is due.`),
    );
  }

  /** The server refused the answers (per item, or as a whole). */
  rejected(message: string, problems: { itemId: string; message: string }[] = []): void {
    this.waiting = false;
    this.submitButton.disabled = false;
    for (const ui of this.items) ui.error.textContent = '';
    let first: ItemUi | undefined;
    for (const p of problems) {
      const ui = this.items.find((i) => i.item.id === p.itemId);
      if (ui) {
        ui.error.textContent = p.message;
        first ??= ui;
      }
    }
    this.formError.textContent = problems.length ? 'Some answers need another look.' : message;
    first?.focusTarget()?.focus();
  }

  /** No answer from the server in time. */
  timedOut(): void {
    if (!this.waiting) return;
    this.rejected('The server did not confirm your answers. They are still here; please submit again.');
  }

  private onSubmit(e: Event): void {
    e.preventDefault();
    if (this.waiting) return;
    const answers: Record<string, Answer> = {};
    let firstMissing: ItemUi | undefined;
    for (const ui of this.items) {
      const v = ui.read();
      ui.error.textContent = '';
      if (v === undefined || v === '') {
        if (ui.item.required) {
          ui.error.textContent = 'Please answer this question.';
          firstMissing ??= ui;
        }
      } else {
        answers[ui.item.id] = v;
      }
    }
    if (firstMissing) {
      this.formError.textContent = 'Some questions still need an answer.';
      firstMissing.focusTarget()?.focus();
      return;
    }
    this.formError.textContent = '';
    if (!this.options.submit(answers)) {
      this.formError.textContent =
        'You are not connected right now. Your answers are still here; submit again when the status says Connected.';
      return;
    }
    this.waiting = true;
    this.submitButton.disabled = true;
  }

  private renderItem(item: InstrumentItem, n: number, numbered: boolean): HTMLElement {
    const errorId = uid('item-error');
    const error = h('p', { class: 'field-error', id: errorId });
    const label: Child = numbered ? [h('span', { class: 'item-number' }, `${n}. `), item.text] : item.text;
    if (item.type === 'text') {
      const id = uid('item');
      const area = h('textarea', {
        id,
        name: item.id,
        rows: 4,
        maxlength: item.maxLength ?? 4000,
        'aria-describedby': errorId,
        'aria-required': item.required ? 'true' : null,
      });
      this.items.push({ item, error, focusTarget: () => area, read: () => area.value.trim() || undefined });
      return h('div', { class: 'item' }, h('label', { for: id, class: 'item-text' }, label), area, error);
    }
    const name = uid('q-' + item.id);
    const choices = choicesOf(item);
    const radios = choices.map((c) => h('input', { type: 'radio', name, value: c.key, id: uid('opt') }));
    const legendId = uid('legend');
    const fieldset = h(
      'fieldset',
      {
        class: `item ${item.type === 'scale' ? 'scale' : ''}`,
        role: 'radiogroup',
        'aria-labelledby': legendId,
        'aria-describedby': errorId,
        'aria-required': item.required ? 'true' : null,
      },
      h('legend', { id: legendId, class: 'item-text' }, label),
      h(
        'div',
        { class: 'options' },
        choices.map((c, i) => h('label', { for: radios[i].id, class: 'option' }, radios[i], h('span', null, c.label))),
      ),
      error,
    );
    this.items.push({
      item,
      error,
      focusTarget: () => radios.find((r) => r.checked) ?? radios[0] ?? null,
      read: () => {
        const checked = radios.find((r) => r.checked);
        return checked ? choices.find((c) => c.key === checked.value)?.value : undefined;
      },
    });
    return fieldset;
  }
}

interface Choice {
  key: string;
  label: string;
  value: Answer;
}

function choicesOf(item: InstrumentItem): Choice[] {
  if (item.type === 'boolean') {
    return [
      { key: 'true', label: 'Yes', value: true },
      { key: 'false', label: 'No', value: false },
    ];
  }
  if (item.type === 'scale') {
    const min = item.min ?? 0;
    const max = item.max ?? 10;
    const out: Choice[] = [];
    for (let v = min; v <= max; v += 1) {
      // The end labels are part of the accessible name of the end values.
      const end = v === min ? item.minLabel : v === max ? item.maxLabel : undefined;
      out.push({ key: String(v), label: end ? `${v} (${end})` : String(v), value: v });
    }
    return out;
  }
  return (item.options ?? []).map((o) => ({ key: String(o.value), label: o.label, value: o.value }));
}
