/**
 * The one PostgreSQL schema of shisa's state and history, for both drivers (embedded PGlite
 * and a PostgreSQL server). SQL migrations are generated from this file by drizzle-kit
 * (`npm run db:generate`) and committed in db/migrations/.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** One planning or rebalancing run. */
export const runs = pgTable(
  'runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    trigger: text('trigger').notNull(),
    startedAt: at('started_at').notNull(),
    finishedAt: at('finished_at'),
    fleet: text('fleet').notNull(),
    carbonSource: text('carbon_source').notNull(),
    /** Zones fresh / stale / missing, and the problem of each that is not fresh. */
    carbon: jsonb('carbon').notNull(),
    emissionsBefore: doublePrecision('emissions_before_g_per_h'),
    emissionsAfter: doublePrecision('emissions_after_g_per_h'),
    lowerBound: doublePrecision('lower_bound_g_per_h'),
    gap: doublePrecision('gap'),
    /** proven | unprovable | not-run */
    verdict: text('verdict').notNull(),
    /** running | planned | unprovable | failed */
    status: text('status').notNull(),
    /** Milliseconds per phase. */
    timings: jsonb('timings').notNull(),
    /**
     * What the run decided from: { files: [{ file, sha256 }], carbon: sha256 } — each input
     * file's digest and one over the carbon signals. Absent on runs recorded before it was kept.
     */
    inputs: jsonb('inputs'),
  },
  (t) => [check('runs_trigger', sql`${t.trigger} in ('cron', 'manual', 'api')`), index('runs_started').on(t.startedAt)],
);

/** The moves of a run and, for every flexible workload that stays, why. */
export const decisions = pgTable(
  'decisions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: bigint('run_id', { mode: 'number' })
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    /** move | kept */
    kind: text('kind').notNull(),
    workload: text('workload').notNull(),
    fromRegion: text('from_region').notNull(),
    toRegion: text('to_region'),
    savingGPerH: doublePrecision('saving_g_per_h'),
    reason: text('reason'),
    detail: text('detail'),
  },
  (t) => [check('decisions_kind', sql`${t.kind} in ('move', 'kept')`), index('decisions_run').on(t.runId)],
);

export const MIGRATION_STATES = [
  'planned',
  'creating',
  'target-created',
  'target-ready',
  'verifying',
  'removing-source',
  'source-removed',
  'done',
  'rolling-back',
  'rolled-back',
  'skipped',
  'failed',
] as const;
const quoted = (xs: readonly string[]) => sql.raw(xs.map((x) => `'${x}'`).join(', '));

/** The journal of each migration: its state machine, every transition timestamped. */
export const migrations = pgTable(
  'migrations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: bigint('run_id', { mode: 'number' })
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    workload: text('workload').notNull(),
    fromRegion: text('from_region').notNull(),
    toRegion: text('to_region').notNull(),
    /**
     * Where the proven make-before-break order puts it: batches run one after another (from
     * 0), the moves of a batch together; position orders the run's migrations as proven.
     * Absent on migrations journaled before the order was kept.
     */
    batch: integer('batch'),
    position: integer('position'),
    state: text('state').notNull(),
    /** [{ state, at }], oldest first. */
    transitions: jsonb('transitions').notNull(),
    updatedAt: at('updated_at').notNull(),
    /**
     * What the plan knew of the workload when it was journaled ({ cpu, memory_gib, intent,
     * depends_on }), so an executor can tell that it changed since. Absent on older rows.
     */
    planned: jsonb('planned'),
    /** Why it was skipped, rolled back or failed; absent otherwise. */
    reason: text('reason'),
  },
  (t) => [
    check('migrations_state', sql`${t.state} in (${quoted(MIGRATION_STATES)})`),
    index('migrations_run').on(t.runId),
  ],
);

/** Every carbon reading fetched: the cache of last good values and the history behind reports. */
export const carbonReadings = pgTable(
  'carbon_readings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    zone: text('zone').notNull(),
    datetime: at('datetime').notNull(),
    intensity: doublePrecision('intensity').notNull(),
    estimated: boolean('estimated').notNull(),
    source: text('source').notNull(),
    fetchedAt: at('fetched_at').notNull(),
  },
  (t) => [uniqueIndex('carbon_readings_zone_time_source').on(t.zone, t.datetime, t.source)],
);

/** What a human may need to hear about, by kind (the exceptions table's check). */
export const EXCEPTION_KINDS = [
  'unprovable',
  'stale-feed',
  'rollback',
  'breaker',
  'unreachable-cluster',
  'config-rejected',
  'drift',
] as const;

/** Unprovable States, stale feeds, rollbacks, tripped breakers: what a human may need to hear. */
export const exceptions = pgTable(
  'exceptions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: bigint('run_id', { mode: 'number' }).references(() => runs.id, { onDelete: 'set null' }),
    kind: text('kind').notNull(),
    /** What it concerns (an obligation, a zone, a workload, a destination). */
    concerns: text('concerns').notNull(),
    detail: jsonb('detail').notNull(),
    createdAt: at('created_at').notNull(),
    notifiedAt: at('notified_at'),
    /**
     * The exception that opened this one's episode (the same kind about the same thing, still
     * open when this was seen); null for the opener. Only an opener is told, and cleared.
     */
    episodeOf: bigint('episode_of', { mode: 'number' }),
    /** When the episode this exception opened was seen to clear (its "resolved" was told then). */
    resolvedAt: at('resolved_at'),
  },
  (t) => [
    check('exceptions_kind', sql`${t.kind} in (${quoted(EXCEPTION_KINDS)})`),
    index('exceptions_open').on(t.kind, t.concerns),
  ],
);

/**
 * Append-only. Each entry stores the hash of the entry before it and of its own canonical
 * content, so an edit, a deletion or a reordering breaks the chain where it happened.
 */
export const auditLog = pgTable('audit_log', {
  /** 1, 2, 3, … with no gaps: assigned under the chain's lock, not by a sequence. */
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  at: at('at').notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  subject: text('subject').notNull(),
  payload: jsonb('payload').notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});

/**
 * The head of the audit chain (one row): the last entry's number and hash, written in the same
 * transaction as the entry, so removing entries from the end is detected too.
 */
export const auditHead = pgTable('audit_head', {
  id: integer('id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});

/** Notifications to deliver at least once; the key makes a retry a no-op for the receiver. */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    idempotencyKey: text('idempotency_key').notNull(),
    channel: text('channel').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: at('created_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at').notNull(),
    deliveredAt: at('delivered_at'),
    /** Set when the receiver refused it for good (a 4xx other than 429): never sent again. */
    failedAt: at('failed_at'),
    lastError: text('last_error'),
  },
  (t) => [uniqueIndex('outbox_idempotency_key').on(t.idempotencyKey)],
);

/** What `shisa serve` did at each tick of policy.schedule: started a run, or skipped it (one was going). */
export const scheduleTicks = pgTable(
  'schedule_ticks',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** When the tick came. */
    at: at('at').notNull(),
    outcome: text('outcome').notNull(),
    /** The run it started; for a skipped tick, the run that was still going (when known). */
    runId: bigint('run_id', { mode: 'number' }),
    detail: text('detail').notNull(),
  },
  (t) => [
    index('schedule_ticks_at').on(t.at),
    check('schedule_ticks_outcome', sql`${t.outcome} in ('started', 'skipped', 'busy')`),
  ],
);
