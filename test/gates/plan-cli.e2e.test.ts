/**
 * End to end, through the built binary (`node bin/shisa.js`, which runs dist/: `npm run
 * build` first): `shisa plan` on a fleet whose intents conflict, recorded in an embedded
 * store in a temporary folder. It must exit 3, print the Unprovable State with the file:line
 * of each conflicting constraint, say the plan is not applicable and nothing moves, and leave
 * the run in the store as unprovable with not one row in `migrations`. Conflicting intents stop
 * the run before planning (scheduler/run/): there is not even a move to refuse. The proven
 * twin shows the same move does get journaled when proven.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AT, CONFLICT, CORE, PROVEN, THE_MOVE, recordedIn, type PlanJson } from './recorded.js';

// The embedded store, whatever the developer's shell says.
const env = { ...process.env };
delete env.DATABASE_URL;
const shisa = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/shisa.js', ...args], { encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'shisa-gates-e2e-'));
  dirs.push(d);
  return d;
}

describe('shisa plan on a fleet whose intents conflict', () => {
  it('exits 3, prints the conflict with file:line, says the plan is not applicable; the store holds the run as unprovable and zero migrations', async () => {
    const dir = dataDir();
    const r = shisa('plan', '--config', CONFLICT, '--data-dir', dir, '--at', AT);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^Not planned: the intents cannot all hold at once/m);
    expect(r.stdout).not.toMatch(/^Moves:|^ {2}ml\/train-001 /m);
    expect(r.stdout).toMatch(
      /^Proof +UNPROVABLE: the intents are not consistent; nothing was planned and nothing moves/m,
    );
    expect(r.stdout).toMatch(/conflicting constraints:/);
    for (const c of CORE)
      expect(r.stdout).toMatch(new RegExp(`^ +${c.file}:${c.line}:${c.col} +${c.text.replace(/[()]/g, '\\$&')}$`, 'm'));
    expect(r.stdout).toMatch(/Unprovable State: nothing moves until it is resolved\.$/m);
    expect(r.stdout).toMatch(/^Recorded as run 1 in /m);
    const rec = await recordedIn(dir);
    expect(rec.runs).toEqual([{ id: 1, verdict: 'unprovable', status: 'unprovable' }]);
    expect(rec.migrationCount).toBe(0);
    expect(rec.moveDecisions).toEqual([]);
  });

  it('--json: exit 3, verification.applicable false and verification.order empty, with the Unprovable State in the obligations; zero migrations', async () => {
    const dir = dataDir();
    const r = shisa('plan', '--config', CONFLICT, '--data-dir', dir, '--at', AT, '--json');
    expect(r.code).toBe(3);
    const p = JSON.parse(r.stdout) as PlanJson;
    expect(p.planned).toBe(false);
    expect(p.moves).toEqual([]);
    expect(p.verification.proven).toBe(false);
    expect(p.verification.applicable).toBe(false);
    expect(p.verification.order).toEqual([]);
    expect(p.verification.counts.unprovable).toBeGreaterThan(0);
    const first = p.verification.obligations.find((o) => o.verdict === 'unprovable');
    expect(first?.unprovable_state?.code).toBe('UNPROVABLE_STATE');
    expect(first?.unprovable_state?.core).toEqual(CORE.map((c) => ({ kind: expect.any(String) as unknown, ...c })));
    expect(r.stderr).toMatch(/^Recorded as run 1 in /m);
    const rec = await recordedIn(dir);
    expect(rec.runs).toEqual([{ id: 1, verdict: 'unprovable', status: 'unprovable' }]);
    expect(rec.migrationCount).toBe(0);
  });
});

describe('the proven twin, through the same binary', () => {
  it('exits 0, applicable with the move in the order, and journals exactly that move', async () => {
    const dir = dataDir();
    const r = shisa('plan', '--config', PROVEN, '--data-dir', dir, '--at', AT, '--json');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as PlanJson;
    expect(p.verification.applicable).toBe(true);
    expect(p.verification.order).toEqual([[THE_MOVE.workload]]);
    const rec = await recordedIn(dir);
    expect(rec.runs).toEqual([{ id: 1, verdict: 'proven', status: 'planned' }]);
    expect(rec.migrationCount).toBe(1);
    expect(rec.migrations).toEqual([{ run: 1, ...THE_MOVE, state: 'planned' }]);
  });
});
