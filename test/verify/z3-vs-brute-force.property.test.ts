/**
 * Z3's verdict on placement questions against brute force: on small random fleets built
 * through the real parsers, "is there a placement that keeps every rule, dependency and
 * capacity" is answered by enumerating every placement of every workload. Capacity as the
 * verifier has it: strict for the intent model; for plans and region losses
 * (`keepOverCapacity`) a region already over capacity may keep what runs there, not grow.
 * When Z3 says unsatisfiable, its core must point at real lines, conflict on its own (brute
 * force finds no placement keeping just the core), and be minimal (dropping any one entry
 * leaves a placement).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { DependencyEdge, PromiseModel } from '../../scheduler/promises/model.js';
import { askPlacement, type Placed } from '../../scheduler/verify/placement-question.js';
import type { ConstraintRef } from '../../scheduler/verify/proof.js';
import { shutdownZ3 } from '../../scheduler/verify/z3.js';
import { expectRealLines } from './core-lines.js';
import { bruteForce, buildFleet, fleetSpec, showFleet, type Enabled } from './random-fleet.js';

afterAll(shutdownZ3);

const TIMEOUT_MS = 10_000;

/** The constraints a core switches on, as brute force sees them. */
function enabledBy(mesh: PromiseModel, ids: ReadonlySet<string>): Enabled {
  // A dependency several members of one unit declare is tracked under one joined id (a+b).
  const declared = new Set<string>();
  for (const id of ids) for (const part of id.split('+')) declared.add(part);
  return {
    rule: (id) => ids.has(id),
    // A bound that names its dependency in `to` declares it by itself; otherwise the edge
    // needs where it is declared, and its bound if any.
    edge: (e: DependencyEdge) =>
      e.bound && e.boundNames ? ids.has(e.bound.id) : declared.has(e.dependsOn.id) && (!e.bound || ids.has(e.bound.id)),
    capacity: (r) => ids.has(mesh.capacity[r]!.id),
  };
}

const stats = {
  cases: 0,
  sat: 0,
  unsat: 0,
  withEdges: 0,
  withBounds: 0,
  capacityInCore: 0,
  edgeInCore: 0,
  ruleInCore: 0,
};
const held = { cases: 0, unsat: 0 };

