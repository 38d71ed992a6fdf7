/**
 * The last good carbon reading survives a restart: readings recorded in an embedded store
 * folder are read back after it is closed and opened again (db/carbon-history.ts), given to
 * the live source's LastGoodSource, and served as the fallback when the real Electricity Maps
 * client cannot reach its server — ageing from when they were measured, so the staleness
 * rule still retires them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { latestReadings } from '../../db/carbon-history.js';
import { carbonReadings } from '../../db/schema.js';
import { openStore } from '../../db/store.js';
import { ElectricityMapsSource } from '../../regions/carbon/electricitymaps/electricitymaps-source.js';
import { LastGoodSource } from '../../regions/carbon/last-good.js';
import { assess } from '../../regions/carbon/staleness.js';
import { Secret } from '../../scheduler/config/secret.js';

const dir = mkdtempSync(join(tmpdir(), 'shisa-last-good-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HOUR = 3_600_000;
const t0 = Date.UTC(2026, 11, 3, 10);

const row = (zone: string, hoursAgo: number, intensity: number, source = 'electricitymaps') => ({
  zone,
  datetime: new Date(t0 - hoursAgo * HOUR),
  intensity,
  estimated: false,
  source,
  fetchedAt: new Date(t0),
});

describe('the last good carbon reading across a restart', () => {
  it('is read back per zone, the newest of its source, and served when the feed is down', async () => {
    const before = await openStore({ kind: 'pglite', dir });
    await before.db
      .insert(carbonReadings)
      .values([row('JP-TK', 2, 480), row('JP-TK', 1, 455), row('FI', 1, 42), row('FI', 0, 40, 'replay')]);
    await before.close();

    const after = await openStore({ kind: 'pglite', dir });
    const kept = await latestReadings(after, 'electricitymaps', ['JP-TK', 'FI', 'SE-SE3'], 'lifecycle');
    await after.close();
    expect(kept.map((r) => [r.zone, r.intensity, r.datetime])).toEqual([
      ['FI', 42, t0 - HOUR],
      ['JP-TK', 455, t0 - HOUR],
    ]);

    // The feed is down after the restart: nothing listens on the port.
    const live = new ElectricityMapsSource({
      baseUrl: 'http://127.0.0.1:9/v3',
      token: new Secret('token', 'ELECTRICITYMAPS_TOKEN'),
      tokenEnv: 'ELECTRICITYMAPS_TOKEN',
      emissionFactor: 'lifecycle',
      cacheTtlMs: 0,
      policy: { retries: 0, timeoutMs: 1_000, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
      now: () => t0,
    });
    const source = new LastGoodSource(live);
    expect(source.remember(kept, t0)).toBe(2);
    const tokyo = await source.latest('JP-TK', t0);
    expect(tokyo.ok && tokyo.value).toMatchObject({ intensity: 455, datetime: t0 - HOUR, fallback: {} });
    expect(assess('JP-TK', tokyo, t0, 2 * HOUR).status).toBe('fresh');
    expect(assess('JP-TK', await source.latest('JP-TK', t0 + 2 * HOUR), t0 + 2 * HOUR, 2 * HOUR).status).toBe('stale');
    const unseen = await source.latest('SE-SE3', t0);
    expect(unseen.ok).toBe(false);
  });

  it('keeps a newer reading it already holds, and never takes an implausible one', () => {
    const source = new LastGoodSource(
      new ElectricityMapsSource({
        baseUrl: 'http://127.0.0.1:9/v3',
        token: undefined,
        tokenEnv: 'ELECTRICITYMAPS_TOKEN',
        emissionFactor: 'lifecycle',
        cacheTtlMs: 0,
        policy: { retries: 0, timeoutMs: 1_000, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
        now: () => t0,
      }),
    );
    const reading = (intensity: number, datetime: number) => ({
      zone: 'FI',
      intensity,
      datetime,
      isEstimated: false,
      emissionFactor: 'lifecycle' as const,
      source: 'electricitymaps' as const,
      granularity: 'hour' as const,
    });
    expect(source.remember([reading(40, t0)], t0)).toBe(1);
    expect(source.remember([reading(99, t0 - HOUR)], t0)).toBe(0);
    expect(source.remember([reading(-5, t0 + HOUR)], t0 + HOUR)).toBe(0);
    expect(source.remember([reading(1e9, t0 + HOUR)], t0 + HOUR)).toBe(0);
  });
});
