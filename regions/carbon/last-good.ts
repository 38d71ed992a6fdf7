import { fail, ok, type CarbonResult } from './carbon-error.js';
import { badReading } from './plausibility.js';
import type { CarbonReading } from './reading.js';
import { WrappedSource } from './wrapped-source.js';

/**
 * Keeps the last good reading per zone and answers with it when the wrapped source fails,
 * marked as a fallback. Its age keeps growing, so the staleness rule retires it by itself:
 * a dead feed turns a zone stale, it does not freeze it at an old value.
 * A bad reading (plausibility.ts) is never kept, and is not covered up with the kept one
 * either: a feed that answers what cannot be true is not a dead feed but a wrong one, and its
 * zone is missing until it answers believably again.
 * What it keeps lives in memory; `remember` restores it from the store's carbon readings at
 * start (db/carbon-history.ts), so a feed that is down when shisa restarts still has its
 * last good value, ageing from when it was measured, not from the restart.
 */
export class LastGoodSource extends WrappedSource {
  private readonly last = new Map<string, CarbonReading>();

  /**
   * Takes readings kept from before (the store's latest per zone), judged as a live answer is:
   * a bad one is not kept, and a zone already holding a newer reading keeps it. The count kept.
   */
  remember(readings: readonly CarbonReading[], now: number): number {
    let kept = 0;
    for (const r of readings) {
      if (badReading(r.zone, r, now)) continue;
      const held = this.last.get(r.zone);
      if (held && held.datetime >= r.datetime) continue;
      this.last.set(r.zone, r);
      kept++;
    }
    return kept;
  }

  override async latest(zone: string, at: number): Promise<CarbonResult<CarbonReading>> {
    const result = await this.inner.latest(zone, at);
    if (result.ok) {
      const bad = badReading(zone, result.value, at);
      if (bad) return fail(bad);
      this.last.set(zone, result.value);
      return result;
    }
    if (result.error.code === 'CARBON_BAD_READING') return result;
    const kept = this.last.get(zone);
    return kept ? ok({ ...kept, fallback: { reason: result.error.message } }) : result;
  }
}
