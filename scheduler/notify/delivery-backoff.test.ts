import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, retryDelayMs } from './delivery-backoff.js';

const policy = { baseMs: 1_000, maxMs: 60_000 };

describe('retryDelayMs', () => {
  it('doubles the ceiling with each failure, up to the maximum (full jitter below it)', () => {
    const top = (failed: number) => retryDelayMs(failed, undefined, policy, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(top)).toEqual([999, 1999, 3999, 7999, 15999, 31999, 59999, 59999]);
    expect(retryDelayMs(3, undefined, policy, () => 0)).toBe(0);
    expect(retryDelayMs(3, undefined, policy, () => 0.5)).toBe(2_000);
  });

  it('honours Retry-After as given, clipped to the maximum', () => {
    expect(retryDelayMs(1, 30_000, policy, () => 0)).toBe(30_000);
    expect(retryDelayMs(9, 5_000, policy, () => 0.9)).toBe(5_000);
    expect(retryDelayMs(1, 3_600_000, policy, () => 0)).toBe(60_000);
    expect(retryDelayMs(1, -5, policy, () => 0)).toBe(0);
  });

  it('stays finite after absurdly many failures', () => {
    expect(retryDelayMs(10_000, undefined, DEFAULT_BACKOFF, () => 0.999)).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs);
    expect(retryDelayMs(0, undefined, DEFAULT_BACKOFF, () => 0.5)).toBe(1_000);
  });
});
