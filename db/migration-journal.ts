import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { exceptions, MIGRATION_STATES, migrations } from './schema.js';
import { inTransaction, type Executor, type Store } from './store.js';
import { appendAuditIn } from './audit-log.js';
import { exceptionDigest, migrationDigest } from './audit-bindings.js';
import { StoreError } from './store-error.js';
import { storeFault } from './store-fault.js';

export type MigrationState = (typeof MIGRATION_STATES)[number];

/**
 * The migration state machine the executor drives (make-before-break): the new copy is
 * created, becomes ready, is verified, then the old copy is removed. Each effect on a cluster
 * is journaled before it starts (`creating`, `removing-source`, `rolling-back`) and after it
 * took (`target-created`, `source-removed`, `rolled-back`), so a process killed at any
 * instant leaves a state that says what may have happened. Until the source starts going
 * any failure rolls back; once it has, the removal is only ever finished, never undone.
 */
export const TRANSITIONS: Readonly<Record<MigrationState, readonly MigrationState[]>> = {
  planned: ['creating', 'skipped', 'failed'],
  creating: ['target-created', 'rolling-back'],
  'target-created': ['target-ready', 'rolling-back'],
  'target-ready': ['verifying', 'rolling-back'],
  verifying: ['removing-source', 'rolling-back'],
  'removing-source': ['source-removed', 'failed'],
  'source-removed': ['done', 'failed'],
  done: [],
  'rolling-back': ['rolled-back', 'failed'],
  'rolled-back': [],
  skipped: [],
  failed: [],
};

/** States a migration ends in. */
export const FINISHED: readonly MigrationState[] = ['done', 'rolled-back', 'skipped', 'failed'];

/** What the plan knew of a workload when its move was journaled (the migration's `planned`). */
export interface PlannedFacts {
  readonly cpu: number;
  readonly memory_gib: number;
  readonly intent: string | null;
  readonly depends_on: readonly string[];
}

export type MigrationRow = typeof migrations.$inferSelect;

/** A move as the journal takes it: the plan's own move objects, in the proven order. */
export interface JournalMove {
  readonly workload: string;
  readonly from: string;
  readonly to: string;
  /** What the plan knew of the workload, for the executor to see whether it changed. */
  readonly planned?: PlannedFacts;
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
  // Thousands of moves as five column arrays (unnest), not eleven parameters per row; the
  // columns in the table's order, ids drawn in the proven order.
  return tx
    .insert(migrations)
    .select(
      sql`select nextval(pg_get_serial_sequence('migrations', 'id')), ${runId}::bigint, u.workload, u.from_region,
        u.to_region, u.batch, (u.n - 1)::integer, 'planned', ${planned}::jsonb, ${at.toISOString()}::timestamptz,
        u.facts::jsonb, null
        from unnest(${column((o) => o.m.workload)}::text[], ${column((o) => o.m.from)}::text[],
          ${column((o) => o.m.to)}::text[], ${column((o) => o.batch)}::integer[],
          ${column((o) => (o.m.planned ? JSON.stringify(o.m.planned) : null))}::text[])
          with ordinality as u(workload, from_region, to_region, batch, facts, n)
        order by u.n`,
    )
    .returning();
}

