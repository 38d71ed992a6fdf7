/**
 * The plausibility rule end to end: the production Electricity Maps source, as createCarbonSource
 * builds it for a run, against the fake API on loopback telling lies over HTTP. Every lie must
 * leave its zone missing with CARBON_BAD_READING and the exact reason, on every path.
 */
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCarbonSource } from '../../regions/carbon/create-source.js';
import { readSignals } from '../../regions/carbon/signals.js';
import type { CarbonSource } from '../../regions/carbon/source.js';
import { bundledTracesDir } from '../../regions/data/bundled.js';
import { defaultCarbonSettings } from '../../regions/fleet/parse-fleet.js';
import { environmentFrom } from '../../scheduler/config/environment.js';
import { FakeElectricityMaps, type Misbehaviour } from '../fakes/electricity-maps-server.js';

const TOKEN = 'em-lie-token-3c1d5e7f9a';
const NOW = Date.parse('2022-06-01T12:30:00Z');
const HOUR = 3_600_000;
const TTL = 60_000;

let fake: FakeElectricityMaps;
let clock = NOW;

/** The live source exactly as a run gets it (plausibility rule, last good, the client). */
async function live(): Promise<CarbonSource> {
  const base = defaultCarbonSettings();
  const settings = {
    ...base,
    maxStalenessMs: 2 * HOUR,
    electricitymaps: {
      ...base.electricitymaps,
      baseUrl: fake.baseUrl,
      tokenEnv: 'EM_TOKEN',
      timeoutMs: 2_000,
      cacheTtlMs: TTL,
      retries: 1,
    },
  };
  const created = await createCarbonSource(settings, 'electricitymaps', {
    env: environmentFrom({ EM_TOKEN: TOKEN }),
    now: () => clock,
  });
  return created.source!;
}

const signal = async (source: CarbonSource, zone = 'ES') => (await readSignals(source, [zone], NOW, 2 * HOUR))[0]!;

beforeAll(async () => {
  fake = await FakeElectricityMaps.start({
    token: TOKEN,
    traceFiles: ['ES', 'NO'].map((z) => join(bundledTracesDir(), `${z}_2022.csv`)),
    now: NOW,
  });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  clock = NOW;
});

describe('bad readings from the live API are missing zones, with the reason', () => {
  const cases: [string, Misbehaviour, string][] = [
    ['a reading for another zone', { kind: 'lie', zone: 'FR' }, 'asked for zone ES, the answer is for FR'],
    [
      'a reading dated 2099',
      { kind: 'lie', datetime: '2099-01-01T00:00:00Z' },
      "dated 2099-01-01T00:00Z, 76 years after the run's time 2022-06-01T12:30Z (more than the 5m allowed for clock skew)",
    ],
    [
      'a reading 1 ms beyond the clock skew allowed',
      { kind: 'lie', datetime: '2022-06-01T12:35:00.001Z' },
      "dated 2022-06-01T12:35:00.001Z, 5m 1ms after the run's time 2022-06-01T12:30Z (more than the 5m allowed for clock skew)",
    ],
    ['1e308 written in the JSON', { kind: 'lie', carbonIntensity: '1e308' }, '1e308 gCO2eq/kWh is outside 0–2,500'],
    [
      '1e309 written in the JSON (Infinity once parsed)',
      { kind: 'lie', carbonIntensity: '1e309' },
      'Infinity gCO2eq/kWh is outside 0–2,500',
    ],
    ['a negative intensity', { kind: 'lie', carbonIntensity: '-5' }, '-5 gCO2eq/kWh is outside 0–2,500'],
    [
      'an intensity just over the maximum',
      { kind: 'lie', carbonIntensity: '2500.5' },
      '2500.5 gCO2eq/kWh is outside 0–2,500',
    ],
  ];
  for (const [what, lie, reason] of cases) {
    it(`refuses ${what}`, async () => {
      fake.misbehave('ES', lie);
      const source = await live();
      const [es, no] = await readSignals(source, ['ES', 'NO'], NOW, 2 * HOUR);
      expect(es).toEqual({
        zone: 'ES',
        status: 'missing',
        problem: { code: 'CARBON_BAD_READING', message: `bad reading for ES from electricitymaps: ${reason}` },
      });
      expect(no).toMatchObject({ zone: 'NO', status: 'fresh' });
      expect(fake.callCount({ zone: 'ES' })).toBe(1);
      expect(inspect(es, { depth: 5 })).not.toContain(TOKEN);
    });
  }

  it('accepts the believable edges: exactly the clock skew ahead, exactly the maximum, an answer without a zone', async () => {
    for (const lie of [
      { kind: 'lie', datetime: '2022-06-01T12:35:00Z' },
      { kind: 'lie', carbonIntensity: '2500' },
      { kind: 'lie', carbonIntensity: '0' },
      { kind: 'lie', zone: null },
    ] as const) {
      fake.reset();
      fake.misbehave('ES', lie);
      expect(await signal(await live()), JSON.stringify(lie)).toMatchObject({
        zone: 'ES',
        status: 'fresh',
        reading: { zone: 'ES' },
      });
    }
  });

  it('never keeps a bad reading as the last good one, nor serves the kept one over a lie', async () => {
    const source = await live();
    const good = await signal(source);
    expect(good.status).toBe('fresh');
    fake.misbehave('ES', { kind: 'lie', carbonIntensity: '1e308', times: 1 });
    clock += TTL;
    expect(await signal(source)).toMatchObject({ status: 'missing', problem: { code: 'CARBON_BAD_READING' } });
    // The feed then fails: what is served is the reading from before the lie.
    fake.misbehave('ES', { kind: 'status', status: 503 });
    clock += TTL;
    const fallback = await signal(source);
    expect(fallback).toMatchObject({ status: 'fresh', reading: { intensity: good.reading!.intensity } });
    expect(fallback.reading?.fallback?.reason).toContain('HTTP 503');
  });

  it('refuses a forecast or history for another zone, and drops impossible points from them', async () => {
    const source = await live();
    fake.misbehave('ES', { kind: 'lie', zone: 'FR' });
    const forecast = await source.forecast('ES', NOW, 6 * HOUR);
    expect(!forecast.ok && [forecast.error.code, forecast.error.message]).toEqual([
      'CARBON_BAD_READING',
      'bad forecast for ES from electricitymaps: asked for zone ES, the answer is for FR',
    ]);
    const history = await source.history('ES', NOW - 3 * HOUR, NOW);
    expect(!history.ok && history.error.message).toBe(
      'bad history for ES from electricitymaps: asked for zone ES, the answer is for FR',
    );

    fake.misbehave('NO', { kind: 'lie', carbonIntensity: '1e308' });
    const hugeForecast = await source.forecast('NO', NOW, 6 * HOUR);
    expect(hugeForecast.ok && hugeForecast.value.points).toEqual([]);
    const hugeHistory = await source.history('NO', NOW - 3 * HOUR, NOW);
    expect(hugeHistory.ok && hugeHistory.value).toEqual([]);
    // Without the lie the same questions are answered in full: the empty lists above are the rule's doing.
    fake.reset();
    clock += TTL;
    const honest = await source.forecast('NO', NOW, 6 * HOUR);
    expect(honest.ok && honest.value.points).toHaveLength(6);
  });
});