describe('Z3 against brute force on small random fleets', () => {
  it('agrees that all intents are jointly satisfiable (all workloads free, rules, dependencies, capacity); cores are real, conflicting and minimal', async () => {
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(fleetSpec(), async (spec) => {
        const b = buildFleet(spec);
        const { mesh } = b;
        const R = mesh.fleet.regions.length;
        const all = mesh.workloads.map((_w, i) => i);
        const answer = await askPlacement(
          mesh,
          {
            workloads: all,
            fixed: new Map(),
            rules: true,
            edges: true,
            capacity: { cpu: new Float64Array(R), memoryGib: new Float64Array(R) },
          },
          TIMEOUT_MS,
        );
        const witness = bruteForce(mesh, {
          free: all,
          at: new Int32Array(all.length),
          inQuestion: new Set(all),
          capacity: 'strict',
        });
        stats.cases++;
        if (mesh.edges.length) stats.withEdges++;
        if (mesh.edges.some((e) => e.bound)) stats.withBounds++;
        expect(
          answer.status,
          `Z3 said ${answer.status}, brute force ${witness ? `found [${[...witness].join(', ')}]` : 'found nothing'}\n${showFleet(b)}`,
        ).toBe(witness ? 'sat' : 'unsat');
        if (answer.status !== 'unsat') {
          stats.sat++;
          return;
        }
        stats.unsat++;
        const core = answer.core;
        expect(core.length).toBeGreaterThan(0);
        expectRealLines(b.sources, core);
        if (core.some((r) => r.kind === 'capacity')) stats.capacityInCore++;
        if (core.some((r) => r.kind === 'depends-on' || r.kind === 'latency')) stats.edgeInCore++;
        if (core.some((r) => r.kind === 'compliance' || r.kind === 'residency' || r.kind === 'target'))
          stats.ruleInCore++;
        const ids = new Set(core.map((r) => r.id));
        const keeping = (on: ReadonlySet<string>) =>
          bruteForce(mesh, {
            free: all,
            at: new Int32Array(all.length),
            inQuestion: new Set(all),
            capacity: 'strict',
            enabled: enabledBy(mesh, on),
          });
        expect(
          keeping(ids),
          `the core [${[...ids].join(', ')}] alone has a placement\n${showFleet(b)}`,
        ).toBeUndefined();
        for (const id of ids) {
          if (id.includes('+')) continue; // a joined declaration: brute force cannot switch it off alone
          const rest = new Set([...ids].filter((x) => x !== id));
          expect(
            keeping(rest),
            `the core [${[...ids].join(', ')}] is not minimal: it conflicts without ${id}\n${showFleet(b)}`,
          ).toBeDefined();
        }
      }),
      { numRuns: 400 },
    );
    const ms = performance.now() - started;
    console.log(`z3-vs-brute-force (all free): ${JSON.stringify(stats)} in ${Math.round(ms)} ms`);
    // The property must have had both kinds of answer, and every kind of constraint in a core.
    expect(stats.sat).toBeGreaterThan(50);
    expect(stats.unsat).toBeGreaterThan(50);
    expect(stats.capacityInCore).toBeGreaterThan(5);
    expect(stats.edgeInCore).toBeGreaterThan(2);
    expect(stats.ruleInCore).toBeGreaterThan(5);
  });

  it('agrees when some workloads are held where they run, the rest of the fleet uses capacity, a region may be lost (the region-loss shape; strict or keep-over-capacity, all or free-only constraints)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fleetSpec(),
        fc.infiniteStream(fc.integer({ min: 0, max: 2 })),
        fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
        fc.boolean(),
        fc.boolean(),
        async (spec, roles, lostPick, keepOverCapacity, freeOnly) => {
          const b = buildFleet(spec);
          const { mesh } = b;
          const R = mesh.fleet.regions.length;
          // Per workload: 0 outside the question (uses capacity where it runs), 1 held, 2 free.
          const role = mesh.workloads.map(() => roles.next().value as number);
          const inQuestion = mesh.workloads.map((_w, i) => i).filter((i) => role[i]! > 0);
          const free = inQuestion.filter((i) => role[i] === 2);
          const lost = lostPick !== undefined && lostPick < R ? lostPick : undefined;
          const cpu = new Float64Array(R);
          const mem = new Float64Array(R);
          mesh.workloads.forEach((w, i) => {
            if (role[i]! > 0) return;
            const r = mesh.current[i]!;
            cpu[r] = cpu[r]! + w.cpu;
            mem[r] = mem[r]! + w.memoryGib;
          });
          const fixed = new Map<number, Placed>(
            inQuestion
              .filter((i) => role[i] === 1)
              .map((i) => [i, { region: mesh.current[i]!, fact: mesh.located(i) }]),
          );
          const lostRegion = mesh.fleet.regions[lost ?? 0]!;
          const lostRef: ConstraintRef = {
            id: `region-lost:${lostRegion.name}`,
            kind: 'region-lost',
            text: `${lostRegion.name} is lost`,
            span: lostRegion.span,
          };
          const answer = await askPlacement(
            mesh,
            {
              workloads: inQuestion,
              fixed,
              rules: true,
              edges: true,
              capacity: { cpu, memoryGib: mem, keepOverCapacity },
              freeOnly,
              ...(lost !== undefined ? { lost: { region: lost, ref: lostRef } } : {}),
            },
            TIMEOUT_MS,
          );
          const witness = bruteForce(mesh, {
            free,
            at: Int32Array.from(mesh.current),
            inQuestion: new Set(inQuestion),
            background: { cpu, mem },
            capacity: keepOverCapacity ? 'keep-current' : 'strict',
            freeOnly,
            ...(lost !== undefined ? { lost } : {}),
          });
          held.cases++;
          expect(
            answer.status,
            `Z3 said ${answer.status}; roles [${role.join(', ')}], lost ${lost ?? '-'}, keepOverCapacity ${keepOverCapacity}, freeOnly ${freeOnly}\n${showFleet(b)}`,
          ).toBe(witness ? 'sat' : 'unsat');
          if (answer.status === 'unsat') {
            held.unsat++;
            expect(answer.core.length).toBeGreaterThan(0);
            expectRealLines(b.sources, answer.core);
          }
        },
      ),
      { numRuns: 250 },
    );
    console.log(`z3-vs-brute-force (held, free, lost): ${JSON.stringify(held)}`);
    expect(held.unsat).toBeGreaterThan(20);
    expect(held.cases - held.unsat).toBeGreaterThan(20);
  });
});
