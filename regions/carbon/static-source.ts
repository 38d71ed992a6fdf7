import electricityMaps from '@tgwf/co2/data/electricity-maps';
import { CarbonError, fail, ok, type CarbonResult } from './carbon-error.js';
import type { CarbonForecast, CarbonReading } from './reading.js';
import type { CarbonSource } from './source.js';

const HOUR = 3_600_000;

/** Years of yearly averages shipped in @tgwf/co2 (Electricity Maps data, ODbL). */
export const STATIC_YEARS = [2021, 2022, 2023, 2024, 2025] as const;

/**
 * The embedded default: Electricity Maps' yearly average lifecycle intensity per zone, for
 * one year, used as an estimate of the intensity at any time. Needs no network and no key.
 * A reading is an estimate *for the time asked about*, so it does not go stale; it is
 * marked estimated with yearly granularity so nobody mistakes it for a measurement.
 */
export class StaticCarbonSource implements CarbonSource {
  readonly kind = 'static' as const;
  private readonly table: ReadonlyMap<string, number>;
  private readonly method: string;

  constructor(readonly year: number) {
    const data = (
      electricityMaps as unknown as Record<
        string,
        { data: Record<string, { carbonIntensity: { value: number } }> } | undefined
      >
    )[`yearly${year}`];
    if (!data) throw new RangeError(`no static carbon data for ${year}; years: ${STATIC_YEARS.join(', ')}`);
    this.table = new Map(Object.entries(data.data).map(([zone, z]) => [zone, z.carbonIntensity.value]));
    this.method = `YEARLY_AVERAGE_${year}`;
  }

  /** Zones this year's table covers. */
  zones(): string[] {
    return [...this.table.keys()].sort();
  }

  latest(zone: string, at: number): Promise<CarbonResult<CarbonReading>> {
    const intensity = this.table.get(zone);
    if (intensity === undefined) return Promise.resolve(fail(this.unknown(zone)));
    return Promise.resolve(ok(this.reading(zone, intensity, at)));
  }

  forecast(zone: string, at: number, horizonMs: number): Promise<CarbonResult<CarbonForecast>> {
    const intensity = this.table.get(zone);
    if (intensity === undefined) return Promise.resolve(fail(this.unknown(zone)));
    const points = [];
    for (let t = Math.floor(at / HOUR) * HOUR + HOUR; t <= at + horizonMs; t += HOUR)
      points.push({ datetime: t, intensity });
    return Promise.resolve(ok({ zone, points, source: this.kind, kind: 'flat-estimate' }));
  }

  history(zone: string, from: number, to: number): Promise<CarbonResult<readonly CarbonReading[]>> {
    const intensity = this.table.get(zone);
    if (intensity === undefined) return Promise.resolve(fail(this.unknown(zone)));
    const out: CarbonReading[] = [];
    for (let t = Math.ceil(from / HOUR) * HOUR; t < to; t += HOUR) out.push(this.reading(zone, intensity, t));
    return Promise.resolve(ok(out));
  }

  private reading(zone: string, intensity: number, at: number): CarbonReading {
    return {
      zone,
      intensity,
      datetime: at,
      isEstimated: true,
      estimationMethod: this.method,
      emissionFactor: 'lifecycle',
      source: this.kind,
      granularity: 'year',
    };
  }

  private unknown(zone: string): CarbonError {
    return new CarbonError(
      'CARBON_UNKNOWN_ZONE',
      `no ${this.year} yearly average for zone ${zone} in the embedded data`,
      zone,
    );
  }
}
