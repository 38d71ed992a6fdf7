/**
 * Stage 4 on its own, on the example fleet: a plan whose proof fails yields no order at all,
 * so nothing of it can be journaled or applied; a proven plan's order is the plan's own moves.
 * The unsafe plan is the example's real plan with one move redirected to a region the
 * workload's own rules forbid (the planner itself never proposes one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCarbonSource } from '../../regions/carbon/create-source.js';
import { environmentFrom } from '../../scheduler/config/environment.js';
import type { Plan } from '../../scheduler/planner/plan.js';
import { buildPromiseModel } from '../../scheduler/promises/build-model.js';
import type { PromiseModel } from '../../scheduler/promises/model.js';
import { fileInventory } from '../../scheduler/run/file-inventory.js';
import { planStage } from '../../scheduler/run/plan-stage.js';
import { provePlan } from '../../scheduler/run/prove-plan.js';
import { takeSnapshot, type RunSnapshot } from '../../scheduler/run/snapshot.js';
import { systemClock } from '../../scheduler/run/system-clock.js';
import { shutdownZ3 } from '../../scheduler/verify/z3.js';
import { loadWorkspace } from '../../scheduler/workspace/load-workspace.js';

const AT = Date.parse('2026-11-22T12:00Z');
let snapshot: RunSnapshot;
let model: PromiseModel;
let planned: Plan;

beforeAll(async () => {
  const loaded = await loadWorkspace('regions/examples/fleet.yaml', { cwd: process.cwd() });
  const ws = loaded.workspace!;
  const carbon = (await createCarbonSource(ws.fleet.carbon, 'static', { env: environmentFrom({}), now: () => AT }))
    .source!;
  const input = {
    fleet: ws.fleet,
    intents: ws.intents,
    files: [],
    trigger: 'manual' as const,
    at: AT,
    timeoutMs: 10_000,
  };
  snapshot = await takeSnapshot(input, { inventory: fileInventory(ws, loaded.sources), carbon, clock: systemClock() });
  model = buildPromiseModel(snapshot.fleet, snapshot.intents, snapshot.workloads);
  planned = planStage(model, snapshot);
}, 120_000);
afterAll(shutdownZ3);

describe('proving the plan (stage 4)', () => {
  it('a proven plan comes back ordered as its own move objects', async () => {
    const proven = await provePlan(model, snapshot, planned, 10_000);
    expect(proven.report.proven).toBe(true);
    expect(new Set(proven.batches.flat())).toEqual(new Set(planned.moves));
  });

  it('a plan that breaks a rule is unprovable and offers no order', async () => {
    const regions = model.fleet.regions;
    const w = model.workloads.findIndex((_wl, i) => model.rules[i]!.some((r) => r.allowed.size < regions.length));
    expect(w).toBeGreaterThanOrEqual(0);
    const forbidden = regions.findIndex((_r, k) => !model.rules[w]!.every((rule) => rule.allowed.has(k)));
    const wl = model.workloads[w]!;
    const unsafe: Plan = {
      ...planned,
      moves: [...planned.moves, { workload: wl.name, from: wl.region, to: regions[forbidden]!.name, savingGPerH: 1 }],
    };
    const proven = await provePlan(model, snapshot, unsafe, 10_000);
    expect(proven.report.proven).toBe(false);
    expect(proven.batches).toEqual([]);
    const placement = proven.report.obligations.find((o) => o.code === 'plan.placement');
    expect(placement?.verdict).toBe('unprovable');
    expect(placement?.unprovable?.core.some((c) => c.text.includes(wl.name))).toBe(true);
  }, 120_000);
});
