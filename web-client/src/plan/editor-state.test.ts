import { describe, expect, it } from 'vitest';
import type { PlanStep } from '../protocol';
import { defaultPlan } from '../testing/default-plan';
import {
  draftFromStep,
  fieldTarget,
  hoursToMinutes,
  newDraft,
  newStepId,
  problemText,
  quietDraft,
  quietFromDraft,
  stepFromDraft,
} from './editor-state';

const noNewIds = (): string => {
  throw new Error('an existing step keeps its id');
};

function built(result: ReturnType<typeof stepFromDraft>): PlanStep {
  if (!('step' in result)) throw new Error(JSON.stringify(result.problems));
  return result.step;
}

describe('draftFromStep and stepFromDraft', () => {
  it('give back every step of the default plan exactly, so an untouched step is never changed by a save', () => {
    for (const step of defaultPlan().steps) {
      expect(built(stepFromDraft(draftFromStep(step, 'k'), noNewIds))).toEqual(step);
    }
  });

  it('turn the form fields of each anchor kind into the API anchor', () => {
    const d = newDraft('k');
    d.instruments = ['pulse'];
    d.days = '2';
    d.direction = 'before';
    d.time = '09:30';
    expect(built(stepFromDraft(d, () => 'id')).anchor).toEqual({ type: 'doseDay', dayOffset: -2, localTime: '09:30' });
    d.days = '0';
    expect(built(stepFromDraft(d, () => 'id')).anchor).toEqual({ type: 'doseDay', dayOffset: 0, localTime: '09:30' });
    d.kind = 'afterDoseStart';
    d.hoursAfter = '1,5';
    expect(built(stepFromDraft(d, () => 'id')).anchor).toEqual({ type: 'afterDoseStart', offsetMinutes: 90 });
    d.kind = 'weekly';
    d.dayOfWeek = 'friday';
    expect(built(stepFromDraft(d, () => 'id')).anchor).toEqual({ type: 'weekly', dayOfWeek: 'friday', localTime: '09:30' });
  });

  it('builds a new step with a fresh id, no reminder when left empty, and no blank note', () => {
    const d = newDraft('k');
    d.instruments = ['who5', 'phq9'];
    d.reminderHours = ' ';
    d.expiresHours = '48';
    d.path = 'crisis_path';
    d.message = '   ';
    expect(built(stepFromDraft(d, (a) => newStepId(a, () => 'abc')))).toEqual({
      stepId: 'd+1.custom-abc',
      instruments: ['who5', 'phq9'],
      anchor: { type: 'doseDay', dayOffset: 1, localTime: '10:00' },
      expiresAfterMinutes: 2880,
      path: 'crisis_path',
    });
  });

  it('names each control that cannot become part of a request', () => {
    const d = newDraft('k');
    d.time = '';
    d.reminderHours = 'soon';
    d.expiresHours = '';
    const r = stepFromDraft(d, () => 'id');
    expect('problems' in r && r.problems.map((p) => p.control)).toEqual(['time', 'instruments', 'reminder', 'expires']);
    d.days = '-1';
    const days = stepFromDraft(d, () => 'id');
    expect('problems' in days && days.problems.map((p) => p.control)).toContain('days');
  });
});

describe('newStepId', () => {
  it('is readable and matches the API pattern', () => {
    const ids = [
      newStepId({ type: 'doseDay', dayOffset: -3, localTime: '10:00' }),
      newStepId({ type: 'doseDay', dayOffset: 0, localTime: '10:00' }),
      newStepId({ type: 'afterDoseStart', offsetMinutes: 240 }),
      newStepId({ type: 'weekly', dayOfWeek: 'sunday', localTime: '10:00' }),
    ];
    expect(ids.map((id) => id.replace(/custom-.*$/, 'custom-'))).toEqual([
      'd-3.custom-',
      'd0.custom-',
      'd0+240m.custom-',
      'weekly.sunday.custom-',
    ]);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9][a-z0-9.+_-]{0,63}$/);
    expect(new Set([1, 2, 3].map(() => newStepId({ type: 'afterDoseStart', offsetMinutes: 1 }))).size).toBe(3);
  });
});

describe('hoursToMinutes', () => {
  it('reads whole and decimal hours, and refuses anything else', () => {
    expect(['3', '0.25', '1,5', '-2', '96'].map(hoursToMinutes)).toEqual([180, 15, 90, -120, 5760]);
    expect(['', 'three', '1.', '1e3'].map(hoursToMinutes)).toEqual([null, null, null, null]);
  });
});

describe('quiet hours', () => {
  it('shows "no quiet hours" for equal ends and sends midnight to midnight for it', () => {
    expect(quietDraft({ start: '00:00', end: '00:00' })).toEqual({ none: true, start: '22:00', end: '08:00' });
    expect(quietFromDraft({ none: true, start: '22:00', end: '08:00' })).toEqual({ quietHours: { start: '00:00', end: '00:00' } });
    expect(quietFromDraft({ none: false, start: '21:00', end: '07:30' })).toEqual({ quietHours: { start: '21:00', end: '07:30' } });
    expect(quietFromDraft({ none: false, start: '', end: '7' })).toEqual({
      problems: [
        { control: 'quietStart', message: expect.any(String) },
        { control: 'quietEnd', message: expect.any(String) },
      ],
    });
  });
});

describe('server errors', () => {
  it('point at the control the field names, in either spelling', () => {
    expect(fieldTarget('steps[2].anchor.localTime')).toEqual({ step: 2, control: 'time' });
    expect(fieldTarget('steps.2.reminderAfterMinutes')).toEqual({ step: 2, control: 'reminder' });
    expect(fieldTarget('steps[0].instruments')).toEqual({ step: 0, control: 'instruments' });
    expect(fieldTarget('steps.0.instruments.1')).toEqual({ step: 0, control: 'instruments' });
    expect(fieldTarget('steps[11].anchor.offsetMinutes')).toEqual({ step: 11, control: 'hoursAfter' });
    expect(fieldTarget('steps[4]')).toEqual({ step: 4, control: null });
    expect(fieldTarget('quietHours.end')).toEqual({ step: null, control: 'quietEnd' });
    expect(fieldTarget('steps')).toEqual({ step: null, control: null });
    expect(fieldTarget(undefined)).toEqual({ step: null, control: null });
  });

  it('are worded for the form', () => {
    const f = 'steps[2].anchor.localTime';
    expect(problemText('invalid_plan', 'Steps[2].anchor.localTime must be a local time HH:MM', f, fieldTarget(f), 'd+1.pulse')).toBe(
      'Time of day must be a local time HH:MM',
    );
    expect(problemText('invalid_plan', 'D+1.pulse: an instrument is listed twice', 'steps[2]', fieldTarget('steps[2]'), 'd+1.pulse')).toBe(
      'An instrument is listed twice',
    );
    const s = 'steps.1.expiresAfterMinutes';
    expect(problemText('invalid_request', 'Invalid value for steps.1.expiresAfterMinutes: …', s, fieldTarget(s), null)).toMatch(
      /^Enter how long the check-in stays open/,
    );
  });
});
