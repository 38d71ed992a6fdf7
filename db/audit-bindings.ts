import { asc, eq } from 'drizzle-orm';
import { rowDigest, RowsDigest } from './row-digest.js';
import { auditLog, decisions, exceptions, migrations, runs } from './schema.js';
import type { Executor, Store } from './store.js';

/**
 * The hash chain proves the audit log itself was not edited; these bindings prove the rows an
 * entry records were not either. Each `run.recorded` entry carries digests of the rows its
 * transaction wrote — the run, its decisions and exceptions in order, each migration — and
 * each `migration.advanced` entry the digest of the migration after the step. `shisa audit
 * verify` recomputes them from the rows: a row deleted, edited or added behind shisa's back
 * no longer matches. (An exception's `notified_at`, `episode_of` and `resolved_at` are left out: its episode is
 * decided and cleared later; they are the notifier's bookkeeping, not what was found.)
 */
export interface RunBinding {
  readonly run: number;
  readonly row: string;
  readonly decisions: Digest;
  readonly exceptions: Digest;
  /** Migration id → digest of its row as journaled. */
  readonly migrations: Readonly<Record<string, string>>;
}

export interface Digest {
  readonly count: number;
  readonly sha256: string;
}

/** Where the rows a chain binds disagree with it. `seq` is the entry, when one is concerned. */
export interface BindingProblem {
  readonly seq?: number;
  readonly problem: string;
}

type RunRow = typeof runs.$inferSelect;
type MigrationRow = typeof migrations.$inferSelect;
type ExceptionRow = typeof exceptions.$inferSelect;
type AuditRow = typeof auditLog.$inferSelect;

/** A decision as it is bound: its content, in the order written (ids are the store's). */
export const decisionContent = (d: {
  kind: string;
  workload: string;
  fromRegion: string;
  toRegion: string | null;
  savingGPerH: number | null;
  reason: string | null;
  detail: string | null;
}) => [d.kind, d.workload, d.fromRegion, d.toRegion, d.savingGPerH, d.reason, d.detail] as const;

/** An exception as it is bound: everything but when it was notified. */
export const exceptionContent = (e: ExceptionRow) => ({
  ...e,
  notifiedAt: undefined,
  episodeOf: undefined,
  resolvedAt: undefined,
});

/** The digest an `exception.recorded` entry binds an exception the executor wrote by. */
export const exceptionDigest = (e: ExceptionRow): string => rowDigest(exceptionContent(e));
/**
 * The digest an audit entry binds a migration row by. Columns added after a row was first
 * bound are left out while they are empty, so that rows journaled before them still verify.
 */
export function migrationDigest(row: MigrationRow): string {
  return rowDigest({ ...row, planned: row.planned ?? undefined, reason: row.reason ?? undefined });
}

export function digestRows<T>(rows: readonly T[], content: (r: T) => unknown): Digest {
  const d = new RowsDigest();
  for (const r of rows) d.add(content(r));
  return d.done();
}

/** The binding of a run whose rows were just written (returned by the inserts). */
export function bindRun(
  run: RunRow,
  decided: Digest,
  excepted: readonly ExceptionRow[],
  journaled: readonly MigrationRow[],
): RunBinding {
  return {
    run: run.id,
    row: rowDigest(run),
    decisions: decided,
    exceptions: digestRows(excepted, exceptionContent),
    migrations: Object.fromEntries(journaled.map((m) => [String(m.id), migrationDigest(m)])),
  };
}

/** Checks every row the chain binds, and finds rows no entry binds. */
export async function checkBindings(store: Store, entries: readonly AuditRow[]): Promise<BindingProblem[]> {
  const expected = expectations(entries);
  const problems: BindingProblem[] = [];
  const runRows = new Map((await store.db.select().from(runs)).map((r) => [r.id, r]));
  for (const [id, exp] of expected.runs) {
    const row = runRows.get(id);
    if (!exp.binding) continue;
    if (!row) {
      problems.push({
        seq: exp.seq,
        problem: `run ${id}, which this entry records, is missing from the store (deleted)`,
      });
      continue;
    }
    problems.push(...(await checkRun(store.db, row, exp.seq, exp.binding, expected.exceptions)));
  }
  problems.push(...(await checkExceptions(store.db, expected.exceptions)));
  for (const id of runRows.keys()) {
    if (!expected.runs.has(id))
      problems.push({
        problem: `run ${id} is in the store but no audit entry records it (written behind shisa's back)`,
      });
  }
  const migrationRows = await store.db.select().from(migrations);
  const present = new Set(migrationRows.map((m) => m.id));
  for (const m of migrationRows) {
    const exp = expected.migrations.get(m.id);
    if (!exp) {
      if (!expected.runs.get(m.runId) || expected.runs.get(m.runId)?.binding)
        problems.push({ problem: `migration ${m.id} of run ${m.runId} is in the store but no audit entry records it` });
    } else if (migrationDigest(m) !== exp.digest) {
      problems.push({
        seq: exp.seq,
        problem:
          `migration ${m.id} of run ${m.runId} differs from what this entry recorded ` +
          `(edited; it is now ${m.state})`,
      });
    }
  }
  for (const [id, exp] of expected.migrations) {
    if (!present.has(id))
      problems.push({
        seq: exp.seq,
        problem: `migration ${id}, which this entry records, is missing from the store (deleted)`,
      });
  }
  return problems.sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity));
}

