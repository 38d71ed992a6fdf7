import { describe, expect, it } from 'vitest';
import { CarbonError, fail, ok, type CarbonResult } from './carbon-error.js';
import { LastGoodSource } from './last-good.js';
import type { CarbonReading } from './reading.js';
import type { CarbonSource } from './source.js';
import { assess } from './staleness.js';

const HOUR = 3_600_000;

/** A live source whose answers the test scripts, one per call. */
class ScriptedSource implements CarbonSource {
  readonly kind = 'electricitymaps' as const;
  constructor(private readonly script: CarbonResult<CarbonReading>[]) {}
  latest(): Promise<CarbonResult<CarbonReading>> {
    return Promise.resolve(this.script.shift() ?? fail(new CarbonError('CARBON_NETWORK', 'down', 'ES')));
  }
  forecast() {
    return Promise.resolve(fail<never>(new CarbonError('CARBON_NETWORK', 'down', 'ES')));
  }
  history() {
    return Promise.resolve(fail<never>(new CarbonError('CARBON_NETWORK', 'down', 'ES')));
  }
}

describe('LastGoodSource', () => {
  it('serves the last good reading when the feed fails, until it is too old', async () => {
    const t0 = Date.UTC(2026, 10, 22, 10);
    const good: CarbonReading = {
      zone: 'ES',
      intensity: 120,
      datetime: t0,
      isEstimated: false,
      emissionFactor: 'lifecycle',
      source: 'electricitymaps',
      granularity: 'hour',
    };
    const source = new LastGoodSource(
      new ScriptedSource([ok(good), fail(new CarbonError('CARBON_UPSTREAM', 'HTTP 503', 'ES'))]),
    );
    expect(assess('ES', await source.latest('ES', t0), t0, 2 * HOUR).status).toBe('fresh');
    const fallback = await source.latest('ES', t0 + HOUR);
    expect(fallback.ok && fallback.value.fallback).toEqual({ reason: 'HTTP 503' });
    expect(assess('ES', fallback, t0 + HOUR, 2 * HOUR).status).toBe('fresh');
    expect(assess('ES', await source.latest('ES', t0 + 3 * HOUR), t0 + 3 * HOUR, 2 * HOUR).status).toBe('stale');
  });

  it('never keeps a bad reading, nor covers it up with the kept one', async () => {
    const t0 = Date.UTC(2026, 10, 22, 10);
    const good: CarbonReading = {
      zone: 'ES',
      intensity: 120,
      datetime: t0,
      isEstimated: false,
      emissionFactor: 'lifecycle',
      source: 'electricitymaps',
      granularity: 'hour',
    };
    const source = new LastGoodSource(
      new ScriptedSource([
        ok(good),
        ok({ ...good, intensity: 1e308, datetime: t0 + HOUR }),
        ok({ ...good, zone: 'FR', datetime: t0 + HOUR }),
        fail(new CarbonError('CARBON_UPSTREAM', 'HTTP 503', 'ES')),
      ]),
    );
    expect((await source.latest('ES', t0)).ok).toBe(true);
    const huge = await source.latest('ES', t0 + HOUR);
    expect(!huge.ok && [huge.error.code, huge.error.message]).toEqual([
      'CARBON_BAD_READING',
      'bad reading for ES from electricitymaps: 1e308 gCO2eq/kWh is outside 0–2,500',
    ]);
    const foreign = await source.latest('ES', t0 + HOUR);
    expect(!foreign.ok && foreign.error.message).toBe(
      'bad reading for ES from electricitymaps: asked for zone ES, the answer is for FR',
    );
    // The feed then fails: the fallback is the last *good* reading, not either lie.
    const fallback = await source.latest('ES', t0 + HOUR);
    expect(fallback.ok && fallback.value).toEqual({ ...good, fallback: { reason: 'HTTP 503' } });
  });

  it('passes failures through when it has nothing to fall back on', async () => {
    const r = await new LastGoodSource(new ScriptedSource([])).latest('ES', 0);
    expect(!r.ok && r.error.code).toBe('CARBON_NETWORK');
  });
});
