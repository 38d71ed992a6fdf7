import { createHash } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
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

/** The hash before the first entry. */
export const GENESIS = '0'.repeat(64);

/** A stable lock number for the chain (pg_advisory_xact_lock), the same on every replica. */
const CHAIN_LOCK = 0x5_3415_a0d17;

/**
 * JSON with object keys sorted at every level: the same value always gives the same text,
 * whatever order its keys were built (or stored by jsonb) in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** sha256 of the previous hash and the entry's canonical content, hex. */
export function entryHash(prevHash: string, seq: number, at: Date, c: AuditContent): string {
  const content = canonicalJson({ seq, at: at.toISOString(), actor: c.actor, action: c.action, subject: c.subject, payload: c.payload });
  return createHash('sha256').update(`${prevHash}\n${content}`).digest('hex');
}

/**
 * Appends one entry in its own transaction, under a lock every replica takes, so entries are
 * numbered 1, 2, 3… without gaps and each links to the one before. Returns its number.
 */
export async function appendAudit(store: Store, at: Date, c: AuditContent): Promise<number> {
  return inTransaction(store, (tx) => appendAuditIn(tx, at, c));
}

/** The same, inside a transaction the caller holds (so the entry commits with what it records). */
export async function appendAuditIn(tx: Executor, at: Date, c: AuditContent): Promise<number> {
  await tx.execute(sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`);
  const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, 1));
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? GENESIS;
  const hash = entryHash(prevHash, seq, at, c);
  await tx.insert(auditLog).values({ seq, at, actor: c.actor, action: c.action, subject: c.subject, payload: c.payload, prevHash, hash });
  await tx.insert(auditHead).values({ id: 1, seq, hash }).onConflictDoUpdate({ target: auditHead.id, set: { seq, hash } });
  return seq;
}

/** Where the chain first breaks, and how; undefined when it is intact. */
export interface AuditBreak {
  readonly seq: number;
  readonly problem: string;
}

/**
 * Walks the chain from the first entry: numbers must run 1, 2, 3… (a deletion or a
 * reordering leaves a gap or a wrong link), each entry must link to the hash of the one
 * before, its own hash must match its content (an edit), and the head must name the last
 * entry (removing entries from the end).
 */
export async function verifyAudit(store: Store): Promise<{ readonly entries: number; readonly broken?: AuditBreak }> {
  const rows = await store.db.select().from(auditLog).orderBy(asc(auditLog.seq));
  let prev = GENESIS;
  let expected = 1;
  for (const r of rows) {
    if (r.seq !== expected) return { entries: rows.length, broken: { seq: r.seq, problem: `entry ${expected} is missing (found ${r.seq} next)` } };
    if (r.prevHash !== prev) return { entries: rows.length, broken: { seq: r.seq, problem: 'does not link to the entry before it' } };
    const hash = entryHash(prev, r.seq, r.at, { actor: r.actor, action: r.action, subject: r.subject, payload: r.payload });
    if (hash !== r.hash) return { entries: rows.length, broken: { seq: r.seq, problem: 'its content does not match its hash (edited)' } };
    prev = r.hash;
    expected++;
  }
  const [head] = await store.db.select().from(auditHead).where(eq(auditHead.id, 1));
  const last = rows.at(-1);
  if ((head?.seq ?? 0) !== (last?.seq ?? 0) || (head?.hash ?? GENESIS) !== (last?.hash ?? GENESIS)) {
    return { entries: rows.length, broken: { seq: (last?.seq ?? 0) + 1, problem: `the chain's head names entry ${head?.seq ?? 0}, but the log ends at ${last?.seq ?? 0} (entries removed from the end)` } };
  }
  return { entries: rows.length };
}
