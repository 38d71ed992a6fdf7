import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateFleet } from '../../bench/generate-fleet.js';
import { buildProblem } from '../../scheduler/planner/build-problem.js';
import { moverKinds, objectiveOf, violation, type PlacementProblem } from '../../scheduler/planner/problem.js';
import { solveRelaxation } from '../../scheduler/planner/solvers/column-generation.js';
import { solveExact } from '../../scheduler/planner/solvers/exact.js';
import { roundRelaxation } from '../../scheduler/planner/solvers/lp-rounding.js';
import { towardsVertex, type GroupCounts } from '../../scheduler/planner/solvers/lp-vertex.js';
import { groupMovers } from '../../scheduler/planner/solvers/mover-groups.js';
import { solveLp } from './highs-lp.js';
import { generate } from './random-problem.js';

/** The LP relaxation (pairs left out, as in the planner's) in CPLEX LP format, over kinds of mover. */
function relaxationLp(p: PlacementProblem): string {
  const kinds = moverKinds(p);
  const groups = new Map<number, { i: number; n: number }>();
  kinds.forEach((k, i) => {
    const g = groups.get(k);
    if (g) g.n++;
    else groups.set(k, { i, n: 1 });
  });
  const obj: string[] = [];
  const rows: string[] = [];
  const cpu: string[][] = p.regions.map(() => []);
  const mem: string[][] = p.regions.map(() => []);
  const moves: string[] = [];
  let gi = 0;
  for (const { i, n } of groups.values()) {
    const m = p.movers[i]!;
    const one: string[] = [];
    m.allowed.forEach((r, k) => {
      const v = `x${gi}_${r}`;
      obj.push(`${m.cost[k]} ${v}`);
      one.push(v);
      cpu[r]!.push(`${m.cpu} ${v}`);
      mem[r]!.push(`${m.memoryGib} ${v}`);
      if (r !== m.current) moves.push(v);
    });
    rows.push(` a${gi}: ${one.join(' + ')} = ${n}`);
    gi++;
  }
  p.regions.forEach((r, k) => {
    if (cpu[k]!.length)
      rows.push(` c${k}: ${cpu[k]!.join(' + ')} <= ${r.cpu}`, ` m${k}: ${mem[k]!.join(' + ')} <= ${r.memoryGib}`);
  });
  if (moves.length) rows.push(` budget: ${moves.join(' + ')} <= ${p.budget}`);
  return `Minimize\n obj: ${obj.join(' + ') || '0 z'}\nSubject To\n${rows.join('\n') || ' none: z >= 0'}\nEnd\n`;
}

const relax = (p: PlacementProblem) => solveRelaxation(p, groupMovers(p), { maxIterations: 1_000, tolerance: 1e-9 });

describe('the LP relaxation by column generation', () => {
  it('reaches the LP optimum HiGHS finds, on 300 random instances up to 60 workloads × 6 regions', async () => {
    const cases = fc.sample(
      fc.record({
        regions: fc.integer({ min: 1, max: 6 }),
        movers: fc.integer({ min: 0, max: 60 }),
        seed: fc.integer({ min: 1, max: 2 ** 31 - 2 }),
      }),
      { numRuns: 300, seed: 7 },
    );
    for (const { regions, movers, seed } of cases) {
      const p = generate(regions, movers, seed);
      const r = relax(p);
      const lp = p.fixedEmissions + (await solveLp(relaxationLp(p)));
      expect(r.lowerBound).toBeLessThanOrEqual(lp + 1e-6 * Math.max(1, lp));
      expect(r.lowerBound).toBeCloseTo(lp, 6);
    }
  });

  it('reaches the LP optimum on a generated fleet of 2,000 workloads, where many movers share a kind', async () => {
    const { snapshot } = await generateFleet(2_000, 3);
    const p = buildProblem(snapshot).problem;
    const r = relax(p);
    expect(r.groups.length).toBeLessThan(p.movers.length * 0.8);
    const lp = p.fixedEmissions + (await solveLp(relaxationLp(p)));
    expect(Math.abs(r.lowerBound - lp) / lp).toBeLessThan(1e-9);
  });

  it('gives bounds no higher than the optimum, and rounds to feasible placements, on 1,000 small instances with pairs', () => {
    fc.assert(
      fc.property(
        fc.record({
          regions: fc.integer({ min: 1, max: 5 }),
          movers: fc.integer({ min: 0, max: 14 }),
          seed: fc.integer({ min: 1, max: 2 ** 31 - 2 }),
        }),
        ({ regions, movers, seed }) => {
          const p = generate(regions, movers, seed);
          const r = relax(p);
          const exact = solveExact(p, 5_000_000);
          fc.pre(exact.optimal);
          expect(r.lowerBound).toBeLessThanOrEqual(exact.assignment.objective + 1e-9);
          const rounded = roundRelaxation(p, r);
          expect(violation(p, rounded.region)).toBeUndefined();
          expect(rounded.objective).toBeCloseTo(objectiveOf(p, rounded.region), 9);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

describe('towardsVertex', () => {
  it('leaves at most as many kinds split as there are tight rows, keeping every row and the LP value', async () => {
    const { snapshot } = await generateFleet(5_000, 5);
    const p = buildProblem(snapshot).problem;
    const r = relax(p);
    const counts: GroupCounts = r.groups.map(() => new Map<number, number>());
    r.groups.forEach((g, gi) => {
      for (const { weight, choice } of r.mix)
        counts[gi]!.set(choice[gi]!, (counts[gi]!.get(choice[gi]!) ?? 0) + weight * g.members.length);
    });
    const R = p.regions.length;
    const usage = () => {
      const used = new Float64Array(2 * R + 1);
      let cost = p.fixedEmissions;
      r.groups.forEach((g, gi) => {
        for (const [reg, x] of counts[gi]!) {
          used[reg] = used[reg]! + x * g.cpu;
          used[R + reg] = used[R + reg]! + x * g.mem;
          if (reg !== g.current) used[2 * R] = used[2 * R]! + x;
          cost += x * g.cost[g.allowed.indexOf(reg)]!;
        }
      });
      return { used, cost };
    };
    const split = () =>
      counts.filter((c) => [...c.values()].filter((x) => Math.abs(x - Math.round(x)) > 1e-7).length >= 2).length;
    const before = { ...usage(), split: split() };
    expect(before.split).toBeGreaterThan(50);
    const result = towardsVertex(p, r.groups, counts, r.limits);
    const after = usage();
    const tight = Array.from(r.limits).filter((b, i) => b - after.used[i]! <= 1e-6 * Math.max(1, b)).length;
    expect(result.fractional).toBe(split());
    expect(result.fractional).toBeLessThanOrEqual(tight);
    for (let i = 0; i < r.limits.length; i++) expect(after.used[i]).toBeLessThanOrEqual(r.limits[i]! + 1e-6);
    r.groups.forEach((g, gi) => {
      const total = [...counts[gi]!.values()].reduce((a, b) => a + b, 0);
      expect(total).toBeCloseTo(g.members.length, 6);
      for (const x of counts[gi]!.values()) expect(x).toBeGreaterThanOrEqual(-1e-9);
    });
    expect(after.cost).toBeLessThanOrEqual(before.cost + 1e-6 * before.cost);
    expect(Math.abs(after.cost - r.relaxation) / r.relaxation).toBeLessThan(1e-9);
  });
});
