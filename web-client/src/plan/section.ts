// A client's check-in plan on the therapist's dashboard: the plan in force in words (default or
// adjusted, quiet hours, each step), "Edit check-in plan", which swaps the words for the editor
// until it is saved or cancelled, and, for an adjusted plan, "Reset to default plan" after a
// confirmation. Who may read or change the plan, and the audit trail, are the server's; a refusal
// is said here in words.

import { recordProblem, type Api } from '../api';
import type { CheckinPlan } from '../protocol';
import { confirmDialog } from '../ui/dialog';
import { h, replace, uid } from '../ui/dom';
import { dateTime } from '../ui/time';
import { describeQuietHours, hasQuietHours, keepUnits, stepWords } from './describe';
import { PlanEditor, type PlanBody } from './editor';
import { changeRefused, resetQuestion } from './reset';

export class PlanSection {
  readonly element: HTMLElement;
  private readonly view: HTMLElement;
  private readonly editButton: HTMLButtonElement;
  private readonly resetButton: HTMLButtonElement;
  private readonly resetError: HTMLElement;
  private readonly editorSlot: HTMLElement;
  private readonly saved: HTMLElement;
  private plan: CheckinPlan | null = null;
  private editor: PlanEditor | null = null;
  private disposed = false;

  constructor(
    private readonly api: Api,
    private readonly clientId: string,
    /** The client's time zone, when the server named it: plan times are on the client's clock. */
    private readonly clientTimeZone: string | undefined,
    /** The therapist's time zone, for when the plan was changed. */
    private readonly timeZone: string,
    /** The plan was saved or reset: the client's upcoming check-ins changed. */
    private readonly onChange: () => void,
  ) {
    const headingId = uid('plan-heading');
    this.view = h('div', { class: 'plan-view' }, h('p', { class: 'loading' }, 'Loading the check-in plan…'));
    this.editButton = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => this.openEditor() }, 'Edit check-in plan');
    this.resetButton = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => void this.reset() }, 'Reset to default plan');
    this.resetError = h('p', { class: 'form-error', role: 'alert' });
    this.editorSlot = h('div', { class: 'plan-editor-slot' });
    this.saved = h('p', { role: 'status', class: 'saved' });
    this.element = h(
      'section',
      { class: 'checkin-plan', 'aria-labelledby': headingId },
      h('h3', { id: headingId }, 'Check-in plan'),
      this.view,
      h('div', { class: 'plan-actions' }, this.editButton, this.resetButton),
      this.resetError,
      this.editorSlot,
      this.saved,
    );
    void this.load();
  }

  dispose(): void {
    this.disposed = true;
  }

  private path(): string {
    return `/api/clients/${encodeURIComponent(this.clientId)}/plan`;
  }

  private async load(): Promise<void> {
    try {
      const plan = await this.api.get<CheckinPlan>(this.path());
      if (!this.disposed) this.show(plan);
    } catch (e) {
      if (this.disposed) return;
      this.plan = null;
      this.showActions();
      replace(
        this.view,
        h('p', { class: 'notice' }, `The check-in plan could not be loaded. ${recordProblem(e)}`),
        h('button', { type: 'button', class: 'secondary small', onclick: () => void this.load() }, 'Try again'),
      );
    }
  }

  private show(plan: CheckinPlan): void {
    this.plan = plan;
    const clock = this.clientTimeZone ? `the client’s clock (${this.clientTimeZone})` : 'the client’s own clock';
    const q = plan.quietHours;
    replace(
      this.view,
      h(
        'p',
        { class: 'plan-kind' },
        h('span', { class: `badge ${plan.custom ? 'plan-custom' : 'plan-default'}` }, plan.custom ? 'Adjusted' : 'Default'),
        ' ',
        plan.custom ? 'Adjusted for this client' : 'Default integration plan',
        plan.custom && plan.updatedAt ? `, changed ${dateTime(plan.updatedAt, this.timeZone)}` : '',
      ),
      h('p', { class: 'hint' }, `Times are on ${clock}.`),
      h(
        'p',
        { class: 'plan-quiet' },
        describeQuietHours(q),
        hasQuietHours(q)
          ? `: routine check-ins due then wait until ${q.end}.`
          : ': routine check-ins are sent at any hour.',
      ),
      h(
        'ol',
        { class: 'plan-steps' },
        plan.steps.map((s) => {
          const w = stepWords(s);
          return h(
            'li',
            null,
            h('span', { class: 'step-when' }, keepUnits(w.when)),
            ` — ${w.instruments}`,
            h('span', { class: 'step-details' }, keepUnits(w.details.map((d) => ` · ${d}`).join(''))),
            s.message ? h('span', { class: 'step-message' }, `Note shown: “${s.message}”`) : null,
          );
        }),
      ),
    );
    this.showActions();
  }

  /** Edit while a plan is shown and no editor is open; reset only an adjusted plan. */
  private showActions(): void {
    const idle = this.plan !== null && this.editor === null;
    this.editButton.hidden = !idle;
    this.resetButton.hidden = !idle || !this.plan?.custom;
  }

  private openEditor(): void {
    if (!this.plan || this.editor) return;
    this.saved.textContent = '';
    this.resetError.textContent = '';
    const editor = new PlanEditor({
      plan: this.plan,
      save: (body) => this.save(body),
      close: (saved) => this.closeEditor(saved),
    });
    this.editor = editor;
    this.view.hidden = true;
    this.showActions();
    replace(this.editorSlot, editor.element);
    editor.focus();
  }

  private async save(body: PlanBody): Promise<void> {
    const plan = await this.api.put<CheckinPlan>(this.path(), body);
    if (this.disposed) return;
    this.show(plan);
    this.onChange();
  }

  private closeEditor(saved: boolean): void {
    this.editor = null;
    replace(this.editorSlot);
    this.view.hidden = false;
    this.showActions();
    this.saved.textContent = saved ? 'Check-in plan saved. Changes apply to future check-ins only.' : '';
    this.editButton.focus();
  }

  private async reset(): Promise<void> {
    if (!this.plan || this.editor || this.resetButton.disabled) return;
    this.saved.textContent = '';
    this.resetError.textContent = '';
    if (!(await confirmDialog(resetQuestion(this.plan)))) return;
    this.resetButton.disabled = true;
    try {
      const plan = await this.api.delete<CheckinPlan>(this.path());
      if (this.disposed) return;
      this.show(plan);
      this.onChange();
      this.saved.textContent = 'Check-in plan reset to the default integration plan. Changes apply to future check-ins only.';
      // The reset button is gone with the adjusted plan: the keyboard stays in the section.
      this.editButton.focus();
    } catch (err) {
      if (!this.disposed) this.resetError.textContent = changeRefused(err, 'reset');
    } finally {
      this.resetButton.disabled = false;
    }
  }
}
