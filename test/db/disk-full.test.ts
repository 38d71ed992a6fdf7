/**
 * The disk under the store fills up. Recording then fails with one line that names the
 * cause (never the statement or its 50,000 bound parameters), writes nothing, and leaves the
 * store usable: once there is room again the next run records and the audit log is intact.
 * A real small file system (tmpfs, so this needs root) under the embedded database and under
 * a real PostgreSQL server's data folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../db/audit-log.js';
import { recordRun, type RunRecord } from '../../db/record-run.js';
import { openStore, type Store, type StoreTarget } from '../../db/store.js';
import type { StoreError } from '../../db/store-error.js';
import { Secret } from '../../scheduler/config/secret.js';
import { postgresAvailable, startPostgres, type PostgresServer } from './postgres-server.js';
import { movesInOneBatch } from './run-fixture.js';
import { besidesNotEnforced } from '../not-enforced.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const root = process.getuid?.() === 0;
const ci = process.env.CI === 'true';
if (!root && !ci)
  process.stderr.write(
    '\n*** SKIPPING the disk-full store suite: it mounts small tmpfs file systems, which needs root; CI runs it ***\n\n',
  );
const runnable = root || ci;
const withPostgres = runnable && postgresAvailable();

const mounts: string[] = [];
function smallDisk(mib: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'shisa-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m,mode=1777`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount tmpfs failed: ${r.stderr}`);
  mounts.push(dir);
  return dir;
}
afterAll(() => {
  for (const m of mounts) {
    spawnSync('umount', ['-l', m]);
    rmSync(m, { recursive: true, force: true });
  }
});

/**
 * Fills the file system holding `dir`, leaving `room` bytes (0: up to its last block);
 * returns a function that frees it again.
 */
function fill(dir: string, room = 0): () => void {
  const filler = join(dir, 'filler');
  const { bavail, bsize } = statfsSync(dir);
  writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - Math.max(4096, room))));
  // Whatever is left, in small pieces, until nothing more fits.
  for (let k = 0; room === 0; k++) {
    try {
      writeFileSync(join(dir, `crumb-${k}`), Buffer.alloc(512));
    } catch {
      break;
    }
  }
  return () => {
    for (const f of ['filler', ...Array.from({ length: 64 }, (_, k) => `crumb-${k}`)])
      rmSync(join(dir, f), { force: true });
  };
}

function bigRun(): RunRecord {
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
    ...movesInOneBatch([{ workload: 'batch/a', from: 'r1', to: 'r2', savingGPerH: 1 }]),
    kept: Array.from({ length: 50_000 }, (_, i) => ({
      workload: `batch/w${i}`,
      region: 'r1',
      reason: 'budget',
      detail: `a reason long enough to take room ${i}`,
    })),
    readings: [],
    exceptions: [],
  };
}

async function expectOneLineFailure(store: Store): Promise<void> {
  const runsBefore = await store.query<{ n: number }>('select count(*)::int as n from runs');
  const err = (await recordRun(store, bigRun()).catch((e: unknown) => e)) as StoreError;
  expect(err.code).toBe('STORE_WRITE_FAILED');
  expect(err.message).toMatch(/^cannot record the run: no space left on device/);
  expect(err.message).not.toMatch(/\n|insert into|params|batch\/w/);
  expect(err.message.length).toBeLessThan(200);
  expect(await store.query<{ n: number }>('select count(*)::int as n from runs')).toEqual(runsBefore);
}

describe.skipIf(!runnable)('a full disk under the embedded database', () => {
  it('fails the recording in one line, writes nothing, and the store works again once there is room', async () => {
    const disk = smallDisk(64);
    const data = join(disk, 'state');
    const plan = (at: string) =>
      spawnSync(
        process.execPath,
        [
          join(ROOT, 'bin', 'shisa.js'),
          'plan',
          '--config',
          'regions/examples/fleet.yaml',
          '--data-dir',
          data,
          '--at',
          at,
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
      );
    expect(plan('2026-11-22T12:00Z').status).toBe(0);
    // Room to open the database (PGlite writes as it starts), not for 50,000 decisions.
    let free = fill(disk, 512 * 1024);
    try {
      const store = await openStore({ kind: 'pglite', dir: data });
      await expectOneLineFailure(store);
      await store.close();
    } finally {
      free();
    }
    free = fill(disk);
    try {
      // Through the command line: the plan is shown, the recording fails in one line, exit 1.
      const full = plan('2026-11-22T13:00Z');
      expect(full.status, full.stderr).toBe(1);
      expect(besidesNotEnforced(full.stderr)).toMatch(
        /^shisa plan: cannot (record the run|open the embedded database in .*): no space left on device \(the database disk is full\)(; nothing of the run was written)?\n$/,
      );
    } finally {
      free();
    }
    const again = plan('2026-11-22T14:00Z');
    expect(again.status, again.stderr).toBe(0);
    // Its number may skip: a sequence is not rolled back, and after a crash PostgreSQL skips the values it logged ahead.
    expect(again.stdout).toMatch(/^Recorded as run \d+ in /m);
    const store = await openStore({ kind: 'pglite', dir: data });
    // Two runs, each its own entry and one per decision about an audited workload (30 in the example).
    expect(await verifyAudit(store)).toEqual({ entries: 62 });
    await store.close();
  }, 240_000);
});

describe.skipIf(!withPostgres)('a full disk under a PostgreSQL server', () => {
  let server: PostgresServer;
  let disk: string;
  beforeAll(async () => {
    disk = smallDisk(160);
    mkdirSync(join(disk, 'pg'), { recursive: true });
    server = await startPostgres({ under: disk });
  }, 120_000);
  afterAll(() => server?.stop());

  it('fails the recording in one line naming the cause, and records again once there is room', async () => {
    const target: StoreTarget = { kind: 'postgres', url: new Secret(server.url, 'DATABASE_URL') };
    const store = await openStore(target);
    const free = fill(disk);
    try {
      await expectOneLineFailure(store);
    } finally {
      free();
    }
    await recordRun(store, { ...bigRun(), kept: bigRun().kept.slice(0, 100) });
    expect(await verifyAudit(store)).toEqual({ entries: 1 });
    await store.close();
  }, 240_000);
});
