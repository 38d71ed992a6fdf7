import { describe, expect, it } from 'vitest';
import { badReading, CLOCK_SKEW_MS, MAX_INTENSITY, plausibleValue, readingProblems, span } from './plausibility.js';
import type { CarbonReading } from './reading.js';

const now = Date.UTC(2026, 10, 22, 12, 0);
const reading = (over: Partial<CarbonReading> = {}): CarbonReading => ({
  zone: 'ES',
  intensity: 170,
  datetime: now - 30 * 60_000,
  isEstimated: false,
  emissionFactor: 'lifecycle',
  source: 'electricitymaps',
  granularity: 'hour',
  ...over,
});

describe('the plausibility rule', () => {
  it('accepts an ordinary reading', () => {
    expect(readingProblems('ES', reading(), now)).toEqual([]);
    expect(badReading('ES', reading(), now)).toBeUndefined();
  });

  it('refuses a reading for another zone than the one asked for', () => {
    const bad = badReading('ES', reading({ zone: 'FR' }), now);
    expect([bad?.code, bad?.message, bad?.zone]).toEqual([
      'CARBON_BAD_READING',
      'bad reading for ES from electricitymaps: asked for zone ES, the answer is for FR',
      'ES',
    ]);
  });

  it('accepts a time exactly the clock-skew allowance ahead of the run, and refuses one millisecond more', () => {
    expect(CLOCK_SKEW_MS).toBe(5 * 60_000);
    expect(badReading('ES', reading({ datetime: now + CLOCK_SKEW_MS }), now)).toBeUndefined();
    expect(badReading('ES', reading({ datetime: now + CLOCK_SKEW_MS + 1 }), now)?.message).toBe(
      "bad reading for ES from electricitymaps: dated 2026-11-22T12:05:00.001Z, 5m 1ms after the run's time 2026-11-22T12:00Z (more than the 5m allowed for clock skew)",
    );
  });

  it('says how far in the future a reading from 2099 is', () => {
    expect(badReading('ES', reading({ datetime: Date.UTC(2099, 0, 1) }), now)?.message).toBe(
      "bad reading for ES from electricitymaps: dated 2099-01-01T00:00Z, 72 years after the run's time 2026-11-22T12:00Z (more than the 5m allowed for clock skew)",
    );
  });

  it('accepts intensities from exactly 0 to exactly the maximum, and nothing else', () => {
    expect(MAX_INTENSITY).toBe(2_500);
    for (const ok of [0, 0.001, 976, MAX_INTENSITY])
      expect(readingProblems('ES', reading({ intensity: ok }), now), String(ok)).toEqual([]);
    for (const [bad, shown] of [
      [MAX_INTENSITY + 0.001, '2500.001'],
      [-0.001, '-0.001'],
      [-5, '-5'],
      [1e308, '1e308'],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [Number.NEGATIVE_INFINITY, '-Infinity'],
    ] as const) {
      expect(readingProblems('ES', reading({ intensity: bad }), now), shown).toEqual([
        `${shown} gCO2eq/kWh is outside 0–2,500`,
      ]);
    }
  });

  it('refuses a datetime that is not a valid time', () => {
    for (const t of [Number.NaN, Number.POSITIVE_INFINITY, 8.64e15 + 1])
      expect(readingProblems('ES', reading({ datetime: t }), now)).toEqual(['its datetime is not a valid time']);
  });

  it('lists every problem of a reading that has several', () => {
    expect(badReading('ES', reading({ zone: 'FR', intensity: -1, datetime: now + 3_600_000 }), now)?.message).toBe(
      "bad reading for ES from electricitymaps: asked for zone ES, the answer is for FR; -1 gCO2eq/kWh is outside 0–2,500; dated 2026-11-22T13:00Z, 1h after the run's time 2026-11-22T12:00Z (more than the 5m allowed for clock skew)",
    );
  });

  it('judges forecast and history points by value and time alone', () => {
    expect(plausibleValue({ intensity: MAX_INTENSITY, datetime: now + 48 * 3_600_000 })).toBe(true);
    expect(plausibleValue({ intensity: MAX_INTENSITY + 1, datetime: now })).toBe(false);
    expect(plausibleValue({ intensity: 100, datetime: Number.NaN })).toBe(false);
  });

  it('formats spans for people, exactly when short', () => {
    expect([span(1), span(90_061_001), span(3 * 86_400_000), span(10 * 365.25 * 86_400_000)]).toEqual([
      '1ms',
      '25h 1m 1s 1ms',
      '3 days',
      '10 years',
    ]);
  });
});
