import { asc, desc, eq } from 'drizzle-orm';
import { decisions, runs } from './schema.js';
import type { Store } from './store.js';
import { storeFault } from './store-fault.js';

export type RunRow = typeof runs.$inferSelect;
export type DecisionRow = typeof decisions.$inferSelect;

/** The most recent runs, newest first. */
export async function listRuns(store: Store, limit = 50): Promise<RunRow[]> {
  try {
    return await store.db.select().from(runs).orderBy(desc(runs.id)).limit(limit);
  } catch (err) {
    throw storeFault(err, 'cannot read the run history', 'STORE_READ_FAILED');
  }
}

/** One run with its decisions (moves first, then kept, each in the order recorded), or undefined. */
export async function getRun(store: Store, id: number): Promise<{ run: RunRow; decisions: DecisionRow[] } | undefined> {
  try {
    const [run] = await store.db.select().from(runs).where(eq(runs.id, id));
    if (!run) return undefined;
    const rows = await store.db.select().from(decisions).where(eq(decisions.runId, id)).orderBy(asc(decisions.id));
    return { run, decisions: rows };
  } catch (err) {
    throw storeFault(err, `cannot read run ${id}`, 'STORE_READ_FAILED');
  }
}
