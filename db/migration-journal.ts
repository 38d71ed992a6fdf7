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

/** A move as the journal takes it: the plan's own move objects, in the proven order. */
export interface JournalMove {
  readonly workload: string;
  readonly from: string;
  readonly to: string;
}

/**
 * Journals a proven plan's moves as planned migrations (inside the run's transaction), in
 * the proven make-before-break order: each row keeps its batch and its position in the
 * whole order, so an executor follows exactly what was proven. Returns the rows.
 */
export async function journalPlanned(
  tx: Executor,
  runId: number,
  batches: readonly (readonly JournalMove[])[],
  at: Date,
): Promise<MigrationRow[]> {
  const ordered = batches.flatMap((moves, batch) => moves.map((m) => ({ m, batch })));
  if (ordered.length === 0) return [];
  const column = <T>(pick: (o: (typeof ordered)[number]) => T) => sql.param(ordered.map(pick));
  const planned = JSON.stringify([{ state: 'planned', at: at.toISOString() }]);
  // Thousands of moves as four column arrays (unnest), not nine parameters per row; the
  // columns in the table's order, ids drawn in the proven order.
  return tx
    .insert(migrations)
    .select(
      sql`select nextval(pg_get_serial_sequence('migrations', 'id')), ${runId}::bigint, u.workload, u.from_region,
        u.to_region, u.batch, (u.n - 1)::integer, 'planned', ${planned}::jsonb, ${at.toISOString()}::timestamptz
        from unnest(${column((o) => o.m.workload)}::text[], ${column((o) => o.m.from)}::text[],
          ${column((o) => o.m.to)}::text[], ${column((o) => o.batch)}::integer[])
          with ordinality as u(workload, from_region, to_region, batch, n)
        order by u.n`,
    )
    .returning();
}

/** One step of the state machine, from the state the caller saw to the next. */
export interface Transition {
  readonly from: MigrationState;
  readonly to: MigrationState;
}

/**
 * How an advance ended: done, or lost — the migration had already left `from` (another
 * replica or an earlier attempt advanced it), so nothing was written. Losing is expected
 * when several executors run; it is a value, not an error.
 */
export type Advance =
  | { readonly ok: true; readonly row: MigrationRow }
  | { readonly ok: false; readonly reason: 'lost'; readonly state: MigrationState; readonly message: string };

/**
 * Moves one migration from the state the caller saw to the next, timestamped, only if it is
 * still there (read under a row lock, so of two executors exactly one wins), with an audit
 * entry binding the row as it now is. A transition the state machine does not have, or a
 * migration that was never journaled, is a StoreError (the caller's mistake, not a race).
 */
export async function advanceMigration(store: Store, id: number, step: Transition, at: Date): Promise<Advance> {
  if (!TRANSITIONS[step.from].includes(step.to))
    throw new StoreError(
      'MIGRATION_TRANSITION',
      `migration ${id} cannot go from ${step.from} to ${step.to} ` +
        `(allowed: ${TRANSITIONS[step.from].join(', ') || 'none, it is finished'})`,
    );
  try {
    return await inTransaction(store, (tx) => advanceIn(tx, id, step, at));
  } catch (err) {
    throw storeFault(err, `cannot advance migration ${id}`);
  }
}

async function advanceIn(tx: Executor, id: number, step: Transition, at: Date): Promise<Advance> {
  const locked = (await tx.execute(sql`select state from ${migrations} where id = ${id} for update`)) as unknown as
    { rows?: { state: string }[] } | { state: string }[];
  const current = (Array.isArray(locked) ? locked : (locked.rows ?? []))[0];
  if (!current) throw new StoreError('MIGRATION_UNKNOWN', `no migration ${id} is journaled`);
  const state = current.state as MigrationState;
  if (state !== step.from)
    return {
      ok: false,
      reason: 'lost',
      state,
      message: `migration ${id} is ${state}, no longer ${step.from}: it was advanced elsewhere; nothing was written`,
    };
  const entry = JSON.stringify([{ state: step.to, at: at.toISOString() }]);
  const [row] = await tx
    .update(migrations)
    .set({ state: step.to, updatedAt: at, transitions: sql`${migrations.transitions} || ${entry}::jsonb` })
    .where(eq(migrations.id, id))
    .returning();
  await appendAuditIn(tx, at, {
    actor: 'shisa',
    action: 'migration.advanced',
    subject: `migration ${id}`,
    payload: { migration: id, run: row!.runId, from: step.from, to: step.to, row: rowDigest(row) },
  });
  return { ok: true, row: row! };
}
