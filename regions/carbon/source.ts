import type { CarbonResult } from './carbon-error.js';
import type { CarbonForecast, CarbonReading, CarbonSourceKind } from './reading.js';

/**
 * Where carbon intensity comes from. One implementation per kind: embedded yearly averages
 * (static), recorded hourly traces (replay), the Electricity Maps API (electricitymaps).
 * `at` is the run's time, passed in; sources never read the clock for the answer's meaning.
 */
export interface CarbonSource {
  readonly kind: CarbonSourceKind;
  /** The most recent reading for `zone` as of `at`. */
  latest(zone: string, at: number): Promise<CarbonResult<CarbonReading>>;
  /** Intensity expected after `at`, up to `at + horizonMs`. */
  forecast(zone: string, at: number, horizonMs: number): Promise<CarbonResult<CarbonForecast>>;
  /** Readings with `from <= datetime < to`, oldest first. */
  history(zone: string, from: number, to: number): Promise<CarbonResult<readonly CarbonReading[]>>;
  /** Requests sent to a paid upstream API so far (retries included); absent for local sources. */
  readonly upstreamCalls?: number;
}
