import { describe, expect, it } from 'vitest';
import { ApiError } from '../api';
import { defaultPlan } from '../testing/default-plan';
import { changeRefused, resetQuestion } from './reset';

describe('resetQuestion', () => {
  it('says the default quiet hours stay when they are today’s', () => {
    const q = resetQuestion({ ...defaultPlan(), custom: true });
    expect(q.title).toBe('Reset to the default plan?');
    expect(q.body).toContain('the default integration plan’s steps apply again, with quiet hours 22:00–08:00 as now.');
    expect(q.body).toContain('check-ins already sent, answered or missed stay as they were');
    expect(q.confirm).toBe('Reset the plan');
    expect(q.cancel).toBe('Keep the adjusted plan');
  });

  it('names the quiet hours the reset replaces', () => {
    const other = resetQuestion({ ...defaultPlan(), custom: true, quietHours: { start: '23:00', end: '09:00' } });
    expect(other.body).toContain('with quiet hours 22:00–08:00 (currently 23:00–09:00).');
    const none = resetQuestion({ ...defaultPlan(), custom: true, quietHours: { start: '00:00', end: '00:00' } });
    expect(none.body).toContain('with quiet hours 22:00–08:00 (currently none).');
  });
});

describe('changeRefused', () => {
  it('says a 404 alike for a missing client and one no longer in the caller’s care', () => {
    expect(changeRefused(new ApiError(404, 'not_found', 'Not found'), 'reset')).toBe(
      'The plan was not reset: this client was not found, or you may no longer change their plan.',
    );
  });

  it('keeps the server’s message for a refusal and any other error', () => {
    expect(changeRefused(new ApiError(403, 'totp_required', 'Set up two-step sign-in first.'), 'saved')).toBe(
      'The plan was not saved: you are not allowed to change it. Set up two-step sign-in first.',
    );
    expect(changeRefused(new ApiError(0, 'network', 'Interlude could not be reached.'), 'reset')).toBe(
      'The plan was not reset. Interlude could not be reached.',
    );
    expect(changeRefused(new Error('boom'), 'reset')).toBe('The plan was not reset. Please try again.');
  });
});
