import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../scheduler/diagnostics/source-file.js';
import { bundledTracesDir } from '../data/bundled.js';
import { ReplayCarbonSource } from './replay-source.js';
import { parseTrace } from './trace.js';

const HOUR = 3_600_000;
const file = (zone: string) => join(bundledTracesDir(), `${zone}_2022.csv`);
const load = (zone: string) => parseTrace(new SourceFile(file(zone), readFileSync(file(zone), 'utf8'))).trace!;
/** The recorded row for an hour, read straight from the CSV text (independently of the parser). */
function row(zone: string, hour: string): { direct: number; lca: number; estimated: boolean } {
  const line = readFileSync(file(zone), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${hour},`))!;
  const c = line.split(',');
  return { direct: Number(c[4]), lca: Number(c[5]), estimated: c[9] === 'true' };
}

describe('ReplayCarbonSource on the shipped 2022 traces', () => {
  const traces = ['BR', 'ES', 'NO', 'US-CAL-CISO'].map(load);
  const lifecycle = new ReplayCarbonSource(traces, 'lifecycle');

  it('returns the exact recorded value of the hour containing the run time', async () => {
    for (const [zone, hour, at] of [
      ['ES', '2022-06-01 12:00:00', Date.UTC(2022, 5, 1, 12, 0)],
      ['ES', '2022-06-01 12:00:00', Date.UTC(2022, 5, 1, 12, 59, 59)],
      ['NO', '2022-04-29 10:00:00', Date.UTC(2022, 3, 29, 10, 30)],
      ['US-CAL-CISO', '2022-12-31 23:00:00', Date.UTC(2022, 11, 31, 23, 0)],
      ['BR', '2022-01-01 00:00:00', Date.UTC(2022, 0, 1, 0, 0)],
    ] as const) {
      const r = await lifecycle.latest(zone, at);
      if (!r.ok) throw r.error;
      const expected = row(zone, hour);
      expect(r.value, `${zone} ${hour}`).toMatchObject({
        intensity: expected.lca,
        isEstimated: expected.estimated,
        granularity: 'hour',
        source: 'replay',
      });
      expect(new Date(r.value.datetime).toISOString().replace('T', ' ').slice(0, 19)).toBe(hour);
    }
    const direct = await new ReplayCarbonSource(traces, 'direct').latest('ES', Date.UTC(2022, 5, 1, 12, 0));
    expect(direct.ok && direct.value.intensity).toBe(row('ES', '2022-06-01 12:00:00').direct);
  });

  it('forecasts exactly what was recorded next, labelled perfect foresight', async () => {
    const at = Date.UTC(2022, 5, 1, 12, 30);
    const r = await lifecycle.forecast('ES', at, 24 * HOUR);
    if (!r.ok) throw r.error;
    expect(r.value.kind).toBe('perfect-foresight');
    expect(r.value.points).toHaveLength(24);
    for (const p of r.value.points) {
      const hour = new Date(p.datetime).toISOString().replace('T', ' ').slice(0, 19);
      expect(p.intensity, hour).toBe(row('ES', hour).lca);
    }
    expect(r.value.points[0]?.datetime).toBe(Date.UTC(2022, 5, 1, 13));
  });

  it('gives history in range, and no data before a trace begins', async () => {
    const h = await lifecycle.history('NO', Date.UTC(2022, 3, 29, 9), Date.UTC(2022, 3, 29, 12));
    expect(h.ok && h.value.map((r) => [new Date(r.datetime).getUTCHours(), r.isEstimated])).toEqual([
      [9, false],
      [10, true],
      [11, true],
    ]);
    const before = await lifecycle.latest('ES', Date.UTC(2021, 11, 31, 23));
    expect(!before.ok && before.error.code).toBe('CARBON_NO_DATA');
    const unknown = await lifecycle.latest('JP-TK', Date.UTC(2022, 5, 1));
    expect(!unknown.ok && unknown.error.code).toBe('CARBON_UNKNOWN_ZONE');
  });

  it('keeps answering with the last recorded hour after the trace ends, which then goes stale', async () => {
    const r = await lifecycle.latest('ES', Date.UTC(2023, 0, 1, 6));
    expect(r.ok && r.value.datetime).toBe(Date.UTC(2022, 11, 31, 23));
  });
});
