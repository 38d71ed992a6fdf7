import { createHash } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import { checkBindings } from './audit-bindings.js';
import { canonicalJson } from './canonical-json.js';
import { storeFault } from './store-fault.js';
import { auditHead, auditLog } from './schema.js';
import { inTransaction, type Executor, type Store } from './store.js';

/** What an audit entry says; who appended it and when are given with it. */
export interface AuditContent {
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  /** Any JSON value. */
  readonly payload: unknown;
}

export { canonicalJson } from './canonical-json.js';

/** The hash before the first entry. */
export const GENESIS = '0'.repeat(64);

/** A stable lock number for the chain (pg_advisory_xact_lock), the same on every replica. */
const CHAIN_LOCK = 0x5_3415_a0d17;

/** sha256 of the previous hash and the entry's canonical content, hex. */
export function entryHash(prevHash: string, seq: number, at: Date, c: AuditContent): string {
  const content = canonicalJson({
    seq,
    at: at.toISOString(),
    actor: c.actor,
    action: c.action,
    subject: c.subject,
    payload: c.payload,
  });
  return createHash('sha256').update(`${prevHash}\n${content}`).digest('hex');
}

/**
 * Appends one entry in its own transaction, under a lock every replica takes, so entries are
 * numbered 1, 2, 3… without gaps and each links to the one before. Returns its number.
 */
export async function appendAudit(store: Store, at: Date, c: AuditContent): Promise<number> {
  try {
    return await inTransaction(store, (tx) => appendAuditIn(tx, at, c));
  } catch (err) {
    throw storeFault(err, 'cannot append to the audit log');
  }
}

/** The same, inside a transaction the caller holds (so the entry commits with what it records). */
export async function appendAuditIn(tx: Executor, at: Date, c: AuditContent): Promise<number> {
  await tx.execute(sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`);
  const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, 1));
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? GENESIS;
  const hash = entryHash(prevHash, seq, at, c);
  await tx
    .insert(auditLog)
    .values({ seq, at, actor: c.actor, action: c.action, subject: c.subject, payload: c.payload, prevHash, hash });
  await tx
    .insert(auditHead)
    .values({ id: 1, seq, hash })
    .onConflictDoUpdate({ target: auditHead.id, set: { seq, hash } });
  return seq;
}

/**
 * Several entries in order, inside the caller's transaction: one lock and one head update for
 * all of them (a run may audit thousands of decisions). Returns the first entry's number.
 */
export async function appendAuditManyIn(tx: Executor, at: Date, contents: readonly AuditContent[]): Promise<number> {
  await tx.execute(sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`);
  const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, 1));
  const first = (head?.seq ?? 0) + 1;
  let prevHash = head?.hash ?? GENESIS;
  const rows = contents.map((c, k) => {
    const seq = first + k;
    const hash = entryHash(prevHash, seq, at, c);
    const row = { seq, at, actor: c.actor, action: c.action, subject: c.subject, payload: c.payload, prevHash, hash };
    prevHash = hash;
    return row;
  });
  if (rows.length === 0) return first;
  for (let i = 0; i < rows.length; i += MANY_CHUNK) await tx.insert(auditLog).values(rows.slice(i, i + MANY_CHUNK));
  const last = rows[rows.length - 1]!;
  await tx
    .insert(auditHead)
    .values({ id: 1, seq: last.seq, hash: last.hash })
    .onConflictDoUpdate({ target: auditHead.id, set: { seq: last.seq, hash: last.hash } });
  return first;
}

/** Entries per INSERT: eight columns each, well under the protocol's 65,535 parameters. */
const MANY_CHUNK = 2_000;

/** Where the chain or the rows it binds first break, and how; undefined when intact. */
export interface AuditBreak {
  /** The entry concerned; absent for rows that no entry records. */
  readonly seq?: number;
  readonly problem: string;
}

export interface AuditVerdict {
  readonly entries: number;
  readonly broken?: AuditBreak;
  /** Every problem found with the rows the chain binds (the first is `broken`), at most 20. */
  readonly problems?: readonly AuditBreak[];
}

/**
 * Walks the chain from the first entry: numbers must run 1, 2, 3… (a deletion or a
 * reordering leaves a gap or a wrong link), each entry must link to the hash of the one
 * before, its own hash must match its content (an edit), and the head must name the last
 * entry (removing entries from the end). Then, on an intact chain, checks that the rows each
 * entry records are still there as recorded, and that no recordable row lacks an entry.
 */
export async function verifyAudit(store: Store): Promise<AuditVerdict> {
  let rows;
  try {
    rows = await store.db.select().from(auditLog).orderBy(asc(auditLog.seq));
  } catch (err) {
    throw storeFault(err, 'cannot read the audit log', 'STORE_READ_FAILED');
  }
  const chain = await verifyChain(store, rows);
  if (chain) return { entries: rows.length, broken: chain };
  let problems;
  try {
    problems = await checkBindings(store, rows);
  } catch (err) {
    throw storeFault(err, 'cannot read the rows the audit log records', 'STORE_READ_FAILED');
  }
  return problems.length
    ? { entries: rows.length, broken: problems[0]!, problems: problems.slice(0, 20) }
    : { entries: rows.length };
}

async function verifyChain(store: Store, rows: (typeof auditLog.$inferSelect)[]): Promise<AuditBreak | undefined> {
  let prev = GENESIS;
  let expected = 1;
  for (const r of rows) {
    if (r.seq !== expected) return { seq: r.seq, problem: `entry ${expected} is missing (found ${r.seq} next)` };
    if (r.prevHash !== prev) return { seq: r.seq, problem: 'does not link to the entry before it' };
    const hash = entryHash(prev, r.seq, r.at, {
      actor: r.actor,
      action: r.action,
      subject: r.subject,
      payload: r.payload,
    });
    if (hash !== r.hash) return { seq: r.seq, problem: 'its content does not match its hash (edited)' };
    prev = r.hash;
    expected++;
  }
  const [head] = await store.db.select().from(auditHead).where(eq(auditHead.id, 1));
  const last = rows.at(-1);
  if ((head?.seq ?? 0) !== (last?.seq ?? 0) || (head?.hash ?? GENESIS) !== (last?.hash ?? GENESIS)) {
    return {
      seq: (last?.seq ?? 0) + 1,
      problem:
        `the chain's head names entry ${head?.seq ?? 0}, but the log ends at ${last?.seq ?? 0} ` +
        '(entries removed from the end)',
    };
  }
  return undefined;
}
