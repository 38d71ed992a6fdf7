import type { CarbonSource } from './source.js';
import { assess, type ZoneSignal } from './staleness.js';

/**
 * The latest reading of every zone at `at`, each judged fresh, stale or missing. Zones are
 * asked concurrently; the live source shares and caches calls, so asking for a zone twice
 * costs nothing extra.
 */
export async function readSignals(
  source: CarbonSource,
  zones: readonly string[],
  at: number,
  maxStalenessMs: number,
): Promise<ZoneSignal[]> {
  const unique = [...new Set(zones)];
  return Promise.all(unique.map(async (zone) => assess(zone, await source.latest(zone, at), at, maxStalenessMs)));
}
