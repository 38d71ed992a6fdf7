/**
 * The rebalancing run (scheduler/run/) on real parts: the workspace loader, the embedded
 * static carbon source, the real planner and verifier, and the embedded store (PGlite, in
 * memory). Only the notifier is a test double: it has no real implementation yet besides the
 * silent one, and the test needs to see what it was told.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tryRebalanceLock } from '../../db/rebalance-lock.js';
import { openStore, type Store } from '../../db/store.js';
import { createCarbonSource } from '../../regions/carbon/create-source.js';
import { environmentFrom } from '../../scheduler/config/environment.js';
import { digestSource } from '../../scheduler/run/digest.js';
import { fileInventory } from '../../scheduler/run/file-inventory.js';
import type { Notifier, RunStore } from '../../scheduler/run/ports.js';
import type { RunResult } from '../../scheduler/run/result.js';
import { rebalance } from '../../scheduler/run/run.js';
import { storeRecorder } from '../../scheduler/run/store-recorder.js';
import { systemClock } from '../../scheduler/run/system-clock.js';
import { loadWorkspace } from '../../scheduler/workspace/load-workspace.js';
import { shutdownZ3 } from '../../scheduler/verify/z3.js';

const AT = Date.parse('2026-11-22T12:00Z');
const EXAMPLE = 'regions/examples/fleet.yaml';
const PROVEN = 'test/gates/fixtures/proven-moves/fleet.yaml';
const CONFLICT = 'test/gates/fixtures/conflict-with-moves/fleet.yaml';

let store: Store;
let recorder: RunStore;
beforeAll(async () => {
  store = await openStore({ kind: 'pglite' });
  const taken = await tryRebalanceLock(store, 'run.test');
  if (!taken.ok) throw new Error('the in-memory store has no other holder');
  recorder = storeRecorder(store, taken.lock, 'memory');
}, 120_000);
afterAll(async () => {
  await store?.close();
  await shutdownZ3();
});

async function run(
  fleet: string,
  options: { record?: boolean } = {},
): Promise<{ result: RunResult; told: RunResult[] }> {
  const loaded = await loadWorkspace(fleet, { cwd: process.cwd() });
  const ws = loaded.workspace;
  if (!ws) throw new Error(`${fleet} does not load`);
  const created = await createCarbonSource(ws.fleet.carbon, 'static', { env: environmentFrom({}), now: () => AT });
  if (!created.source) throw new Error('no static carbon source');
  const told: RunResult[] = [];
  const notifier: Notifier = { notify: (r) => Promise.resolve(void told.push(r)) };
  const inventory = fileInventory(ws, loaded.sources);
  const files = [...loaded.sources.values()].filter((s) => s.name !== ws.fleet.inventory?.display).map(digestSource);
  const result = await rebalance(
    { fleet: ws.fleet, intents: ws.intents, files, trigger: 'manual', at: AT, timeoutMs: 10_000 },
    {
      inventory,
      carbon: created.source,
      clock: systemClock(() => AT + 1_000),
      ...(options.record ? { store: recorder } : {}),
      notifier,
    },
  );
  return { result, told };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('the rebalancing run', () => {
  it('runs its stages in the documented order and returns the plan, its proof and the proven order', async () => {
    const { result, told } = await run(EXAMPLE);
    expect(result.stages.map((s) => s.stage)).toEqual(['snapshot', 'prove-intents', 'plan', 'prove-plan', 'notify']);
    expect(result.outcome).toBe('proven');
    // Check 1's obligations come first, then check 2's.
    const checks = result.proof.obligations.map((o) => o.check);
    expect(checks.indexOf('plan')).toBeGreaterThan(checks.lastIndexOf('intents'));
    expect(result.proof.obligations.some((o) => o.code === 'plan.order' && o.verdict === 'proven')).toBe(true);
    // The order is made of the plan's own move objects: every move exactly once, no copies.
    const ordered = result.order.flat();
    expect(ordered).toHaveLength(result.plan!.moves.length);
    expect(new Set(ordered)).toEqual(new Set(result.plan!.moves));
    expect(told).toEqual([result]);
  });

  it('takes an immutable snapshot with the digest of every file it read and of the carbon signals', async () => {
    const { result } = await run(EXAMPLE);
    const { snapshot } = result;
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(snapshot.inputs.files)).toBe(true);
    const files = snapshot.inputs.files.map((f) => f.file);
    expect(files).toEqual([...files].sort());
    expect(files).toContain('regions/examples/fleet.yaml');
    expect(files).toContain('regions/examples/inventory.yaml');
    expect(files.filter((f) => f.endsWith('.intent')).length).toBe(6);
    for (const f of snapshot.inputs.files) expect(f.sha256).toBe(sha256(f.file));
    expect(snapshot.inputs.carbon).toMatch(/^[0-9a-f]{64}$/);
    // Same inputs, same digests.
    expect((await run(EXAMPLE)).result.snapshot.inputs).toEqual(snapshot.inputs);
  });

  it('stops after proving the intents when they cannot all hold: nothing is planned, the run is recorded unprovable', async () => {
    const { result, told } = await run(CONFLICT, { record: true });
    expect(result.outcome).toBe('intents-unprovable');
    expect(result.plan).toBeUndefined();
    expect(result.order).toEqual([]);
    expect(result.stages.map((s) => s.stage)).toEqual(['snapshot', 'prove-intents', 'record', 'notify']);
    expect(result.proof.obligations.every((o) => o.check === 'intents')).toBe(true);
    expect(result.recorded?.ok).toBe(true);
    const id = result.recorded?.ok ? result.recorded.id : -1;
    expect(
      await store.query('select verdict, status, emissions_after_g_per_h as after from runs where id = $1', [id]),
    ).toEqual([{ verdict: 'unprovable', status: 'unprovable', after: null }]);
    expect(await store.query('select count(*)::int as n from migrations where run_id = $1', [id])).toEqual([{ n: 0 }]);
    expect(told).toHaveLength(1);
  });

  it('records a proven run: each migration with its batch and position in the proven order, and the input digests', async () => {
    const { result } = await run(PROVEN, { record: true });
    expect(result.outcome).toBe('proven');
    expect(result.recorded?.ok).toBe(true);
    const id = result.recorded?.ok ? result.recorded.id : -1;
    const rows = await store.query<{ workload: string; to: string; batch: number; position: number }>(
      'select workload, to_region as "to", batch, position from migrations where run_id = $1 order by position',
      [id],
    );
    expect(rows).toEqual(
      result.order
        .flatMap((b, batch) => b.map((m) => ({ workload: m.workload, to: m.to, batch })))
        .map((r, position) => ({
          ...r,
          position,
        })),
    );
    expect(rows.length).toBeGreaterThan(0);
    const [run_] = await store.query<{ inputs: unknown }>('select inputs from runs where id = $1', [id]);
    expect(run_?.inputs).toEqual(result.snapshot.inputs);
  });
});
