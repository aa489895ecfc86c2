// The plan editor's state and its conversion to and from the API's PlanStep. The form edits text
// (what the inputs hold); a step is rebuilt from that text on save. A step the therapist did not
// touch converts back to exactly what the server sent, so saving a plan never changes a step by
// accident (the server dates each changed step's definition from the moment of saving).
// Checks here are only what is needed to build a request; the server validates the rest
// (ranges, a reminder before expiry) and names the field, which fieldTarget maps to a control.

import { DAYS_OF_WEEK, type CheckinPlan, type DayOfWeek, type PlanStep, type PromptPath, type QuietHours, type StepAnchor } from '../protocol';

export type AnchorKind = StepAnchor['type'];

export interface StepDraft {
  /** Local identity for element ids; not sent. */
  key: string;
  /** The step's stable id; null until a new step is saved. */
  stepId: string | null;
  kind: AnchorKind;
  /** doseDay: whole days from the dose, with direction. */
  days: string;
  direction: 'before' | 'after';
  /** doseDay and weekly: "HH:MM" on the client's clock. */
  time: string;
  dayOfWeek: DayOfWeek;
  /** afterDoseStart: hours after the dose starts (decimals allowed). */
  hoursAfter: string;
  instruments: string[];
  /** Hours; empty for no reminder. */
  reminderHours: string;
  expiresHours: string;
  path: PromptPath;
  message: string;
}

/** The controls of a step, as server errors and local checks name them. */
export type StepControl =
  | 'kind'
  | 'days'
  | 'time'
  | 'dayOfWeek'
  | 'hoursAfter'
  | 'instruments'
  | 'reminder'
  | 'expires'
  | 'path'
  | 'message';

export interface StepProblem {
  /** null: the step as a whole. */
  control: StepControl | null;
  message: string;
}

export interface QuietDraft {
  none: boolean;
  start: string;
  end: string;
}

export type QuietControl = 'quietStart' | 'quietEnd';

/** Labels of the controls, as shown in the form and in error messages. */
export const CONTROL_LABELS: Record<StepControl | QuietControl, string> = {
  kind: 'When',
  days: 'Days',
  time: 'Time of day',
  dayOfWeek: 'Day of the week',
  hoursAfter: 'Hours after dose start',
  instruments: 'Instruments',
  reminder: 'Reminder after (hours)',
  expires: 'Expires after (hours)',
  path: 'Delivery',
  message: 'Note shown with the prompt',
  quietStart: 'Quiet hours start',
  quietEnd: 'Quiet hours end',
};

/** The default plan's quiet hours, as the server sets them (ClientPlan.defaults). */
export const DEFAULT_QUIET: QuietHours = { start: '22:00', end: '08:00' };
const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const NUMBER = /^-?\d+(?:[.,]\d+)?$/;

/** Hours as text, exactly (90 min is "1.5"). */
export function minutesToHours(minutes: number): string {
  return String(minutes / 60);
}

/** Whole minutes from hours as typed ("1.5" or "1,5"), or null when it is not a number. */
export function hoursToMinutes(text: string): number | null {
  const t = text.trim();
  if (!NUMBER.test(t)) return null;
  return Math.round(Number(t.replace(',', '.')) * 60);
}

export function draftFromStep(step: PlanStep, key: string): StepDraft {
  const d = newDraft(key);
  d.stepId = step.stepId;
  d.kind = step.anchor.type;
  const a = step.anchor;
  if (a.type === 'doseDay') {
    d.days = String(Math.abs(a.dayOffset));
    d.direction = a.dayOffset < 0 ? 'before' : 'after';
    d.time = a.localTime;
  } else if (a.type === 'afterDoseStart') {
    d.hoursAfter = minutesToHours(a.offsetMinutes);
  } else {
    d.dayOfWeek = a.dayOfWeek;
    d.time = a.localTime;
  }
  d.instruments = [...step.instruments];
  d.reminderHours = step.reminderAfterMinutes === undefined ? '' : minutesToHours(step.reminderAfterMinutes);
  d.expiresHours = minutesToHours(step.expiresAfterMinutes);
  d.path = step.path ?? 'routine';
  d.message = step.message ?? '';
  return d;
}

