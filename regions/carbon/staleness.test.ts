import { describe, expect, it } from 'vitest';
import { CarbonError, fail, ok } from './carbon-error.js';
import type { CarbonReading } from './reading.js';
import { assess, formatAge, isStale } from './staleness.js';

const HOUR = 3_600_000;
const reading = (datetime: number): CarbonReading => ({ zone: 'ES', intensity: 170, datetime, isEstimated: false, emissionFactor: 'lifecycle', source: 'replay', granularity: 'hour' });

describe('staleness rule', () => {
  const now = Date.UTC(2022, 5, 1, 12, 0);
  const max = 2 * HOUR;

  it('is fresh at exactly max_staleness and stale one millisecond later', () => {
    expect(isStale(reading(now - max), now, max)).toBe(false);
    expect(isStale(reading(now - max - 1), now, max)).toBe(true);
    expect(assess('ES', ok(reading(now - max)), now, max)).toMatchObject({ status: 'fresh', ageMs: max });
    const stale = assess('ES', ok(reading(now - max - 1)), now, max);
    expect(stale.status).toBe('stale');
    expect(stale.problem).toEqual({ code: 'CARBON_STALE', message: 'latest reading for ES is 2h old, more than the 2h allowed' });
  });

  it('never reports a negative age, and turns errors into missing zones', () => {
    expect(assess('ES', ok(reading(now + HOUR)), now, max)).toMatchObject({ status: 'fresh', ageMs: 0 });
    const missing = assess('XX', fail(new CarbonError('CARBON_UNKNOWN_ZONE', 'no data for XX', 'XX')), now, max);
    expect(missing).toEqual({ zone: 'XX', status: 'missing', problem: { code: 'CARBON_UNKNOWN_ZONE', message: 'no data for XX' } });
  });

  it('formats ages for people', () => {
    expect([formatAge(30_000), formatAge(90 * 60_000), formatAge(2 * HOUR), formatAge(72 * HOUR)]).toEqual(['30s', '1h30m', '2h', '3d']);
  });
});
