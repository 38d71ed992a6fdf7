import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { moverKinds, objectiveOf, violation } from '../../scheduler/planner/problem.js';
import { solveRelaxation } from '../../scheduler/planner/solvers/column-generation.js';
import { solveGreedy } from '../../scheduler/planner/solvers/greedy.js';
import { branchOnRelaxation, improveAroundRelaxation } from '../../scheduler/planner/solvers/lp-branch.js';
import { groupMovers } from '../../scheduler/planner/solvers/mover-groups.js';
import { bruteForce, smallProblem } from './random-problem.js';

describe('branch and bound on the relaxation, random small instances', () => {
  it('feasible at any node budget, the bound holds, and a finished search is the brute-force optimum (800 instances)', () => {
    fc.assert(
      fc.property(smallProblem(8, 4), fc.integer({ min: 0, max: 30 }), (p, nodes) => {
        const optimum = bruteForce(p, violation, objectiveOf);
        const greedy = solveGreedy(p);
        for (const budget of [nodes, 1_000_000]) {
          const r = branchOnRelaxation(p, greedy, budget);
          expect(violation(p, r.assignment.region)).toBeUndefined();
          expect(r.assignment.objective).toBeCloseTo(objectiveOf(p, r.assignment.region), 9);
          expect(r.assignment.objective).toBeLessThanOrEqual(greedy.objective + 1e-9);
          expect(r.lowerBound).toBeLessThanOrEqual(optimum + 1e-6);
          if (r.optimal) expect(r.assignment.objective).toBeCloseTo(optimum, 6);
          if (budget > nodes) expect(r.optimal).toBe(true);
        }
      }),
      { numRuns: 800 },
    );
  });

  it('re-placing around the relaxation keeps a feasible placement no worse than the start (800 instances)', () => {
    fc.assert(
      fc.property(smallProblem(10, 4), fc.integer({ min: 0, max: 20 }), (p, nodes) => {
        const start = solveGreedy(p);
        const relax = solveRelaxation(p, groupMovers(p, moverKinds(p)), { maxIterations: 1_000, tolerance: 1e-9 });
        const a = improveAroundRelaxation(p, start, relax, nodes);
        expect(violation(p, a.region)).toBeUndefined();
        expect(a.objective).toBeCloseTo(objectiveOf(p, a.region), 9);
        expect(a.objective).toBeLessThanOrEqual(start.objective + 1e-9);
      }),
      { numRuns: 800 },
    );
  });
});
