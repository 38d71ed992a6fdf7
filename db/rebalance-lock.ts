import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { StoreTarget } from './store.js';
import { StoreError } from './store-error.js';

/** The same lock number on every replica (pg_try_advisory_lock); distinct from the audit chain's. */
const REBALANCE_LOCK = 0x5_3415_4ba1;

/** A held rebalancing lock; release it when the run is over. */
export interface RebalanceLock {
  release(): Promise<void>;
}

/**
 * Takes the rebalancing lock without waiting: on a PostgreSQL server, a session advisory
 * lock on a connection of its own (held until released or the process dies, so a crashed
 * scheduler never blocks the others); for the embedded database, a lock file in its folder
 * (one process at a time may open it). Undefined when another process holds it.
 */
export async function tryRebalanceLock(target: StoreTarget, holder: string): Promise<RebalanceLock | undefined> {
  if (target.kind === 'postgres') {
    const client = new pg.Client({ connectionString: target.url.reveal(), connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
    } catch (err) {
      throw new StoreError('STORE_UNAVAILABLE', `cannot reach the PostgreSQL server named by ${target.url.source}: ${target.url.scrub((err as Error).message)}`);
    }
    const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [REBALANCE_LOCK]);
    if (!rows[0]?.ok) {
      await client.end();
      return undefined;
    }
    return { release: async () => void (await client.end()) };
  }
  if (!target.dir) return { release: async () => undefined };
  mkdirSync(target.dir, { recursive: true });
  const file = join(target.dir, 'rebalance.lock');
  // The lock file appears with its content or not at all: written aside, then hard-linked
  // into place (which fails if it exists), so a contender never reads a half-written one.
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, `${process.pid} ${holder}\n`);
  try {
    for (;;) {
      try {
        linkSync(mine, file);
        return { release: async () => unlinkSync(file) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      // A lock left by a process that is gone does not count: remove it and try again.
      const pid = Number(readFileSync(file, 'utf8').split(' ')[0]);
      if (pid > 0 && alive(pid)) return undefined;
      unlinkSync(file);
    }
  } finally {
    unlinkSync(mine);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
