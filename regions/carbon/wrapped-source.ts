import type { CarbonResult } from './carbon-error.js';
import type { CarbonForecast, CarbonReading } from './reading.js';
import type { CarbonSource } from './source.js';

/** A source that adds a rule around another: it is that source, and passes on what it does not change. */
export abstract class WrappedSource implements CarbonSource {
  constructor(protected readonly inner: CarbonSource) {}

  get kind() {
    return this.inner.kind;
  }

  get upstreamCalls(): number | undefined {
    return this.inner.upstreamCalls;
  }

  latest(zone: string, at: number): Promise<CarbonResult<CarbonReading>> {
    return this.inner.latest(zone, at);
  }

  forecast(zone: string, at: number, horizonMs: number): Promise<CarbonResult<CarbonForecast>> {
    return this.inner.forecast(zone, at, horizonMs);
  }

  history(zone: string, from: number, to: number): Promise<CarbonResult<readonly CarbonReading[]>> {
    return this.inner.history(zone, from, to);
  }
}
