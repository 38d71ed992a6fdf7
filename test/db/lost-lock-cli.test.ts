/**
 * `shisa plan` loses its rebalancing lock while it plans: on PostgreSQL the server kills the
 * connection holding it (as a failover or an operator would); on the embedded database the
 * lock file is removed. The run stops with one line before it writes anything, exit 1, and
 * no stack trace; the next run starts.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../db/store.js';
import { Secret } from '../../scheduler/config/secret.js';
import { postgresForFile } from './postgres-for-file.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const postgres = postgresForFile();

function plan(args: string[], env: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'shisa.js'),
      'plan',
      '--config',
      'regions/examples/fleet.yaml',
      '--at',
      '2026-11-22T12:00Z',
      ...args,
    ],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((r) =>
    child.on('close', (code) => r({ code, stdout, stderr })),
  );
  return { child, done };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stopped = /^shisa plan: stopped: lost the rebalancing lock \(.+\); nothing was recorded\n$/m;

describe.skipIf(!postgres.available)(
  'shisa plan on PostgreSQL, when the server kills the connection holding its lock',
  () => {
    it('stops before recording anything, with one line, and the next run records', async () => {
      const url = postgres.url();
      const admin = await openStore({ kind: 'postgres', url: new Secret(url, 'DATABASE_URL') });
      try {
        const run = plan([], { DATABASE_URL: url });
        const pid = await until(
          'the plan to take its lock',
          async () =>
            (
              await admin.query<{ pid: number }>(
                `select pid from pg_stat_activity where application_name like 'shisa plan --config%'`,
              )
            )[0]?.pid,
        );
        await admin.query('select pg_terminate_backend($1)', [pid]);
        const r = await run.done;
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(stopped);
        expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+|internal error/);
        expect(r.stdout).not.toMatch(/Recorded as run/);
        expect(await admin.query<{ n: number }>('select count(*)::int as n from runs')).toEqual([{ n: 0 }]);
        const next = await plan([], { DATABASE_URL: url }).done;
        expect(next.code, next.stderr).toBe(0);
        expect(next.stdout).toMatch(/^Recorded as run 1 in the PostgreSQL server in DATABASE_URL/m);
      } finally {
        await admin.close();
      }
    }, 120_000);
  },
);

describe('shisa plan on an embedded database, when its lock file is removed while it plans', () => {
  it('stops before recording anything, and the next run records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shisa-lost-'));
    try {
      const run = plan(['--data-dir', dir]);
      const lock = join(dir, 'shisa.lock');
      await until('the plan to take the folder lock', () =>
        existsSync(lock) && readFileSync(lock, 'utf8').includes('[rebalancing]') ? true : undefined,
      );
      unlinkSync(lock);
      const r = await run.done;
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(stopped);
      expect(r.stderr).toMatch(/was removed or replaced while held/);
      const next = await plan(['--data-dir', dir]).done;
      expect(next.code, next.stderr).toBe(0);
      expect(next.stdout).toMatch(/^Recorded as run 1 in /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
