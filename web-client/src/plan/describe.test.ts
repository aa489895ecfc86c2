import { describe, expect, it } from 'vitest';
import { defaultPlan } from '../testing/default-plan';
import { describeQuietHours, describeStep, describeWhen, formatMinutes, keepUnits } from './describe';

describe('describeStep', () => {
  it('says each step of the default plan in words', () => {
    expect(defaultPlan().steps.map((s) => describeStep(s))).toEqual([
      '2 days before each dose, 10:00 — PHQ-9, GAD-7, WHO-5 · reminder after 24 h · expires after 48 h · routine',
      '3 h after dose start — Post-dose check · reminder after 1 h · expires after 12 h · crisis path (never delayed by quiet hours)',
      '1 day after each dose, 10:00 — Post-dose check, Safety pulse · reminder after 4 h · expires after 24 h · routine',
      '2 days after each dose, 10:00 — Safety pulse, Integration journal · reminder after 4 h · expires after 24 h · routine',
      '3 days after each dose, 10:00 — Safety pulse · reminder after 4 h · expires after 24 h · routine',
      '4 days after each dose, 10:00 — Safety pulse · reminder after 4 h · expires after 24 h · routine',
      '5 days after each dose, 10:00 — Safety pulse · reminder after 4 h · expires after 24 h · routine',
      '6 days after each dose, 10:00 — Safety pulse · reminder after 4 h · expires after 24 h · routine',
      '7 days after each dose, 10:00 — PHQ-9, GAD-7, WHO-5 · reminder after 48 h · expires after 4 days · routine',
    ]);
  });

  it('says weekly steps, steps without a reminder and unknown instruments', () => {
    expect(
      describeStep({
        stepId: 'weekly.monday.custom-x',
        instruments: ['who5', 'newscale'],
        anchor: { type: 'weekly', dayOfWeek: 'monday', localTime: '10:00' },
        expiresAfterMinutes: 4320,
      }),
    ).toBe('Every Monday 10:00 — WHO-5, newscale · expires after 3 days · routine');
  });

  it('says the dose day and times around the dose start', () => {
    expect(describeWhen({ type: 'doseDay', dayOffset: 0, localTime: '18:30' })).toBe('On each dose day, 18:30');
    expect(describeWhen({ type: 'afterDoseStart', offsetMinutes: 90 })).toBe('1 h 30 min after dose start');
    expect(describeWhen({ type: 'afterDoseStart', offsetMinutes: -45 })).toBe('45 min before dose start');
    expect(describeWhen({ type: 'afterDoseStart', offsetMinutes: 0 })).toBe('At dose start');
  });
});

describe('formatMinutes', () => {
  it('uses minutes, hours, and whole days from three days up', () => {
    expect([5, 60, 150, 1440, 1500, 2880, 4320, 4380, 10080].map(formatMinutes)).toEqual([
      '5 min',
      '1 h',
      '2 h 30 min',
      '24 h',
      '25 h',
      '48 h',
      '3 days',
      '73 h',
      '7 days',
    ]);
  });
});

describe('describeQuietHours', () => {
  it('treats equal start and end as none', () => {
    expect(describeQuietHours({ start: '22:00', end: '08:00' })).toBe('Quiet hours 22:00–08:00');
    expect(describeQuietHours({ start: '00:00', end: '00:00' })).toBe('No quiet hours');
  });
});

describe('keepUnits', () => {
  it('keeps numbers with their units on one line', () => {
    expect(keepUnits('3 h after dose start · expires after 4 days · 1 h 30 min')).toBe(
      '3\u00a0h after dose start · expires after 4\u00a0days · 1\u00a0h 30\u00a0min',
    );
    expect(keepUnits('2 days before each dose, 10:00')).toBe('2\u00a0days before each dose, 10:00');
  });
});
