/**
 * The rebalancing lock and the embedded database's folder lock, across real processes: two
 * racing for it (exactly one wins, every time), its holder killed in every way a process
 * dies (the next run starts at once), a lock file that names a live pid but is not locked
 * (taken), and a PostgreSQL lock whose connection the server kills mid-run (the run stops
 * before writing anything). On a real PostgreSQL server and on an embedded database folder.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tryRebalanceLock } from '../../db/rebalance-lock.js';
import { recordRun, type RunRecord } from '../../db/record-run.js';
import { LOCK_FILE, openStore, tryOpenStore, type StoreTarget } from '../../db/store.js';
import type { StoreError } from '../../db/store-error.js';
import { Secret } from '../../scheduler/config/secret.js';
import { postgresForFile } from './postgres-for-file.js';
import { movesInOneBatch } from './run-fixture.js';

const TRIALS = 12;
const postgres = postgresForFile();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shisa-lock-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Contender {
  readonly child: ChildProcessWithoutNullStreams;
  readonly answer: Promise<string>;
  readonly exited: Promise<unknown>;
}

/** A contender process (test/db/lock-contender.ts); `wrap` runs it under another command (unshare). */
function contender(kind: string, where: string, wrap: readonly string[] = []): Contender {
  const argv = [process.execPath, '--import', 'tsx', 'test/db/lock-contender.ts', kind, where];
  const [cmd, ...args] = [...wrap, ...argv] as [string, ...string[]];
  const child = spawn(cmd, args, { stdio: 'pipe' });
  const exited = new Promise((r) => child.on('exit', r));
  const answer = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`contender exited (${code}) before answering: ${out}`)));
  });
  return { child, answer, exited };
}

const verdict = (answer: string): string => answer.split(' ')[0]!;

async function race(kind: string, where: () => string, trials: number): Promise<string[]> {
  const results: string[] = [];
  for (let t = 0; t < trials; t++) {
    const a = contender(kind, where());
    const b = contender(kind, where());
    const answers = await Promise.all([a.answer, b.answer]);
    results.push(answers.map(verdict).sort().join(','));
    a.child.stdin.end();
    b.child.stdin.end();
    await Promise.all([a.exited, b.exited]);
  }
  return results;
}

const pgTarget = (): StoreTarget => ({ kind: 'postgres', url: new Secret(postgres.url(), 'DATABASE_URL') });
const where = { postgres: () => postgres.url(), pglite: () => dir };
const stores = [
  // The embedded races take the folder lock alone (kind 'folder'); the other tests open the store.
  { name: 'PostgreSQL', kind: 'postgres' as const, skip: !postgres.available, race: 'postgres' },
  { name: 'an embedded database folder', kind: 'pglite' as const, skip: false, race: 'folder' },
];
const root = process.getuid?.() === 0;
if (!root && process.env.CI !== 'true')
  process.stderr.write('\n*** SKIPPING the PID-namespace lock test: it needs root (unshare --pid); CI runs it ***\n\n');

describe.each(stores)('the rebalancing lock on $name', ({ kind, skip, race: racer }) => {
  it.skipIf(skip)(
    `goes to exactly one of two processes, ${TRIALS} trials out of ${TRIALS}`,
    async () => {
      expect(await race(racer, where[kind], TRIALS)).toEqual(Array(TRIALS).fill('lost,won'));
    },
    180_000,
  );

  it.skipIf(skip)(
    'tells the loser who holds it',
    async () => {
      const a = contender(kind, where[kind]());
      expect(verdict(await a.answer)).toBe('won');
      const b = contender(kind, where[kind]());
      const lost = await b.answer;
      expect(lost).toMatch(
        kind === 'pglite'
          ? new RegExp(`in use by pid ${a.child.pid} on \\S+ \\(contender ${a.child.pid} \\[rebalancing\\], since `)
          : new RegExp(`contender ${a.child.pid} \\(pid ${a.child.pid} on `),
      );
      a.child.stdin.end();
      b.child.stdin.end();
      await Promise.all([a.exited, b.exited]);
    },
    60_000,
  );

  /** A holder (run under `wrap`) that won is killed with `signal`; the next contender must win at once. */
  async function freeAfterDeath(signal: NodeJS.Signals, wrap: readonly string[] = []): Promise<void> {
    const a = contender(kind, where[kind](), wrap);
    expect(await a.answer).toBe('won');
    a.child.kill(signal);
    await a.exited;
    const b = contender(kind, where[kind]());
    expect(verdict(await b.answer)).toBe('won');
    b.child.stdin.end();
    await b.exited;
  }

  for (const signal of ['SIGKILL', 'SIGTERM', 'SIGSEGV'] as const) {
    it.skipIf(skip)(
      `is free at once for the next run when its holder dies of ${signal}`,
      () => freeAfterDeath(signal),
      60_000,
    );
  }

  // The contender runs as PID 1 inside; --kill-child takes it down with the unshare process.
  it.skipIf(skip || (!root && process.env.CI !== 'true'))(
    'is free for the next run when a holder that ran as PID 1 of its own PID namespace (a container) is killed',
    () => freeAfterDeath('SIGKILL', ['unshare', '--pid', '--fork', '--kill-child']),
    60_000,
  );
});

