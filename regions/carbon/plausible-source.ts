import { fail, ok, type CarbonResult } from './carbon-error.js';
import { badReading, plausibleValue, refusal, zoneProblem } from './plausibility.js';
import type { CarbonForecast, CarbonReading } from './reading.js';
import { WrappedSource } from './wrapped-source.js';

/**
 * Any source, with the plausibility rule applied to everything it answers, so no path hands
 * the planner what cannot be true:
 * - `latest`: a bad reading becomes a `CARBON_BAD_READING` error (the zone is missing);
 * - `forecast` and `history`: an answer naming another zone is refused whole (nothing in it is
 *   about the zone asked); points with an impossible intensity or time, or outside the window
 *   asked for, are dropped, and the rest is kept. A forecast is about the future by nature, so
 *   the clock-skew limit applies to latest readings only; history is bounded by `to`.
 */
export class PlausibleSource extends WrappedSource {
  override async latest(zone: string, at: number): Promise<CarbonResult<CarbonReading>> {
    const result = await this.inner.latest(zone, at);
    if (!result.ok) return result;
    const bad = badReading(zone, result.value, at);
    return bad ? fail(bad) : result;
  }

  override async forecast(zone: string, at: number, horizonMs: number): Promise<CarbonResult<CarbonForecast>> {
    const result = await this.inner.forecast(zone, at, horizonMs);
    if (!result.ok) return result;
    const wrong = zoneProblem(zone, result.value.zone);
    if (wrong) return fail(refusal('forecast', zone, result.value.source, [wrong]));
    const points = result.value.points.filter(
      (p) => plausibleValue(p) && p.datetime > at && p.datetime <= at + horizonMs,
    );
    return ok({ ...result.value, points });
  }

  override async history(zone: string, from: number, to: number): Promise<CarbonResult<readonly CarbonReading[]>> {
    const result = await this.inner.history(zone, from, to);
    if (!result.ok) return result;
    for (const r of result.value) {
      const wrong = zoneProblem(zone, r.zone);
      if (wrong) return fail(refusal('history', zone, r.source, [wrong]));
    }
    return ok(result.value.filter((r) => plausibleValue(r) && r.datetime >= from && r.datetime < to));
  }
}