/** One step of the state machine, from the state the caller saw to the next. */
export interface Transition {
  readonly from: MigrationState;
  readonly to: MigrationState;
  /** Why (a skip, a rollback, a failure): kept on the row and in the audit entry. */
  readonly reason?: string;
  /**
   * An exception for people, written in the same transaction as the step (a rollback), with
   * an audit entry of its own that binds it.
   */
  readonly exception?: { readonly kind: 'rollback'; readonly detail: Readonly<Record<string, unknown>> };
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
export async function advanceMigration(
  store: Store,
  id: number,
  step: Transition,
  at: Date,
  onException?: OnException,
): Promise<Advance> {
  if (!TRANSITIONS[step.from].includes(step.to))
    throw new StoreError(
      'MIGRATION_TRANSITION',
      `migration ${id} cannot go from ${step.from} to ${step.to} ` +
        `(allowed: ${TRANSITIONS[step.from].join(', ') || 'none, it is finished'})`,
    );
  try {
    return await inTransaction(store, (tx) => advanceIn(tx, id, step, at, onException));
  } catch (err) {
    throw storeFault(err, `cannot advance migration ${id}`);
  }
}

/** Run in the transaction that records a migration's exception: what must be written with it (its messages). */
export type OnException = (tx: Executor, exception: typeof exceptions.$inferSelect) => Promise<void>;

async function advanceIn(
  tx: Executor,
  id: number,
  step: Transition,
  at: Date,
  onException?: OnException,
): Promise<Advance> {
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
    .set({
      state: step.to,
      updatedAt: at,
      transitions: sql`${migrations.transitions} || ${entry}::jsonb`,
      ...(step.reason !== undefined ? { reason: step.reason } : {}),
    })
    .where(eq(migrations.id, id))
    .returning();
  await appendAuditIn(tx, at, {
    actor: 'shisa',
    action: 'migration.advanced',
    subject: `migration ${id}`,
    payload: {
      migration: id,
      run: row!.runId,
      from: step.from,
      to: step.to,
      ...(step.reason !== undefined ? { reason: step.reason } : {}),
      row: migrationDigest(row!),
    },
  });
  if (step.exception) await onException?.(tx, await recordException(tx, row!, step.exception, at));
  return { ok: true, row: row! };
}

/**
 * An exception about a migration, bound by an `exception.recorded` audit entry of its own
 * (the run's entry was written before it and binds only the run's own exceptions).
 */
async function recordException(
  tx: Executor,
  row: MigrationRow,
  exception: NonNullable<Transition['exception']>,
  at: Date,
): Promise<typeof exceptions.$inferSelect> {
  const [written] = await tx
    .insert(exceptions)
    .values({
      runId: row.runId,
      kind: exception.kind,
      concerns: row.workload,
      detail: { migration: row.id, from: row.fromRegion, to: row.toRegion, ...exception.detail },
      createdAt: at,
    })
    .returning();
  await appendAuditIn(tx, at, {
    actor: 'shisa',
    action: 'exception.recorded',
    subject: `exception ${written!.id}`,
    payload: { exception: written!.id, run: row.runId, kind: exception.kind, row: exceptionDigest(written!) },
  });
  return written!;
}

/** The migrations of a run, in the proven order. */
export async function runMigrations(store: Store, runId: number): Promise<MigrationRow[]> {
  try {
    return await store.db
      .select()
      .from(migrations)
      .where(eq(migrations.runId, runId))
      .orderBy(asc(migrations.position), asc(migrations.id));
  } catch (err) {
    throw storeFault(err, `cannot read the migrations of run ${runId}`, 'STORE_READ_FAILED');
  }
}

/** Every migration not finished, oldest first: what a start of the executor must settle. */
export async function unfinishedMigrations(store: Store): Promise<MigrationRow[]> {
  const open = MIGRATION_STATES.filter((s) => !FINISHED.includes(s));
  try {
    return await store.db
      .select()
      .from(migrations)
      .where(inArray(migrations.state, [...open]))
      .orderBy(asc(migrations.id));
  } catch (err) {
    throw storeFault(err, 'cannot read the migration journal', 'STORE_READ_FAILED');
  }
}

/** A workload's latest migration, whatever its state (drift asks whether its last move is to blame). */
export async function latestMigrationOf(store: Store, workload: string): Promise<MigrationRow | undefined> {
  try {
    const [row] = await store.db
      .select()
      .from(migrations)
      .where(eq(migrations.workload, workload))
      .orderBy(desc(migrations.id))
      .limit(1);
    return row;
  } catch (err) {
    throw storeFault(err, 'cannot read the migration journal', 'STORE_READ_FAILED');
  }
}

/** Runs with planned migrations left of which at least one has started: what an interrupted apply leaves. */
export async function startedRuns(store: Store): Promise<number[]> {
  try {
    const rows = await store.db
      .selectDistinct({ runId: migrations.runId })
      .from(migrations)
      .where(
        and(
          eq(migrations.state, 'planned'),
          sql`exists (select 1 from ${migrations} m where m.run_id = ${migrations.runId} and m.state <> 'planned')`,
        ),
      );
    return rows.map((r) => r.runId);
  } catch (err) {
    throw storeFault(err, 'cannot read the migration journal', 'STORE_READ_FAILED');
  }
}
