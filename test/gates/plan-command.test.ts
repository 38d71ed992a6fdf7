/**
 * Gates (a) and (b) through `shisa plan` in-process (scheduler/cli/plan.ts, the real planner,
 * verifier and embedded store; only the process around it is left out). The same checks run
 * through the built binary in plan-cli.e2e.test.ts; this copy exists so that mutation testing,
 * which mutates the TypeScript sources and not dist/, can see these gates fail.
 *
 * The conflicting fleet's intents cannot all hold: the run stops before planning, so no move
 * reaches the store at all. (That a plan's moves are journaled only when proven is gated at
 * the store too: test/gates/record-run.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planCommand, type PlanOptions } from '../../scheduler/cli/plan.js';
import { shutdownZ3 } from '../../scheduler/verify/z3.js';
import { AT, CONFLICT, CORE, PROVEN, THE_MOVE, recordedIn, type PlanJson } from './recorded.js';

afterAll(shutdownZ3);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'shisa-gates-'));
  dirs.push(d);
  return d;
}

async function plan(
  config: string,
  options: Partial<PlanOptions> & { dataDir: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  // No DATABASE_URL whatever the developer's shell holds: the embedded store in dataDir.
  const io = {
    cwd: process.cwd(),
    stdout: (s: string) => void (stdout += s),
    stderr: (s: string) => void (stderr += s),
    env: {},
  };
  const code = await planCommand({ config, json: false, at: Date.parse(AT), ...options }, io);
  return { code, stdout, stderr };
}

describe('gate: a run whose intents conflict plans nothing, exits 3, and journals nothing', () => {
  it('--json: exit 3, not planned, verification.applicable false, an empty order; recorded unprovable with zero migrations', async () => {
    const dir = dataDir();
    const r = await plan(CONFLICT, { json: true, dataDir: dir });
    expect(r.code).toBe(3);
    const p = JSON.parse(r.stdout) as PlanJson;
    // The run stopped at the intents: the planner was not asked.
    expect(p.planned).toBe(false);
    expect(p.moves).toEqual([]);
    expect(p.verification.proven).toBe(false);
    expect(p.verification.applicable).toBe(false);
    expect(p.verification.order).toEqual([]);
    const cores = p.verification.obligations
      .filter((o) => o.verdict === 'unprovable')
      .map((o) => o.unprovable_state?.core);
    expect(cores[0]).toEqual(CORE.map((c) => ({ kind: expect.any(String) as unknown, ...c })));
    const rec = await recordedIn(dir);
    expect(rec.runs).toEqual([{ id: 1, verdict: 'unprovable', status: 'unprovable' }]);
    expect(rec.migrationCount).toBe(0);
    expect(rec.migrations).toEqual([]);
    // The run is recorded whole: no decision (nothing was planned), the Unprovable State as an exception.
    expect(rec.moveDecisions).toEqual([]);
    expect(rec.exceptionKinds).toContain('unprovable');
  });

  // The text form is the same decision rendered for people; the store was checked above, so
  // this one plans without it (starting the embedded database is most of a run's time).
  it('as text: exit 3, says nothing was planned and nothing moves, and prints the conflicting constraints with file:line:col', async () => {
    const r = await plan(CONFLICT, { dataDir: dataDir(), record: false });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^Not planned: the intents cannot all hold at once/m);
    expect(r.stdout).not.toMatch(/^Moves:/m);
    // The verdict line, a blank line, then the report of what failed.
    expect(r.stdout).toMatch(
      /^Proof +UNPROVABLE: the intents are not consistent; nothing was planned and nothing moves \(Z3, [\d.]+ s\)\n\nHow: \[z3\]/m,
    );
    for (const c of CORE) expect(r.stdout).toContain(`${c.file}:${c.line}:${c.col}`);
    expect(r.stdout).toMatch(
      new RegExp(`^ +${CORE[1].file}:5:10 +intent "card-vault": target nodes\\(region-osaka-01\\)$`, 'm'),
    );
    expect(r.stdout).toMatch(/Unprovable State: nothing moves until it is resolved\.$/m);
    // Only what failed is listed under the verdict: no proven obligation, and no safe order.
    expect(r.stdout).not.toMatch(/✓/);
    expect(r.stdout).not.toMatch(/^Order /m);
  });
});

describe('the twin: the same move on a fleet without the conflict is proven, applicable and journaled', () => {
  it('--json: exit 0, applicable, the move in the order, exactly that move journaled as planned', async () => {
    const dir = dataDir();
    const r = await plan(PROVEN, { json: true, dataDir: dir });
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as PlanJson;
    expect(p.moves).toEqual([{ ...THE_MOVE, saving_g_per_h: expect.any(Number) as unknown }]);
    expect(p.verification.proven).toBe(true);
    expect(p.verification.applicable).toBe(true);
    expect(p.verification.order).toEqual([[THE_MOVE.workload]]);
    const rec = await recordedIn(dir);
    expect(rec.runs).toEqual([{ id: 1, verdict: 'proven', status: 'planned' }]);
    expect(rec.migrations).toEqual([{ run: 1, ...THE_MOVE, state: 'planned' }]);
  });

  it('as text: exit 0, the proof line and the order', async () => {
    const r = await plan(PROVEN, { dataDir: dataDir(), record: false });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Proof +\d+ obligations proven in [\d.]+ s .*: the intents are consistent and the plan is safe$/m,
    );
    expect(r.stdout).toMatch(/^Order +1 moves in 1 batch; /m);
    expect(r.stdout).not.toMatch(/UNPROVABLE/);
  });
});
