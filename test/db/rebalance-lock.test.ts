/**
 * Two scheduler processes racing for the rebalancing lock: exactly one wins, every time. On
 * a real PostgreSQL server (session advisory lock) and on the embedded database's folder
 * (lock file). Each trial starts two processes at once; both answer before either lets go.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresForFile } from './postgres-for-file.js';

const TRIALS = 12;
const postgres = postgresForFile();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shisa-lock-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function contender(kind: string, where: string): { child: ChildProcessWithoutNullStreams; answer: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/db/lock-contender.ts', kind, where], { stdio: 'pipe' });
  const answer = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`contender exited (${code}) before answering: ${out}`)));
  });
  return { child, answer };
}

async function race(kind: string, where: () => string): Promise<string[]> {
  const results: string[] = [];
  for (let t = 0; t < TRIALS; t++) {
    const a = contender(kind, where());
    const b = contender(kind, where());
    const answers = await Promise.all([a.answer, b.answer]);
    results.push(answers.sort().join(','));
    const done = [a, b].map(({ child }) => new Promise((r) => child.on('exit', r)));
    a.child.stdin.end();
    b.child.stdin.end();
    await Promise.all(done);
  }
  return results;
}

describe('the rebalancing lock', () => {
  it.skipIf(!postgres.available)(`goes to exactly one of two processes on one PostgreSQL, ${TRIALS} trials out of ${TRIALS}`, async () => {
    expect(await race('postgres', () => postgres.url())).toEqual(Array(TRIALS).fill('lost,won'));
  }, 120_000);

  it(`goes to exactly one of two processes on one embedded database folder, ${TRIALS} trials out of ${TRIALS}`, async () => {
    expect(await race('pglite', () => dir)).toEqual(Array(TRIALS).fill('lost,won'));
  }, 120_000);
});

describe('a lock left behind', () => {
  it('by a process that is gone does not block the next run', async () => {
    const { writeFileSync } = await import('node:fs');
    const { tryRebalanceLock } = await import('../../db/rebalance-lock.js');
    const folder = mkdtempSync(join(tmpdir(), 'shisa-lock-stale-'));
    try {
      // pid 2^22 + 1 is above Linux's pid_max default: no such process.
      writeFileSync(join(folder, 'rebalance.lock'), '4194305 a crashed shisa\n');
      const lock = await tryRebalanceLock({ kind: 'pglite', dir: folder }, 'test');
      expect(lock).toBeDefined();
      expect(await tryRebalanceLock({ kind: 'pglite', dir: folder }, 'test again')).toBeUndefined();
      await lock!.release();
      const again = await tryRebalanceLock({ kind: 'pglite', dir: folder }, 'test');
      expect(again).toBeDefined();
      await again!.release();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
