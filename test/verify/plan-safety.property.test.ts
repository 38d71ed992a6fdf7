/**
 * Check 2 on the planner's own plans, on random snapshots built through the real parsers:
 * whenever the state a plan starts from keeps every intent (rules, dependencies; capacity
 * as the verifier has it: a region over capacity may keep what runs there), the verifier
 * proves the planned placement keeps them too, and the migration order it returns is safe
 * at every step (make-before-break: every in-flight copy counted). Its verdicts are also
 * compared with a direct evaluation of the planned placement, whatever the start.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { plan } from '../../scheduler/planner/plan.js';
import { checkPlan } from '../../scheduler/verify/check-plan.js';
import { buildPromiseModel } from '../../scheduler/promises/build-model.js';
import type { PromiseModel } from '../../scheduler/promises/model.js';
import { firstUnsafeState, type MigrationMove, type MigrationOrder } from '../../scheduler/verify/order-migrations.js';
import { shutdownZ3 } from '../../scheduler/verify/z3.js';
import { expectRealLines } from './core-lines.js';
import { bump, edgeHolds, placementHolds } from './random-fleet.js';
import { repairedSnapshotFrom, snapshotFrom } from './random-snapshot.js';
import { safeOrder } from './safe-order.js';

afterAll(shutdownZ3);

const TIMEOUT_MS = 10_000;
const PLACEMENT = 'the planned placement keeps every intent and capacity';
const ORDER = 'every step of the migration order is safe (make-before-break)';

/**
 * An independent replay of an order: capacity in every region at every step (old and new
 * copies of a batch both counted), and every dependency that holds before and after the
 * plan holds after every batch. Assumes the start keeps capacity everywhere.
 */
function replayProblem(mesh: PromiseModel, order: MigrationOrder): string | undefined {
  const R = mesh.fleet.regions.length;
  const at = Int32Array.from(mesh.current);
  const final = Int32Array.from(mesh.current);
  for (const b of order.batches) for (const m of b) final[m.workload] = m.to;
  const watched = mesh.edges.filter(
    (e) => edgeHolds(mesh, e, at[e.from]!, at[e.to]!) && edgeHolds(mesh, e, final[e.from]!, final[e.to]!),
  );
  for (const [k, batch] of order.batches.entries()) {
    const cpu = new Float64Array(R);
    const mem = new Float64Array(R);
    mesh.workloads.forEach((w, i) => {
      bump(cpu, at[i]!, w.cpu);
      bump(mem, at[i]!, w.memoryGib);
    });
    for (const m of batch) {
      bump(cpu, m.to, mesh.workloads[m.workload]!.cpu);
      bump(mem, m.to, mesh.workloads[m.workload]!.memoryGib);
    }
    for (let r = 0; r < R; r++) {
      const cap = mesh.fleet.regions[r]!.capacity;
      if (cpu[r]! > cap.cpu + 1e-9 || mem[r]! > cap.memoryGib + 1e-9)
        return `region ${r} over capacity during batch ${k}`;
    }
    for (const m of batch) at[m.workload] = m.to;
    for (const e of watched)
      if (!edgeHolds(mesh, e, at[e.from]!, at[e.to]!)) return `edge ${e.from}→${e.to} broken after batch ${k}`;
  }
  return undefined;
}

/** The plan's own order one move at a time: the first move whose new copy does not fit. */
function naiveOverflow(mesh: PromiseModel, moves: readonly MigrationMove[]): MigrationMove | undefined {
  const R = mesh.fleet.regions.length;
  const cpu = new Float64Array(R);
  const mem = new Float64Array(R);
  mesh.workloads.forEach((w, i) => {
    bump(cpu, mesh.current[i]!, w.cpu);
    bump(mem, mesh.current[i]!, w.memoryGib);
  });
  for (const m of moves) {
    const w = mesh.workloads[m.workload]!;
    const cap = mesh.fleet.regions[m.to]!.capacity;
    if (cpu[m.to]! + w.cpu > cap.cpu + 1e-9 || mem[m.to]! + w.memoryGib > cap.memoryGib + 1e-9) return m;
    bump(cpu, m.to, w.cpu);
    bump(mem, m.to, w.memoryGib);
    bump(cpu, m.from, -w.cpu);
    bump(mem, m.from, -w.memoryGib);
  }
  return undefined;
}

const key = (m: MigrationMove): string => `${m.workload}:${m.from}>${m.to}`;

