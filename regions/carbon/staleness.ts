import type { CarbonError, CarbonResult } from './carbon-error.js';
import { badReading } from './plausibility.js';
import type { CarbonReading } from './reading.js';

export type ZoneStatus = 'fresh' | 'stale' | 'missing';

/**
 * What the planner knows about one zone at the run's time. Stale and missing are values,
 * not exceptions: the planner must not move anything into or out of such a zone, and can
 * still plan everywhere else.
 */
export interface ZoneSignal {
  readonly zone: string;
  readonly status: ZoneStatus;
  readonly reading?: CarbonReading;
  /** now − reading.datetime, in ms (never negative: up to CLOCK_SKEW_MS ahead counts as 0). */
  readonly ageMs?: number;
  /** Why the zone is stale or missing. */
  readonly problem?: { readonly code: string; readonly message: string };
}

/**
 * The staleness rule: a reading is stale when it is older than `maxStalenessMs` at `now`,
 * measured from the start of the period it is for. A reading exactly `maxStalenessMs` old
 * is still fresh; one millisecond more is stale.
 */
export function isStale(reading: CarbonReading, now: number, maxStalenessMs: number): boolean {
  return now - reading.datetime > maxStalenessMs;
}

/**
 * Judges a source's answer for `zone` at `now`: an error or a bad reading (the plausibility
 * rule) makes the zone missing, without a reading the planner could use; a believable reading
 * is fresh or stale by the staleness rule.
 */
export function assess(
  zone: string,
  result: CarbonResult<CarbonReading>,
  now: number,
  maxStalenessMs: number,
): ZoneSignal {
  if (!result.ok) return missing(zone, result.error);
  const reading = result.value;
  const bad = badReading(zone, reading, now);
  if (bad) return missing(zone, bad);
  const ageMs = Math.max(0, now - reading.datetime);
  if (!isStale(reading, now, maxStalenessMs)) return { zone, status: 'fresh', reading, ageMs };
  return {
    zone,
    status: 'stale',
    reading,
    ageMs,
    problem: {
      code: 'CARBON_STALE',
      message:
        `latest reading for ${zone} is ${formatAge(ageMs)} old, ` +
        `more than the ${formatAge(maxStalenessMs)} allowed`,
    },
  };
}

function missing(zone: string, error: CarbonError): ZoneSignal {
  return { zone, status: 'missing', problem: { code: error.code, message: error.message } };
}

export function formatAge(ms: number): string {
  const m = Math.floor(ms / 60_000);
  if (m < 1) return `${Math.floor(ms / 1000)}s`;
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  return `${Math.floor(h / 24)}d`;
}
