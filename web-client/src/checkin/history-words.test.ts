import { describe, expect, it } from 'vitest';
import type { CheckinItem } from '../protocol';
import { missedBadge, outcomeText, resultText } from './history-words';

const ZONE = 'America/New_York';

function item(over: Partial<CheckinItem>): CheckinItem {
  return {
    promptId: 'p',
    stepId: 'd+5.pulse',
    occurrenceKey: 'd+5.pulse@s',
    instrumentId: 'pulse',
    title: 'Safety pulse',
    state: 'pending',
    dueAt: '2026-03-05T15:00:00Z',
    expiresAt: '2026-03-06T15:00:00Z',
    ...over,
  };
}

describe('resultText', () => {
  it('shows a score with its band, says an unscored answer was answered, and nothing before an answer', () => {
    expect(resultText(item({ instrumentId: 'phq9', state: 'answered', total: 11, bandLabel: 'Moderate' }))).toBe('11 (Moderate)');
    expect(resultText(item({ state: 'answered', total: 6 }))).toBe('6');
    expect(resultText(item({ instrumentId: 'journal', state: 'answered' }))).toBe('Answered (not scored)');
    expect(resultText(item({ state: 'missed' }))).toBeNull();
  });
});

describe('outcomeText', () => {
  it('says when a missed prompt closed, in the therapist time zone', () => {
    const text = outcomeText(item({ state: 'missed', missedAt: '2026-03-06T15:00:00Z' }), ZONE);
    expect(text).toMatch(/^Not answered; closed /);
    expect(text).toContain('10:00');
  });

  it('says when a prompt was answered, sent or withdrawn, and nothing for one still scheduled', () => {
    expect(outcomeText(item({ state: 'answered', answeredAt: '2026-03-05T15:35:00Z' }), ZONE)).toMatch(/^Answered .*10:35/);
    expect(outcomeText(item({ state: 'delivered', firstSentAt: '2026-03-05T15:00:00Z' }), ZONE)).toMatch(/^Sent .*, open until /);
    expect(outcomeText(item({ state: 'cancelled' }), ZONE)).toBe('Withdrawn before it was sent');
    expect(outcomeText(item({}), ZONE)).toBeNull();
  });
});

describe('missedBadge', () => {
  it('counts missed prompts and says when the count was capped', () => {
    expect(missedBadge(0, false)).toBeNull();
    expect(missedBadge(1, false)).toBe('1 missed');
    expect(missedBadge(100, true)).toBe('100+ missed');
  });
});
