import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { environmentFrom } from '../../scheduler/config/environment.js';
import { SourceFile } from '../../scheduler/diagnostics/source-file.js';
import { defaultCarbonSettings } from '../fleet/parse-fleet.js';
import { createCarbonSource } from './create-source.js';
import { PlausibleSource } from './plausible-source.js';
import { ReplayCarbonSource } from './replay-source.js';
import { readSignals } from './signals.js';
import { parseTrace } from './trace.js';

const HOUR = 3_600_000;
const HEADER =
  'Datetime (UTC),Country,Zone Name,Zone Id,Carbon Intensity gCO₂eq/kWh (direct),Carbon Intensity gCO₂eq/kWh (LCA),Low Carbon Percentage,Renewable Percentage,Data Source,Data Estimated,Data Estimation Method';
/** A recorded trace with two impossible hours (11:00 and 13:00) among believable ones. */
const CSV = [
  HEADER,
  '2022-06-01 10:00:00,Spain,Spain,ES,120,150,,,,false,',
  '2022-06-01 11:00:00,Spain,Spain,ES,2000,2600,,,,false,',
  '2022-06-01 12:00:00,Spain,Spain,ES,150,200,,,,false,',
  '2022-06-01 13:00:00,Spain,Spain,ES,1e308,1e308,,,,false,',
  '2022-06-01 14:00:00,Spain,Spain,ES,90,2500,,,,false,',
].join('\n');
const at = (hour: number, minute = 30) => Date.UTC(2022, 5, 1, hour, minute);
const trace = parseTrace(new SourceFile('es.csv', CSV)).trace!;
const dir = mkdtempSync(join(tmpdir(), 'shisa-plausible-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PlausibleSource over a replay trace with impossible hours', () => {
  const source = new PlausibleSource(new ReplayCarbonSource([trace], 'lifecycle'));

  it('refuses that hour as a bad reading, and serves the believable hours around it', async () => {
    const [bad] = await readSignals(source, ['ES'], at(11), 2 * HOUR);
    expect(bad).toEqual({
      zone: 'ES',
      status: 'missing',
      problem: {
        code: 'CARBON_BAD_READING',
        message: 'bad reading for ES from replay: 2600 gCO2eq/kWh is outside 0–2,500',
      },
    });
    const latest = await source.latest('ES', at(13));
    expect(!latest.ok && latest.error.message).toBe(
      'bad reading for ES from replay: 1e308 gCO2eq/kWh is outside 0–2,500',
    );
    const [good] = await readSignals(source, ['ES'], at(12), 2 * HOUR);
    expect(good).toMatchObject({ status: 'fresh', reading: { intensity: 200 } });
    const [edge] = await readSignals(source, ['ES'], at(14), 2 * HOUR);
    expect(edge).toMatchObject({ status: 'fresh', reading: { intensity: 2500 } });
  });

  it('drops impossible points from forecasts and history, keeping the rest', async () => {
    const forecast = await source.forecast('ES', at(10), 4 * HOUR);
    expect(forecast.ok && forecast.value.points).toEqual([
      { datetime: at(12, 0), intensity: 200 },
      { datetime: at(14, 0), intensity: 2500 },
    ]);
    const history = await source.history('ES', at(10, 0), at(15, 0));
    expect(history.ok && history.value.map((r) => r.intensity)).toEqual([150, 200, 2500]);
  });

  it('is what createCarbonSource builds for replay, so a run never sees the impossible hour', async () => {
    const file = join(dir, 'ES.csv');
    writeFileSync(file, CSV);
    const settings = {
      ...defaultCarbonSettings(),
      replay: {
        traces: [{ path: file, display: 'ES.csv', span: { file: 'fleet.yaml', start: 0, end: 0, line: 1, col: 1 } }],
      },
    };
    const created = await createCarbonSource(settings, 'replay', { env: environmentFrom({}), now: () => 0 });
    expect(created.diagnostics).toEqual([]);
    const bad = await created.source!.latest('ES', at(11));
    expect(!bad.ok && bad.error.code).toBe('CARBON_BAD_READING');
    const forecast = await created.source!.forecast('ES', at(10), 4 * HOUR);
    expect(forecast.ok && forecast.value.points.map((p) => p.intensity)).toEqual([200, 2500]);
  });
});
