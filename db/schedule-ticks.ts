import { desc, sql } from 'drizzle-orm';
import { scheduleTicks } from './schema.js';
import type { Store } from './store.js';
import { storeFault } from './store-fault.js';

/** What a tick of policy.schedule came to: a run started, skipped (one still going), or another replica's. */
export type TickOutcome = 'started' | 'skipped' | 'busy';

export interface Tick {
  readonly at: Date;
  readonly outcome: TickOutcome;
  readonly runId?: number;
  readonly detail: string;
}

/** Writes down one tick, so a skipped one is on record and not only in a log. */
export async function recordTick(store: Store, tick: Tick): Promise<void> {
  try {
    await store.db
      .insert(scheduleTicks)
      .values({ at: tick.at, outcome: tick.outcome, runId: tick.runId ?? null, detail: tick.detail });
  } catch (err) {
    throw storeFault(err, 'recording a schedule tick');
  }
}

/** How many ticks came to each outcome, for the metrics. */
export async function tickCounts(store: Store): Promise<Record<TickOutcome, number>> {
  const rows = await store.db
    .select({ outcome: scheduleTicks.outcome, n: sql<number>`count(*)::int` })
    .from(scheduleTicks)
    .groupBy(scheduleTicks.outcome);
  const counts: Record<TickOutcome, number> = { started: 0, skipped: 0, busy: 0 };
  for (const r of rows) counts[r.outcome as TickOutcome] = Number(r.n);
  return counts;
}

/** The latest ticks, newest first. */
export async function latestTicks(store: Store, limit: number) {
  return store.db.select().from(scheduleTicks).orderBy(desc(scheduleTicks.id)).limit(limit);
}