/** Exceptions the executor wrote, each bound by an entry of its own: present and as recorded. */
async function checkExceptions(db: Executor, bound: Expectations['exceptions']): Promise<BindingProblem[]> {
  if (bound.size === 0) return [];
  const rows = new Map((await db.select().from(exceptions)).map((e) => [e.id, e]));
  const out: BindingProblem[] = [];
  for (const [id, exp] of bound) {
    const row = rows.get(id);
    if (!row)
      out.push({
        seq: exp.seq,
        problem: `exception ${id}, which this entry records, is missing from the store (deleted)`,
      });
    else if (exceptionDigest(row) !== exp.digest)
      out.push({ seq: exp.seq, problem: `exception ${id} differs from what this entry recorded (edited)` });
  }
  return out;
}

async function checkRun(
  db: Executor,
  row: RunRow,
  seq: number,
  b: RunBinding,
  boundOnTheirOwn: Expectations['exceptions'],
): Promise<BindingProblem[]> {
  const out: BindingProblem[] = [];
  if (rowDigest(row) !== b.row)
    out.push({ seq, problem: `run ${row.id} differs from what this entry recorded (edited)` });
  const decided = digestRows(
    await db.select().from(decisions).where(eq(decisions.runId, row.id)).orderBy(asc(decisions.id)),
    decisionContent,
  );
  if (decided.sha256 !== b.decisions.sha256)
    out.push({
      seq,
      problem:
        `the decisions of run ${row.id} differ from what this entry recorded ` +
        `(${b.decisions.count} recorded, ${decided.count} now: deleted, added or edited)`,
    });
  // The run's own exceptions: those written later (a rollback's) have entries of their own.
  const own = (
    await db.select().from(exceptions).where(eq(exceptions.runId, row.id)).orderBy(asc(exceptions.id))
  ).filter((e) => !boundOnTheirOwn.has(e.id));
  const excepted = digestRows(own, exceptionContent);
  if (excepted.sha256 !== b.exceptions.sha256)
    out.push({
      seq,
      problem:
        `the exceptions of run ${row.id} differ from what this entry recorded ` +
        `(${b.exceptions.count} recorded, ${excepted.count} now)`,
    });
  return out;
}

interface Expectations {
  /** Run id → the entry that records it; `binding` absent for entries from before bindings. */
  readonly runs: Map<number, { seq: number; binding?: RunBinding }>;
  /** Migration id → the latest entry that binds it. */
  readonly migrations: Map<number, { seq: number; digest: string }>;
  /** Exception id → the `exception.recorded` entry that binds it. */
  readonly exceptions: Map<number, { seq: number; digest: string }>;
}

function expectations(entries: readonly AuditRow[]): Expectations {
  const out: Expectations = { runs: new Map(), migrations: new Map(), exceptions: new Map() };
  for (const e of entries) {
    const p = (e.payload ?? {}) as { rows?: RunBinding; migration?: number; exception?: number; row?: string };
    if (e.action === 'run.recorded' && p.rows) {
      out.runs.set(p.rows.run, { seq: e.seq, binding: p.rows });
      for (const [id, digest] of Object.entries(p.rows.migrations))
        out.migrations.set(Number(id), { seq: e.seq, digest });
    } else if (e.action === 'run.recorded') {
      const id = /^run (\d+)$/.exec(e.subject)?.[1];
      if (id) out.runs.set(Number(id), { seq: e.seq });
    } else if (e.action === 'migration.advanced' && typeof p.migration === 'number' && typeof p.row === 'string') {
      out.migrations.set(p.migration, { seq: e.seq, digest: p.row });
    } else if (e.action === 'exception.recorded' && typeof p.exception === 'number' && typeof p.row === 'string') {
      out.exceptions.set(p.exception, { seq: e.seq, digest: p.row });
    }
  }
  return out;
}