/** A new step: the day after each dose at 10:00, reminded after 4 h, open for a day, routine. */
export function newDraft(key: string): StepDraft {
  return {
    key,
    stepId: null,
    kind: 'doseDay',
    days: '1',
    direction: 'after',
    time: '10:00',
    dayOfWeek: 'monday',
    hoursAfter: '3',
    instruments: [],
    reminderHours: '4',
    expiresHours: '24',
    path: 'routine',
    message: '',
  };
}

function anchorFromDraft(d: StepDraft, problems: StepProblem[]): StepAnchor | null {
  if (d.kind === 'afterDoseStart') {
    const minutes = hoursToMinutes(d.hoursAfter);
    if (minutes === null) problems.push({ control: 'hoursAfter', message: 'Enter the hours after dose start as a number, for example 3 or 1.5.' });
    return minutes === null ? null : { type: 'afterDoseStart', offsetMinutes: minutes };
  }
  const time = d.time.trim();
  if (!TIME.test(time)) problems.push({ control: 'time', message: 'Enter a time of day, for example 10:00.' });
  if (d.kind === 'weekly') {
    if (!(DAYS_OF_WEEK as readonly string[]).includes(d.dayOfWeek)) problems.push({ control: 'dayOfWeek', message: 'Choose a day of the week.' });
    return { type: 'weekly', dayOfWeek: d.dayOfWeek, localTime: time };
  }
  const daysText = d.days.trim();
  if (!/^\d+$/.test(daysText)) {
    problems.push({ control: 'days', message: 'Enter a whole number of days, 0 for the dose day.' });
    return null;
  }
  const n = Number(daysText);
  return { type: 'doseDay', dayOffset: d.direction === 'before' && n !== 0 ? -n : n, localTime: time };
}

/**
 * The API step for a draft, or what stops it being one. A new step gets its id from
 * {@code newId}; an existing step keeps its own (its history belongs to it).
 */
export function stepFromDraft(d: StepDraft, newId: (anchor: StepAnchor) => string): { step: PlanStep } | { problems: StepProblem[] } {
  const problems: StepProblem[] = [];
  const anchor = anchorFromDraft(d, problems);
  if (d.instruments.length === 0) problems.push({ control: 'instruments', message: 'Choose at least one instrument.' });
  let reminder: number | undefined;
  if (d.reminderHours.trim() !== '') {
    const m = hoursToMinutes(d.reminderHours);
    if (m === null) problems.push({ control: 'reminder', message: 'Enter the reminder time in hours, or leave it empty for no reminder.' });
    else reminder = m;
  }
  const expires = hoursToMinutes(d.expiresHours);
  if (expires === null) problems.push({ control: 'expires', message: 'Enter how many hours the check-in stays open.' });
  if (problems.length > 0 || anchor === null || expires === null) return { problems };
  const step: PlanStep = {
    stepId: d.stepId ?? newId(anchor),
    instruments: [...d.instruments],
    anchor,
  } as PlanStep;
  if (reminder !== undefined) step.reminderAfterMinutes = reminder;
  step.expiresAfterMinutes = expires;
  step.path = d.path;
  if (d.message.trim() !== '') step.message = d.message;
  return { step };
}

/**
 * A new step id: readable ("d+3", "d0+180m", "weekly.monday") plus a random suffix, since a step
 * id is part of every prompt's identity and must never be reused for a different step.
 */
export function newStepId(anchor: StepAnchor, random: () => string = randomSuffix): string {
  let base: string;
  if (anchor.type === 'doseDay') base = anchor.dayOffset === 0 ? 'd0' : anchor.dayOffset > 0 ? `d+${anchor.dayOffset}` : `d${anchor.dayOffset}`;
  else if (anchor.type === 'afterDoseStart') base = `d0${anchor.offsetMinutes < 0 ? '-' : '+'}${Math.abs(anchor.offsetMinutes)}m`;
  else base = `weekly.${anchor.dayOfWeek}`;
  return `${base}.custom-${random()}`;
}

function randomSuffix(): string {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return Array.from(words, (w) => w.toString(36)).join('');
}

export function quietDraft(q: QuietHours): QuietDraft {
  return q.start === q.end ? { none: true, ...DEFAULT_QUIET } : { none: false, start: q.start, end: q.end };
}