/** Runs `fn` with a new temporary folder, removed afterwards. */
async function inFolder(prefix: string, fn: (folder: string) => Promise<void>): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  try {
    await fn(folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('the embedded folder lock', () => {
  it(
    'is taken when the lock file names a live process that does not hold it (pids are reused; every container has a PID 1)',
    () =>
      inFolder('shisa-lock-stale-', async (folder) => {
        writeFileSync(
          join(folder, LOCK_FILE),
          JSON.stringify({
            pid: 1,
            host: 'elsewhere',
            command: 'shisa plan [rebalancing]',
            since: '2026-01-01T00:00:00Z',
          }) + '\n',
        );
        const opened = await tryOpenStore({ kind: 'pglite', dir: folder }, { holder: 'test' });
        expect(opened.ok).toBe(true);
        if (!opened.ok) return;
        // And while this process holds it, a second opener (even in this process) is refused.
        const second = await tryOpenStore({ kind: 'pglite', dir: folder }, { holder: 'second' });
        expect(second.ok).toBe(false);
        expect(!second.ok && second.message).toMatch(new RegExp(`in use by pid ${process.pid} on .* \\(test, since `));
        await opened.store.close();
        const again = await openStore({ kind: 'pglite', dir: folder });
        await again.close();
      }),
    60_000,
  );

  it(
    'waits for a holder that lets go, and says it is waiting',
    () =>
      inFolder('shisa-lock-wait-', async (folder) => {
        const first = await openStore({ kind: 'pglite', dir: folder }, { holder: 'first' });
        const told: string[] = [];
        const waiting = tryOpenStore(
          { kind: 'pglite', dir: folder },
          { holder: 'second', waitMs: 20_000, onWait: (w) => told.push(w) },
        );
        await new Promise((r) => setTimeout(r, 600));
        await first.close();
        const opened = await waiting;
        expect(opened.ok).toBe(true);
        expect(told).toEqual([
          expect.stringMatching(
            /^waiting for pid \d+ on \S+ \(first, since .*\), which has the embedded database in .* open$/,
          ),
        ]);
        if (opened.ok) await opened.store.close();
      }),
    60_000,
  );

  it(
    'counts as lost when its file is removed while held, and then nothing is recorded',
    () =>
      inFolder('shisa-lock-gone-', async (folder) => {
        const store = await openStore({ kind: 'pglite', dir: folder }, { holder: 'test', rebalancing: true });
        const taken = await tryRebalanceLock(store, 'test');
        expect(taken.ok).toBe(true);
        if (!taken.ok) return;
        expect(taken.lock.lost()).toBeUndefined();
        unlinkSync(join(folder, LOCK_FILE));
        expect(taken.lock.lost()).toMatch(/was removed or replaced while held/);
        const err = (await recordRun(store, aRun(), { guard: (tx) => taken.lock.guard(tx) }).catch(
          (e: unknown) => e,
        )) as StoreError;
        expect(err.code).toBe('STORE_LOCK_LOST');
        expect(await store.query('select * from runs')).toEqual([]);
        await store.close();
      }),
    60_000,
  );
});

describe.skipIf(!postgres.available)('a PostgreSQL rebalancing lock whose connection the server kills', () => {
  it('is known lost at once, without crashing the process, and the run writes nothing', async () => {
    const store = await openStore(pgTarget());
    const admin = await openStore(pgTarget());
    try {
      const taken = await tryRebalanceLock(store, 'doomed run');
      expect(taken.ok).toBe(true);
      if (!taken.ok) return;
      const before = await admin.query<{ n: number }>('select count(*)::int as n from runs');
      const killed = await admin.query<{ pid: number }>(
        `select pid from pg_stat_activity where application_name like 'doomed run%'`,
      );
      expect(killed).toHaveLength(1);
      await admin.query('select pg_terminate_backend($1)', [killed[0]!.pid]);
      // Recording at once: the client may not have heard yet, but the server's pg_locks says so.
      const err = (await recordRun(store, aRun(), { guard: (tx) => taken.lock.guard(tx) }).catch(
        (e: unknown) => e,
      )) as StoreError;
      expect(err.code).toBe('STORE_LOCK_LOST');
      expect(err.message).toMatch(/^lost the rebalancing lock \(/);
      for (let i = 0; i < 50 && !taken.lock.lost(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(taken.lock.lost()).toMatch(/the connection holding it (failed|closed)|no longer shows it held/);
      expect(await admin.query<{ n: number }>('select count(*)::int as n from runs')).toEqual(before);
      // Another replica can take it now.
      const next = await tryRebalanceLock(admin, 'next run');
      expect(next.ok).toBe(true);
      if (next.ok) await next.lock.release();
      await taken.lock.release();
    } finally {
      await store.close();
      await admin.close();
    }
  }, 60_000);
});

function aRun(): RunRecord {
  const at = new Date(Date.UTC(2026, 11, 2, 12));
  return {
    trigger: 'manual',
    startedAt: at,
    finishedAt: at,
    fleet: 'f.yaml',
    carbonSource: 'static',
    carbon: { fresh: 1, zones: 1, notFresh: [] },
    emissionsBefore: 2,
    emissionsAfter: 1,
    lowerBound: 1,
    gap: 0,
    verdict: 'proven',
    status: 'planned',
    timings: {},
    ...movesInOneBatch([{ workload: 'a/x', from: 'r1', to: 'r2', savingGPerH: 1 }]),
    kept: [],
    readings: [],
    exceptions: [],
  };
}
