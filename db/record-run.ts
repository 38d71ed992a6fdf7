import { sql } from 'drizzle-orm';
import { appendAuditIn, appendAuditManyIn } from './audit-log.js';
import { bindRun, decisionContent, digestRows } from './audit-bindings.js';
import { journalPlanned, type JournalMove } from './migration-journal.js';
import { carbonReadings, decisions, exceptions, runs } from './schema.js';
import { inTransaction, type Executor, type Store } from './store.js';
import { storeFault } from './store-fault.js';

/** One run as the store keeps it: what was decided, on what data, and how it ended. */
export interface RunRecord {
  readonly trigger: 'cron' | 'manual' | 'api';
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly fleet: string;
  readonly carbonSource: string;
  readonly carbon: {
    readonly fresh: number;
    readonly zones: number;
    readonly notFresh: readonly { readonly zone: string; readonly status: string; readonly problem?: string }[];
  };
  /** Null when nothing was planned (the intents were unprovable). */
  readonly emissionsBefore: number | null;
  readonly emissionsAfter: number | null;
  readonly lowerBound: number | null;
  readonly gap: number | null;
  readonly verdict: 'proven' | 'unprovable' | 'not-run';
  readonly status: 'planned' | 'unprovable' | 'failed';
  readonly timings: Readonly<Record<string, number>>;
  readonly moves: readonly {
    readonly workload: string;
    readonly from: string;
    readonly to: string;
    readonly savingGPerH: number;
  }[];
  /**
   * The proven make-before-break order of `moves` (batch after batch), journaled as planned
   * migrations with their batch and position; empty unless the verdict is proven.
   */
  readonly order: readonly (readonly JournalMove[])[];
  /** Each input file's digest and one over the carbon signals: what the run decided from. */
  readonly inputs: {
    readonly files: readonly { readonly file: string; readonly sha256: string }[];
    readonly carbon: string;
  };
  /**
   * Workloads covered by an intent with `compliance { audit: true }`, with those intents'
   * names: each decision about one gets its own audit-log entry.
   */
  readonly audited: ReadonlyMap<string, readonly string[]>;
  readonly kept: readonly {
    readonly workload: string;
    readonly region: string;
    readonly reason: string;
    readonly detail: string;
  }[];
  readonly readings: readonly {
    readonly zone: string;
    readonly datetime: Date;
    readonly intensity: number;
    readonly estimated: boolean;
    readonly source: string;
  }[];
  readonly exceptions: readonly {
    readonly kind: 'unprovable' | 'stale-feed' | 'unreachable-cluster';
    readonly concerns: string;
    readonly detail: unknown;
  }[];
}

export interface RecordOptions {
  /**
   * Run first and last inside the transaction (the rebalancing lock's guard): when it
   * throws, the transaction rolls back and nothing of the run is written.
   */
  readonly guard?: (tx: Executor) => Promise<void>;
  /**
   * Run inside the transaction once the run is written, with its id and exceptions: what
   * must be written with it or not at all (the messages that tell of it, in the outbox).
   */
  readonly after?: (tx: Executor, written: RunWritten) => Promise<void>;
}

/** What a run's transaction wrote, for `after`. */
export interface RunWritten {
  readonly runId: number;
  /** The run's `finishedAt`: when what it found is told as found. */
  readonly finishedAt: Date;
  readonly exceptions: readonly ExceptionRow[];
}

export type ExceptionRow = typeof exceptions.$inferSelect;

/** Decisions per INSERT … SELECT unnest(…): large enough to be fast, small enough to keep messages modest. */
const CHUNK = 10_000;

/**
 * Records a run, its decisions, the readings it used, its exceptions and an audit entry
 * binding all of them in one transaction: all of it or, if anything fails (the database
 * goes away, the disk fills, the lock is lost), none of it. Returns the run's id. Failures
 * are StoreErrors whose message is one line naming the cause.
 */
export async function recordRun(store: Store, r: RunRecord, options: RecordOptions = {}): Promise<number> {
  try {
    return await inTransaction(store, async (tx) => {
      await options.guard?.(tx);
      const written = await writeRun(tx, r, store.driver);
      await options.after?.(tx, written);
      await options.guard?.(tx);
      return written.runId;
    });
  } catch (err) {
    throw storeFault(err, 'cannot record the run');
  }
}

