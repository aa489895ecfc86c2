// A check-in plan in words, as a clinician would say it: "2 days before each dose, 10:00 — PHQ-9,
// GAD-7, WHO-5 · reminder after 24 h · expires after 48 h · routine". Pure functions, no DOM.

import type { PlanStep, QuietHours, StepAnchor } from '../protocol';
import { instrumentTitle } from './instruments';

const DAY_NAMES: Record<string, string> = {
  monday: 'Monday',
  tuesday: 'Tuesday',
  wednesday: 'Wednesday',
  thursday: 'Thursday',
  friday: 'Friday',
  saturday: 'Saturday',
  sunday: 'Sunday',
};

export const CRISIS_PATH_TEXT = 'crisis path (never delayed by quiet hours)';
export const ROUTINE_TEXT = 'routine';

/** "45 min", "3 h", "1 h 30 min", "48 h", "4 days" (whole days from 3 days up), for elapsed durations. */
export function formatMinutes(minutes: number): string {
  const m = Math.abs(Math.round(minutes));
  if (m < 60) return `${m} min`;
  if (m >= 3 * 1440 && m % 1440 === 0) return `${m / 1440} days`;
  const hours = Math.floor(m / 60);
  const rest = m % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

function days(n: number): string {
  return n === 1 ? '1 day' : `${n} days`;
}

export function dayName(day: string): string {
  return DAY_NAMES[day] ?? day;
}

/** When a step is due: "2 days before each dose, 10:00", "3 h after dose start", "Every Monday 10:00". */
export function describeWhen(anchor: StepAnchor): string {
  switch (anchor.type) {
    case 'doseDay':
      if (anchor.dayOffset === 0) return `On each dose day, ${anchor.localTime}`;
      return anchor.dayOffset < 0
        ? `${days(-anchor.dayOffset)} before each dose, ${anchor.localTime}`
        : `${days(anchor.dayOffset)} after each dose, ${anchor.localTime}`;
    case 'afterDoseStart':
      if (anchor.offsetMinutes === 0) return 'At dose start';
      return anchor.offsetMinutes > 0
        ? `${formatMinutes(anchor.offsetMinutes)} after dose start`
        : `${formatMinutes(-anchor.offsetMinutes)} before dose start`;
    case 'weekly':
      return `Every ${dayName(anchor.dayOfWeek)} ${anchor.localTime}`;
  }
}

export interface StepWords {
  when: string;
  /** Instrument titles, in the step's order. */
  instruments: string;
  /** "reminder after 24 h", "expires after 48 h", "routine". */
  details: string[];
}

export function stepWords(step: PlanStep, title: (id: string) => string = instrumentTitle): StepWords {
  const details: string[] = [];
  if (step.reminderAfterMinutes !== undefined) details.push(`reminder after ${formatMinutes(step.reminderAfterMinutes)}`);
  details.push(`expires after ${formatMinutes(step.expiresAfterMinutes)}`);
  details.push(step.path === 'crisis_path' ? CRISIS_PATH_TEXT : ROUTINE_TEXT);
  return { when: describeWhen(step.anchor), instruments: step.instruments.map(title).join(', '), details };
}

/** The whole step in one line. */
export function describeStep(step: PlanStep, title: (id: string) => string = instrumentTitle): string {
  const w = stepWords(step, title);
  return [`${w.when} — ${w.instruments}`, ...w.details].join(' · ');
}

/** The text with each number kept on one line with its unit ("24 h", "4 days"), for display. */
export function keepUnits(text: string): string {
  return text.replace(/(\d) (h|min|days?)\b/g, '$1\u00a0$2');
}

export function hasQuietHours(q: QuietHours): boolean {
  return q.start !== q.end;
}

/** "Quiet hours 22:00–08:00" or "No quiet hours". */
export function describeQuietHours(q: QuietHours): string {
  return hasQuietHours(q) ? `Quiet hours ${q.start}–${q.end}` : 'No quiet hours';
}
