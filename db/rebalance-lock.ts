import { hostname } from 'node:os';
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Executor, Store } from './store.js';
import { StoreError } from './store-error.js';
import { storeFault } from './store-fault.js';

/** The same lock number on every replica (pg_try_advisory_lock); distinct from the audit chain's. */
const REBALANCE_LOCK = 0x5_3415_4ba1n;
/** How pg_locks shows a bigint advisory key: its high and low 32 bits. */
const CLASS_ID = Number(REBALANCE_LOCK >> 32n);
const OBJ_ID = Number(REBALANCE_LOCK & 0xffff_ffffn);

/**
 * A held rebalancing lock. It can be lost while held (the server drops the connection that
 * holds it: failover, restart, an idle timeout, an operator's pg_terminate_backend); a run
 * asks `lost()` between stages and calls `guard` inside every transaction that writes
 * under it, so nothing more is written once it is gone.
 */
export interface RebalanceLock {
  /** Why the lock is no longer held, or undefined while it is. */
  lost(): string | undefined;
  /** Throws STORE_LOCK_LOST inside `tx` (so the transaction rolls back) unless the lock is still held. */
  guard(tx: Executor): Promise<void>;
  release(): Promise<void>;
}

/** Taken, or held by someone else (as far as the store can tell who). */
export type RebalanceLockResult =
  { readonly ok: true; readonly lock: RebalanceLock } | { readonly ok: false; readonly holder: string };

/**
 * Takes the rebalancing lock without waiting. On a PostgreSQL server: a session advisory
 * lock on a connection of its own, held until released or that connection ends (so a
 * crashed scheduler never blocks the others). On the embedded database: the folder lock the
 * store already holds from open to close (no other process can have the folder open).
 */
export async function tryRebalanceLock(store: Store, holder: string): Promise<RebalanceLockResult> {
  if (store.target.kind === 'pglite') return { ok: true, lock: folderLock(store) };
  const url = store.target.url;
  // The PostgreSQL client is loaded only for a server (it is a tenth of a second of start-up).
  const { default: postgres } = await import('pg');
  const client = new postgres.Client({
    connectionString: url.reveal(),
    connectionTimeoutMillis: 5_000,
    application_name: `${holder} (pid ${process.pid} on ${hostname()})`.slice(0, 63),
  });
  let lostBecause: string | undefined;
  const lose = (why: string) => (lostBecause ??= why);
  // Without a listener, a dropped connection's 'error' would crash the process with a trace.
  client.on('error', (err) => lose(`the connection holding it failed: ${url.scrub(err.message.split('\n')[0] ?? '')}`));
  client.on('end', () => lose('the connection holding it closed'));
  try {
    await client.connect();
  } catch (err) {
    throw new StoreError(
      'STORE_UNAVAILABLE',
      `cannot reach the PostgreSQL server named by ${url.source}: ${url.scrub((err as Error).message)}`,
    );
  }
  let backend: number;
  try {
    const { rows } = await client.query<{ ok: boolean; pid: number }>(
      'select pg_try_advisory_lock($1) as ok, pg_backend_pid() as pid',
      [REBALANCE_LOCK.toString()],
    );
    if (!rows[0]?.ok) {
      const who = await currentHolder(client);
      await client.end();
      return { ok: false, holder: who };
    }
    backend = rows[0].pid;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw storeFault(err, 'cannot take the rebalancing lock', 'STORE_UNAVAILABLE', (s) => url.scrub(s));
  }
  let released = false;
  return {
    ok: true,
    lock: {
      lost: () => (released ? 'it was released' : lostBecause),
      async guard(tx) {
        if (lostBecause) throw lostError(lostBecause);
        // The server's own word: is the session that took the lock still holding it? A lock
        // whose connection died is gone on the server before the client may have noticed.
        const found = (await tx.execute(
          sql`select 1 as held from pg_locks
                where locktype = 'advisory' and granted and pid = ${backend}
                  and classid::text::bigint = ${CLASS_ID} and objid::text::bigint = ${OBJ_ID} and objsubid = 1`,
        )) as unknown as { rows?: unknown[] } | unknown[];
        const n = Array.isArray(found) ? found.length : (found.rows?.length ?? 0);
        if (n === 0) throw lostError(lose('the server no longer shows it held (its connection was terminated)'));
      },
      release: async () => {
        released = true;
        await client.end().catch(() => undefined);
      },
    },
  };
}

function lostError(why: string): StoreError {
  return new StoreError('STORE_LOCK_LOST', `lost the rebalancing lock (${why})`);
}

/** Who holds the advisory lock, from the server's view of sessions. */
async function currentHolder(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ name: string; addr: string | null; since: Date }>(
    `select a.application_name as name, a.client_addr::text as addr, a.backend_start as since
       from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted
        and l.classid::text::bigint = $1 and l.objid::text::bigint = $2 and l.objsubid = 1`,
    [CLASS_ID, OBJ_ID],
  );
  const r = rows[0];
  if (!r) return 'another shisa process';
  const since = r.since.toISOString().slice(0, 19).replace('T', ' ');
  return `${r.name || 'a session without a name'}${r.addr ? ` from ${r.addr}` : ''}, connected since ${since} UTC`;
}

function folderLock(store: Store): RebalanceLock {
  const lock = store.lock;
  const lost = (): string | undefined =>
    lock && !lock.stillHeld() ? `the folder lock ${lock.path} was removed or replaced while held` : undefined;
  return {
    lost,
    // Nothing to ask a server: the folder lock is checked here and now.
    guard() {
      const why = lost();
      return why ? Promise.reject(lostError(why)) : Promise.resolve();
    },
    release: () => Promise.resolve(),
  };
}
