import { and, eq, inArray, sql } from 'drizzle-orm';
import { appendAuditIn } from './audit-log.js';
import { FINISHED, type MigrationRow } from './migration-journal.js';
import { enqueueIn, type OutboxMessage } from './outbox.js';
import { auditLog, decisions, migrations, runs } from './schema.js';
import { inTransaction, type Store } from './store.js';
import { storeFault } from './store-fault.js';

/** A run whose migrations have all finished, with what they came to: what its summary tells. */
export interface AppliedRun {
  readonly run: typeof runs.$inferSelect;
  readonly migrations: readonly MigrationRow[];
  /** Saving per moved workload, gCO2eq/h, as the run planned it. */
  readonly savings: ReadonlyMap<string, number>;
}

/**
 * Runs not yet summarised whose migrations have all finished and at least one moved or was
 * rolled back: found from the journal, not remembered by the process, so a summary the
 * service was killed before writing is written by the next start (controller style: observe,
 * compare with what was recorded, act once).
 */
export async function unsummarisedRuns(store: Store): Promise<AppliedRun[]> {
  try {
    const found = (await store.db.execute(sql`
      select run_id from ${migrations}
      group by run_id
      having bool_and(state in (${sql.raw(FINISHED.map((s) => `'${s}'`).join(', '))}))
        and count(*) filter (where state in ('done', 'rolled-back')) > 0
        and run_id not in (
          select (payload->>'run')::bigint from ${auditLog} where action = 'run.summarised'
        )
      order by run_id`)) as unknown as { rows?: { run_id: number | string }[] } | { run_id: number | string }[];
    const ids = (Array.isArray(found) ? found : (found.rows ?? [])).map((r) => Number(r.run_id));
    if (ids.length === 0) return [];
    const [runRows, migrationRows, moveRows] = await Promise.all([
      store.db.select().from(runs).where(inArray(runs.id, ids)),
      store.db.select().from(migrations).where(inArray(migrations.runId, ids)).orderBy(migrations.id),
      store.db
        .select()
        .from(decisions)
        .where(and(inArray(decisions.runId, ids), eq(decisions.kind, 'move'))),
    ]);
    return runRows
      .sort((a, b) => a.id - b.id)
      .map((run) => ({
        run,
        migrations: migrationRows.filter((m) => m.runId === run.id),
        savings: new Map(moveRows.filter((d) => d.runId === run.id).map((d) => [d.workload, d.savingGPerH ?? 0])),
      }));
  } catch (err) {
    throw storeFault(err, 'cannot read which runs are applied', 'STORE_READ_FAILED');
  }
}

/** Marks a run summarised (an audit entry) and writes its messages, in one transaction. */
export async function recordSummarised(
  store: Store,
  runId: number,
  messages: readonly OutboxMessage[],
  now: Date,
): Promise<void> {
  try {
    await inTransaction(store, async (tx) => {
      await appendAuditIn(tx, now, {
        actor: 'shisa',
        action: 'run.summarised',
        subject: `run ${runId}`,
        payload: { run: runId, messages: messages.map((m) => m.key) },
      });
      await enqueueIn(tx, messages, now);
    });
  } catch (err) {
    throw storeFault(err, `cannot record the summary of run ${runId}`);
  }
}
