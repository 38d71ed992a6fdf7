import { eq, sql } from 'drizzle-orm';
import { MIGRATION_STATES, migrations } from './schema.js';
import { inTransaction, type Executor, type Store } from './store.js';
import { StoreError } from './store-error.js';

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

/** Journals a proven plan's moves as planned migrations (inside the run's transaction). */
export async function journalPlanned(tx: Executor, runId: number, moves: readonly { readonly workload: string; readonly from: string; readonly to: string }[], at: Date): Promise<void> {
  if (moves.length === 0) return;
  await tx.insert(migrations).values(moves.map((m) => ({ runId, workload: m.workload, fromRegion: m.from, toRegion: m.to, state: 'planned', transitions: [{ state: 'planned', at: at.toISOString() }], updatedAt: at })));
}

/**
 * Moves one migration to its next state, timestamped, if the state machine allows it from
 * where it is (read under a row lock, so two executors cannot both advance it).
 */
export async function advanceMigration(store: Store, id: number, to: MigrationState, at: Date): Promise<void> {
  await inTransaction(store, async (tx) => {
    const rows = (await tx.execute(sql`select state from ${migrations} where id = ${id} for update`)) as unknown as { rows?: { state: string }[] } | { state: string }[];
    const row = (Array.isArray(rows) ? rows : (rows.rows ?? []))[0];
    if (!row) throw new StoreError('MIGRATION_UNKNOWN', `no migration ${id} is journaled`);
    const from = row.state as MigrationState;
    if (!TRANSITIONS[from].includes(to)) throw new StoreError('MIGRATION_TRANSITION', `migration ${id} cannot go from ${from} to ${to} (allowed: ${TRANSITIONS[from].join(', ') || 'none, it is finished'})`);
    await tx
      .update(migrations)
      .set({ state: to, updatedAt: at, transitions: sql`${migrations.transitions} || ${JSON.stringify([{ state: to, at: at.toISOString() }])}::jsonb` })
      .where(eq(migrations.id, id));
  });
}