async function writeRun(tx: Executor, r: RunRecord, driver: Store['driver']): Promise<RunWritten> {
  const [run] = await tx
    .insert(runs)
    .values({
      trigger: r.trigger,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      fleet: r.fleet,
      carbonSource: r.carbonSource,
      carbon: r.carbon,
      emissionsBefore: r.emissionsBefore,
      emissionsAfter: r.emissionsAfter,
      lowerBound: r.lowerBound,
      gap: r.gap,
      verdict: r.verdict,
      status: r.status,
      timings: r.timings,
      inputs: r.inputs,
    })
    .returning();
  const runId = run!.id;
  const rows = decisionRows(r);
  await insertDecisions(tx, runId, rows, driver);
  // The gate: only a proven plan's moves become migrations an executor will drive.
  const journaled = r.verdict === 'proven' ? await journalPlanned(tx, runId, r.order, r.finishedAt) : [];
  const fetchedAt = r.finishedAt;
  if (r.readings.length)
    await tx
      .insert(carbonReadings)
      .values(r.readings.map((x) => ({ ...x, fetchedAt })))
      .onConflictDoNothing();
  const excepted = await insertExceptions(tx, runId, r);
  await appendAuditIn(tx, r.finishedAt, {
    actor: 'shisa',
    action: 'run.recorded',
    subject: `run ${runId}`,
    payload: {
      trigger: r.trigger,
      fleet: r.fleet,
      verdict: r.verdict,
      status: r.status,
      moves: r.moves.length,
      kept: r.kept.length,
      emissionsAfter: r.emissionsAfter,
      rows: bindRun(
        run!,
        digestRows(rows, (x) => x),
        excepted,
        journaled,
      ),
    },
  });
  await auditDecisions(tx, runId, r);
  return { runId, finishedAt: r.finishedAt, exceptions: excepted };
}

/** The run's decisions as rows: its moves, then why each flexible workload stays. */
function decisionRows(r: RunRecord): ReturnType<typeof decisionContent>[] {
  return [
    ...r.moves.map((m) =>
      decisionContent({
        kind: 'move',
        workload: m.workload,
        fromRegion: m.from,
        toRegion: m.to,
        savingGPerH: m.savingGPerH,
        reason: null,
        detail: null,
      }),
    ),
    ...r.kept.map((k) =>
      decisionContent({
        kind: 'kept',
        workload: k.workload,
        fromRegion: k.region,
        toRegion: null,
        savingGPerH: null,
        reason: k.reason,
        detail: k.detail,
      }),
    ),
  ];
}

async function insertExceptions(tx: Executor, runId: number, r: RunRecord) {
  if (r.exceptions.length === 0) return [];
  return tx
    .insert(exceptions)
    .values(
      r.exceptions.map((e) => ({
        runId,
        kind: e.kind,
        concerns: e.concerns,
        detail: e.detail,
        createdAt: r.finishedAt,
      })),
    )
    .returning();
}

/** One audit entry per decision about an audited workload, after the run's own entry. */
async function auditDecisions(tx: Executor, runId: number, r: RunRecord): Promise<void> {
  if (r.audited.size === 0) return;
  const entry = (workload: string, decision: Record<string, unknown>) => ({
    actor: 'shisa',
    action: 'decision.audited',
    subject: `workload ${workload}`,
    payload: { run: runId, intents: r.audited.get(workload), verdict: r.verdict, ...decision },
  });
  const entries = [
    ...r.moves
      .filter((m) => r.audited.has(m.workload))
      .map((m) => entry(m.workload, { decision: 'move', from: m.from, to: m.to, savingGPerH: m.savingGPerH })),
    ...r.kept
      .filter((k) => r.audited.has(k.workload))
      .map((k) => entry(k.workload, { decision: 'kept', region: k.region, reason: k.reason, detail: k.detail })),
  ];
  await appendAuditManyIn(tx, r.finishedAt, entries);
}

/**
 * Tens of thousands of decisions: one statement per column-array chunk (unnest), which both
 * drivers send as a handful of parameters instead of one per value.
 *
 * On the embedded database the foreign key's per-row check is skipped for these rows (the
 * replica role fires no triggers, and foreign keys are triggers): every row references the run
 * this transaction has just inserted, which no other session can see, let alone delete, so
 * the check cannot fail, and under WebAssembly it was half the insert's time (0.6 of 1.2 s
 * for 100,000 rows). Not-null, check and key constraints still hold. A PostgreSQL server checks
 * them natively, and its role may not be allowed to change this setting.
 */
async function insertDecisions(
  tx: Executor,
  runId: number,
  rows: readonly (readonly unknown[])[],
  driver: Store['driver'],
): Promise<void> {
  const ownRun = driver === 'pglite' && rows.length > 0;
  if (ownRun) await tx.execute(sql`set local session_replication_role = replica`);
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const text = (k: number) => sql`${sql.param(chunk.map((row) => row[k] as string | null))}::text[]`;
    const numbers = (k: number) => sql`${sql.param(chunk.map((row) => row[k] as number | null))}::float8[]`;
    const columns = sql.join([text(0), text(1), text(2), text(3), numbers(4), text(5), text(6)], sql`, `);
    await tx.execute(sql`insert into ${decisions}
      (run_id, kind, workload, from_region, to_region, saving_g_per_h, reason, detail)
      select ${runId}, * from unnest(${columns})`);
  }
  if (ownRun) await tx.execute(sql`set local session_replication_role = origin`);
}