describe('check 2 on the planner’s plans', () => {
  it('proves every plan that starts from a state keeping the intents, with a safe make-before-break order (300 snapshots)', async () => {
    const started = performance.now();
    const stats = {
      cases: 0,
      startHolds: 0,
      startHoldsWithMoves: 0,
      moves: 0,
      multiBatch: 0,
      naiveUnsafe: 0,
      stuck: 0,
      placementUnprovable: 0,
      assertions: 0,
    };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 2 }), fc.integer({ min: 0, max: 3 }), async (seed, kind) => {
        // Three in four snapshots start from a state repaired to keep the intents.
        const repaired = kind > 0;
        // Scrambled: small seeds would start the generator's LCG near zero.
        const scrambled = 1 + ((Math.imul(seed, 0x9e3779b1) >>> 0) % 2147483646);
        const { snapshot, sources } = repaired ? repairedSnapshotFrom(scrambled) : snapshotFrom(scrambled);
        const p = plan(snapshot);
        const mesh = buildPromiseModel(snapshot.fleet, snapshot.intents, snapshot.workloads);
        // Capacity as the verifier and the planner have it: a region over capacity may keep
        // what runs there, not grow. `strictStart`: every region within capacity, too.
        const startHolds = placementHolds(mesh, mesh.current);
        const strictStart = placementHolds(mesh, mesh.current, 'strict');
        const regionIndex = new Map(snapshot.fleet.regions.map((r, i) => [r.name, i]));
        const planned = Int32Array.from(mesh.current);
        const moves: MigrationMove[] = p.moves.map((m) => ({
          workload: mesh.indexOf(m.workload)!,
          from: regionIndex.get(m.from)!,
          to: regionIndex.get(m.to)!,
        }));
        for (const m of moves) planned[m.workload] = m.to;
        const plannedHolds = placementHolds(mesh, planned);

        const { obligations, order } = await checkPlan(mesh, snapshot.intents, p.moves, TIMEOUT_MS);
        stats.cases++;
        stats.moves += moves.length;
        const placement = obligations.find((o) => o.name === PLACEMENT)!;
        const ordering = obligations.find((o) => o.name === ORDER)!;
        const assertions = obligations.filter((o) => o !== placement && o !== ordering);
        stats.assertions += assertions.length;
        const context = `seed ${seed}${repaired ? ' (repaired)' : ''}, moves ${JSON.stringify(p.moves.map((m) => [m.workload, m.from, m.to]))}`;

        // Z3's verdict on the planned placement agrees with evaluating it directly.
        expect(placement.verdict, `${context}: ${placement.detail}`).toBe(plannedHolds ? 'proven' : 'unprovable');
        if (placement.verdict === 'unprovable') {
          stats.placementUnprovable++;
          expect(placement.unprovable!.reason).toBe('unsat');
          expect(placement.unprovable!.core.length).toBeGreaterThan(0);
          expectRealLines(sources, placement.unprovable!.core);
        }
        if (startHolds) {
          stats.startHolds++;
          if (moves.length) stats.startHoldsWithMoves++;
          expect(plannedHolds, `${context}: the planner's plan breaks an intent the start kept`).toBe(true);
          expect(placement.verdict, context).toBe('proven');
          for (const a of assertions) expect(a.verdict, `${context}: ${a.name}: ${a.detail}`).toBe('proven');
        }

        // The order: every move once, in a batch or stuck; safe when nothing is stuck.
        expect([...order.batches.flat(), ...order.stuck].map(key).sort()).toEqual(moves.map(key).sort());
        expect(order.batches.every((b) => b.length > 0)).toBe(true);
        const naive = naiveOverflow(mesh, moves);
        expect(order.naiveSafe, context).toBe(naive === undefined);
        if (naive) expect(order.naiveOverflow && key(order.naiveOverflow.move)).toBe(key(naive));
        if (!order.naiveSafe) stats.naiveUnsafe++;
        if (order.batches.length > 1) stats.multiBatch++;
        if (order.stuck.length === 0) {
          expect(firstUnsafeState(mesh, order), context).toBeUndefined();
          if (strictStart) expect(replayProblem(mesh, order), context).toBeUndefined();
          expect(ordering.verdict, `${context}: ${ordering.detail}`).toBe('proven');
        } else {
          stats.stuck++;
          // No safe order is never a pass. It is claimed proven ('unsat') only after an
          // exhaustive search, which the test's own search confirms.
          expect(ordering.verdict).toBe('unprovable');
          expect(ordering.unprovable!.reason).toBe(order.noOrderExists ? 'unsat' : 'unknown');
          if (order.noOrderExists) expect(safeOrder(mesh, moves), context).toBeUndefined();
          expectRealLines(sources, ordering.unprovable!.core);
        }
      }),
      // 1467447749 (repaired): an order existed (w11 leaves r3 before w7 arrives), but moves
      // joined by a dependency broken only one way round, or not kept at all, were forced
      // into one batch that did not fit, and "no order exists" was claimed.
      { numRuns: 300, examples: [[1467447749, 1]] },
    );
    console.log(`plan-safety: ${JSON.stringify(stats)} in ${Math.round(performance.now() - started)} ms`);
    // The property must have had plans to check.
    expect(stats.startHoldsWithMoves).toBeGreaterThan(15);
    expect(stats.placementUnprovable).toBeGreaterThan(5);
  });
});
