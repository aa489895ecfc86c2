import { describe, expect, it } from 'vitest';
import { backoffDelay } from './connection';

describe('backoffDelay', () => {
  it('doubles from half a second up to 30 s, never below half of each ceiling', () => {
    const low = () => 0;
    const high = () => 0.999999;
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, high))).toEqual([500, 1000, 2000, 4000]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, low))).toEqual([250, 500, 1000, 2000]);
    expect(backoffDelay(20, high)).toBe(30_000);
    expect(backoffDelay(20, low)).toBe(15_000);
  });
});
