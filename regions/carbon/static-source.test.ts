import { describe, expect, it } from 'vitest';
import { StaticCarbonSource } from './static-source.js';

describe('StaticCarbonSource', () => {
  const at = Date.UTC(2026, 10, 22, 9, 30);

  it('answers with the embedded 2024 yearly averages, marked estimated and yearly', async () => {
    const source = new StaticCarbonSource(2024);
    const values: Record<string, number> = {};
    for (const zone of ['JP-TK', 'NP', 'FR', 'SE-SE1', 'DE', 'US-CAL-CISO']) {
      const r = await source.latest(zone, at);
      if (!r.ok) throw r.error;
      values[zone] = r.value.intensity;
      expect(r.value).toMatchObject({
        datetime: at,
        isEstimated: true,
        granularity: 'year',
        source: 'static',
        estimationMethod: 'YEARLY_AVERAGE_2024',
      });
    }
    expect(values).toEqual({ 'JP-TK': 539, NP: 112, FR: 33, 'SE-SE1': 15, DE: 341, 'US-CAL-CISO': 229 });
    expect(source.zones()).toHaveLength(352);
  });

  it('reports an unknown zone as a value, and refuses a year it does not have', async () => {
    const r = await new StaticCarbonSource(2024).latest('XX-NOPE', at);
    expect(!r.ok && r.error.code).toBe('CARBON_UNKNOWN_ZONE');
    expect(() => new StaticCarbonSource(2019)).toThrow(/2021, 2022, 2023, 2024, 2025/);
  });

  it('forecasts a flat estimate, labelled as such', async () => {
    const r = await new StaticCarbonSource(2023).forecast('FR', at, 3 * 3_600_000);
    expect(r.ok && r.value.kind).toBe('flat-estimate');
    expect(r.ok && r.value.points.map((p) => p.datetime - at)).toEqual([30 * 60_000, 90 * 60_000, 150 * 60_000]);
  });
});
