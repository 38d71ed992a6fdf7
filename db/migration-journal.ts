import { eq, sql } from 'drizzle-orm';
import { MIGRATION_STATES, migrations } from './schema.js';
import { inTransaction, type Executor, type Store } from './store.js';
import { appendAuditIn } from './audit-log.js';
import { rowDigest } from './row-digest.js';
import { StoreError } from './store-error.js';
import { storeFault } from './store-fault.js';

export type MigrationState = (typeof MIGRATION_STATES)[number];

/**
 * The migration state machine the executor drives (make-before-break): the new copy is
 * created, becomes ready, is verified (eBPF probes), then the old copy is removed. Any step
 * before `done` may fail into a rollback.
 */
export const TRANSITIONS: Readonly<Record<MigrationState, readonly MigrationState[]>> = {
  planned: ['target-created', 'failed'],
  'target-created': ['target-ready', 'rolling-back'],
  'target-ready': ['verifying', 'rolling-back'],
  verifying: ['source-removed', 'rolling-back'],
  'source-removed': ['done', 'failed'],
  done: [],
  'rolling-back': ['rolled-back', 'failed'],
  'rolled-back': [],
  failed: [],
};

export type MigrationRow = typeof migrations.$inferSelect;

/** Journals a proven plan's moves as planned migrations (inside the run's transaction); returns the rows. */
export async function journalPlanned(
  tx: Executor,
  runId: number,
  moves: readonly { readonly workload: string; readonly from: string; readonly to: string }[],
  at: Date,
): Promise<MigrationRow[]> {
  if (moves.length === 0) return [];
  return tx
    .insert(migrations)
    .values(
      moves.map((m) => ({
        runId,
        workload: m.workload,
        fromRegion: m.from,
        toRegion: m.to,
        state: 'planned',
        transitions: [{ state: 'planned', at: at.toISOString() }],
        updatedAt: at,
      })),
    )
    .returning();
}

/**
 * Moves one migration to its next state, timestamped, if the state machine allows it from
 * where it is (read under a row lock, so two executors cannot both advance it), with an
 * audit entry binding the row as it now is.
 */
export async function advanceMigration(store: Store, id: number, to: MigrationState, at: Date): Promise<void> {
  try {
    await inTransaction(store, (tx) => advanceIn(tx, id, to, at));
  } catch (err) {
    throw storeFault(err, `cannot advance migration ${id}`);
  }
}

async function advanceIn(tx: Executor, id: number, to: MigrationState, at: Date): Promise<void> {
  const locked = (await tx.execute(sql`select state from ${migrations} where id = ${id} for update`)) as unknown as
    { rows?: { state: string }[] } | { state: string }[];
  const current = (Array.isArray(locked) ? locked : (locked.rows ?? []))[0];
  if (!current) throw new StoreError('MIGRATION_UNKNOWN', `no migration ${id} is journaled`);
  const from = current.state as MigrationState;
  if (!TRANSITIONS[from].includes(to))
    throw new StoreError(
      'MIGRATION_TRANSITION',
      `migration ${id} cannot go from ${from} to ${to} (allowed: ${TRANSITIONS[from].join(', ') || 'none, it is finished'})`,
    );
  const [row] = await tx
    .update(migrations)
    .set({
      state: to,
      updatedAt: at,
      transitions: sql`${migrations.transitions} || ${JSON.stringify([{ state: to, at: at.toISOString() }])}::jsonb`,
    })
    .where(eq(migrations.id, id))
    .returning();
  await appendAuditIn(tx, at, {
    actor: 'shisa',
    action: 'migration.advanced',
    subject: `migration ${id}`,
    payload: { migration: id, run: row!.runId, from, to, row: rowDigest(row) },
  });
}