export function quietFromDraft(d: QuietDraft): { quietHours: QuietHours } | { problems: { control: QuietControl; message: string }[] } {
  if (d.none) return { quietHours: { start: '00:00', end: '00:00' } };
  const problems: { control: QuietControl; message: string }[] = [];
  if (!TIME.test(d.start.trim())) problems.push({ control: 'quietStart', message: 'Enter when quiet hours start, for example 22:00.' });
  if (!TIME.test(d.end.trim())) problems.push({ control: 'quietEnd', message: 'Enter when quiet hours end, for example 08:00.' });
  return problems.length > 0 ? { problems } : { quietHours: { start: d.start.trim(), end: d.end.trim() } };
}

/** The body of putCheckinPlan. */
export function planBody(plan: CheckinPlan, quietHours: QuietHours, steps: PlanStep[]): Pick<CheckinPlan, 'planId' | 'quietHours' | 'steps'> {
  return { planId: plan.planId, quietHours, steps };
}

export interface FieldTarget {
  /** Index into the steps sent, or null for the plan as a whole. */
  step: number | null;
  control: StepControl | QuietControl | null;
}

const STEP_FIELDS: Record<string, StepControl> = {
  anchor: 'kind',
  'anchor.type': 'kind',
  'anchor.dayOffset': 'days',
  'anchor.localTime': 'time',
  'anchor.dayOfWeek': 'dayOfWeek',
  'anchor.offsetMinutes': 'hoursAfter',
  instruments: 'instruments',
  reminderAfterMinutes: 'reminder',
  expiresAfterMinutes: 'expires',
  path: 'path',
  message: 'message',
};

/**
 * Where a server error's field points. The plan's own checks say "steps[2].anchor.localTime";
 * the request schema says "steps.2.anchor.localTime"; both name the same control.
 */
export function fieldTarget(field: string | undefined): FieldTarget {
  if (!field) return { step: null, control: null };
  const f = field.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  if (f.startsWith('quietHours')) return { step: null, control: f === 'quietHours.end' ? 'quietEnd' : 'quietStart' };
  const m = /^steps\[(\d+)\](?:\.(.+))?$/.exec(f);
  if (!m) return { step: null, control: null };
  const rest = (m[2] ?? '').replace(/\[\d+\]$/, '');
  return { step: Number(m[1]), control: STEP_FIELDS[rest] ?? null };
}

/** Said for a request the schema refused: its wording is the validator's, not a clinician's. */
const SCHEMA_PROBLEMS: Record<StepControl | QuietControl, string> = {
  kind: 'Choose when the check-in is due.',
  days: 'Enter a number of days from 0 to 366.',
  time: 'Enter a time of day, for example 10:00.',
  dayOfWeek: 'Choose a day of the week.',
  hoursAfter: 'Enter the hours after dose start, at most 366 days (8784 hours).',
  instruments: 'Choose between one and ten instruments.',
  reminder: 'Enter a reminder from 1 minute to 366 days (8784 hours), or leave it empty for none.',
  expires: 'Enter how long the check-in stays open, from 1 minute to 366 days (8784 hours).',
  path: 'Choose routine or crisis path.',
  message: 'The note can be at most 500 characters.',
  quietStart: 'Enter when quiet hours start, for example 22:00.',
  quietEnd: 'Enter when quiet hours end, for example 08:00.',
};

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A server error as shown beside its control. The plan's own checks (invalid_plan) are worded to
 * be shown: the field's code name is replaced by the control's label, and the step id prefix is
 * dropped (where the message stands already names the step). The schema's (invalid_request) are
 * replaced by the control's own wording.
 */
export function problemText(code: string, message: string, field: string | undefined, target: FieldTarget, stepId: string | null): string {
  if (code === 'invalid_request' && target.control) return SCHEMA_PROBLEMS[target.control];
  let text = message.trim();
  if (stepId) text = text.replace(new RegExp(`^${escapeRegExp(stepId)}: `, 'i'), '');
  if (field && target.control) text = text.replace(new RegExp(escapeRegExp(field), 'gi'), CONTROL_LABELS[target.control]);
  return text.length === 0 ? text : text[0].toUpperCase() + text.slice(1);
}
