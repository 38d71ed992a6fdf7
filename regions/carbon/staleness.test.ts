import { describe, expect, it } from 'vitest';
import { CarbonError, fail, ok } from './carbon-error.js';
import type { CarbonReading } from './reading.js';
import { CLOCK_SKEW_MS } from './plausibility.js';
import { assess, formatAge, isStale } from './staleness.js';

const HOUR = 3_600_000;
const reading = (datetime: number): CarbonReading => ({
  zone: 'ES',
  intensity: 170,
  datetime,
  isEstimated: false,
  emissionFactor: 'lifecycle',
  source: 'replay',
  granularity: 'hour',
});

describe('staleness rule', () => {
  const now = Date.UTC(2022, 5, 1, 12, 0);
  const max = 2 * HOUR;

  it('is fresh at exactly max_staleness and stale one millisecond later', () => {
    expect(isStale(reading(now - max), now, max)).toBe(false);
    expect(isStale(reading(now - max - 1), now, max)).toBe(true);
    expect(assess('ES', ok(reading(now - max)), now, max)).toMatchObject({ status: 'fresh', ageMs: max });
    const stale = assess('ES', ok(reading(now - max - 1)), now, max);
    expect(stale.status).toBe('stale');
    expect(stale.problem).toEqual({
      code: 'CARBON_STALE',
      message: 'latest reading for ES is 2h old, more than the 2h allowed',
    });
  });

  it('never reports a negative age, and turns errors and bad readings into missing zones', () => {
    expect(assess('ES', ok(reading(now + CLOCK_SKEW_MS)), now, max)).toEqual({
      zone: 'ES',
      status: 'fresh',
      reading: reading(now + CLOCK_SKEW_MS),
      ageMs: 0,
    });
    // Beyond the clock skew allowed, a reading is bad: missing, and without a reading to plan on.
    expect(assess('ES', ok(reading(now + HOUR)), now, max)).toEqual({
      zone: 'ES',
      status: 'missing',
      problem: {
        code: 'CARBON_BAD_READING',
        message:
          "bad reading for ES from replay: dated 2022-06-01T13:00Z, 1h after the run's time 2022-06-01T12:00Z (more than the 5m allowed for clock skew)",
      },
    });
    // A bad reading is missing however old it is: the plausibility rule comes before staleness.
    expect(assess('ES', ok({ ...reading(now - 3 * HOUR), intensity: 1e308 }), now, max)).toEqual({
      zone: 'ES',
      status: 'missing',
      problem: {
        code: 'CARBON_BAD_READING',
        message: 'bad reading for ES from replay: 1e308 gCO2eq/kWh is outside 0–2,500',
      },
    });
    const missing = assess('XX', fail(new CarbonError('CARBON_UNKNOWN_ZONE', 'no data for XX', 'XX')), now, max);
    expect(missing).toEqual({
      zone: 'XX',
      status: 'missing',
      problem: { code: 'CARBON_UNKNOWN_ZONE', message: 'no data for XX' },
    });
  });

  it('formats ages for people', () => {
    expect([formatAge(30_000), formatAge(90 * 60_000), formatAge(2 * HOUR), formatAge(72 * HOUR)]).toEqual([
      '30s',
      '1h30m',
      '2h',
      '3d',
    ]);
  });
});
