import { ok, type CarbonResult } from './carbon-error.js';
import type { CarbonForecast, CarbonReading } from './reading.js';
import type { CarbonSource } from './source.js';

/**
 * Keeps the last good reading per zone and answers with it when the wrapped source fails,
 * marked as a fallback. Its age keeps growing, so the staleness rule retires it by itself:
 * a dead feed turns a zone stale, it does not freeze it at an old value.
 * (In memory for now; the database keeps it across restarts once the store exists.)
 */
export class LastGoodSource implements CarbonSource {
  private readonly last = new Map<string, CarbonReading>();

  constructor(private readonly inner: CarbonSource) {}

  get kind() {
    return this.inner.kind;
  }

  get upstreamCalls(): number | undefined {
    return this.inner.upstreamCalls;
  }

  async latest(zone: string, at: number): Promise<CarbonResult<CarbonReading>> {
    const result = await this.inner.latest(zone, at);
    if (result.ok) {
      this.last.set(zone, result.value);
      return result;
    }
    const kept = this.last.get(zone);
    return kept ? ok({ ...kept, fallback: { reason: result.error.message } }) : result;
  }

  forecast(zone: string, at: number, horizonMs: number): Promise<CarbonResult<CarbonForecast>> {
    return this.inner.forecast(zone, at, horizonMs);
  }

  history(zone: string, from: number, to: number): Promise<CarbonResult<readonly CarbonReading[]>> {
    return this.inner.history(zone, from, to);
  }
}
