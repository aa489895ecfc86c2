// The default integration plan as getCheckinPlan sends it (server: DefaultPlans.integration()),
// for unit tests of the plan's wording and the editor's round trip.

import type { CheckinPlan } from '../protocol';

const daily = (stepId: string, day: number, instruments: string[]) => ({
  stepId,
  instruments,
  anchor: { type: 'doseDay' as const, dayOffset: day, localTime: '10:00' },
  reminderAfterMinutes: 240,
  expiresAfterMinutes: 1440,
  path: 'routine' as const,
});

export function defaultPlan(): CheckinPlan {
  return {
    planId: 'integration.v1',
    custom: false,
    quietHours: { start: '22:00', end: '08:00' },
    steps: [
      {
        stepId: 'd-2.baseline',
        instruments: ['phq9', 'gad7', 'who5'],
        anchor: { type: 'doseDay', dayOffset: -2, localTime: '10:00' },
        reminderAfterMinutes: 1440,
        expiresAfterMinutes: 2880,
        path: 'routine',
        message: 'Your dosing session is in two days. Please confirm who will drive you home afterwards: you must not drive until the next day after sleep.',
      },
      {
        stepId: 'd0.postdose',
        instruments: ['postdose'],
        anchor: { type: 'afterDoseStart', offsetMinutes: 180 },
        reminderAfterMinutes: 60,
        expiresAfterMinutes: 720,
        path: 'crisis_path',
        message: 'Reminder: do not drive until tomorrow after sleep.',
      },
      daily('d+1.postdose-pulse', 1, ['postdose', 'pulse']),
      daily('d+2.pulse-journal', 2, ['pulse', 'journal']),
      daily('d+3.pulse', 3, ['pulse']),
      daily('d+4.pulse', 4, ['pulse']),
      daily('d+5.pulse', 5, ['pulse']),
      daily('d+6.pulse', 6, ['pulse']),
      {
        stepId: 'd+7.followup',
        instruments: ['phq9', 'gad7', 'who5'],
        anchor: { type: 'doseDay', dayOffset: 7, localTime: '10:00' },
        reminderAfterMinutes: 2880,
        expiresAfterMinutes: 5760,
        path: 'routine',
      },
    ],
  };
}
