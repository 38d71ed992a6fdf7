import { CarbonError, fail, ok, type CarbonResult } from './carbon-error.js';
import type { CarbonForecast, CarbonReading, EmissionFactor } from './reading.js';
import type { CarbonSource } from './source.js';
import type { Trace } from './trace.js';

/**
 * Recorded hourly history played back: at time `at`, the latest reading is the recorded
 * hour containing `at` (or the last recorded hour before it, across a gap), and the
 * "forecast" is what was actually recorded afterwards: a perfect-foresight forecast,
 * labelled as such, so simulations never pass it off as a prediction.
 */
export class ReplayCarbonSource implements CarbonSource {
  readonly kind = 'replay' as const;
  private readonly traces: ReadonlyMap<string, Trace>;

  constructor(
    traces: readonly Trace[],
    private readonly emissionFactor: EmissionFactor,
  ) {
    this.traces = new Map(traces.map((t) => [t.zone, t]));
  }

  zones(): string[] {
    return [...this.traces.keys()].sort();
  }

  /** First and last recorded hour of a zone. */
  span(zone: string): { from: number; to: number } | undefined {
    const t = this.traces.get(zone);
    return t && t.times.length ? { from: t.times[0] as number, to: t.times[t.times.length - 1] as number } : undefined;
  }

  latest(zone: string, at: number): Promise<CarbonResult<CarbonReading>> {
    const t = this.traces.get(zone);
    if (!t) return Promise.resolve(fail(this.unknown(zone)));
    const i = lastAtOrBefore(t.times, at);
    if (i < 0) {
      const starts = new Date(t.times[0] as number).toISOString();
      const message = `the ${zone} trace starts at ${starts}, after ${new Date(at).toISOString()}`;
      return Promise.resolve(fail(new CarbonError('CARBON_NO_DATA', message, zone)));
    }
    return Promise.resolve(ok(this.reading(t, i)));
  }

  forecast(zone: string, at: number, horizonMs: number): Promise<CarbonResult<CarbonForecast>> {
    const t = this.traces.get(zone);
    if (!t) return Promise.resolve(fail(this.unknown(zone)));
    const points = [];
    for (let i = lastAtOrBefore(t.times, at) + 1; i < t.times.length && (t.times[i] as number) <= at + horizonMs; i++) {
      points.push({ datetime: t.times[i] as number, intensity: this.value(t, i) });
    }
    return Promise.resolve(ok({ zone, points, source: this.kind, kind: 'perfect-foresight' }));
  }

  history(zone: string, from: number, to: number): Promise<CarbonResult<readonly CarbonReading[]>> {
    const t = this.traces.get(zone);
    if (!t) return Promise.resolve(fail(this.unknown(zone)));
    const out: CarbonReading[] = [];
    for (let i = lastAtOrBefore(t.times, from - 1) + 1; i < t.times.length && (t.times[i] as number) < to; i++)
      out.push(this.reading(t, i));
    return Promise.resolve(ok(out));
  }

  private value(t: Trace, i: number): number {
    return (this.emissionFactor === 'direct' ? t.direct : t.lifecycle)[i] as number;
  }

  private reading(t: Trace, i: number): CarbonReading {
    const method = t.methods[i];
    return {
      zone: t.zone,
      intensity: this.value(t, i),
      datetime: t.times[i] as number,
      isEstimated: t.estimated[i] === 1,
      ...(method !== undefined ? { estimationMethod: method } : {}),
      emissionFactor: this.emissionFactor,
      source: this.kind,
      granularity: 'hour',
    };
  }

  private unknown(zone: string): CarbonError {
    return new CarbonError('CARBON_UNKNOWN_ZONE', `no replay trace for zone ${zone}`, zone);
  }
}

/** Index of the last time <= t, or -1. */
function lastAtOrBefore(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] as number) <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
