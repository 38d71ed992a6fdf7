import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { moverKinds, objectiveOf, violation } from '../../scheduler/planner/problem.js';
import { solveRelaxation } from '../../scheduler/planner/solvers/column-generation.js';
import { solveGreedy } from '../../scheduler/planner/solvers/greedy.js';
import { groupMovers } from '../../scheduler/planner/solvers/mover-groups.js';
import { boundByTightRows } from '../../scheduler/planner/solvers/tight-rows.js';
import { bruteForce, smallProblem } from './random-problem.js';

describe('the bound that keeps the budget and the priced rows exactly, random small instances', () => {
  it('at the relaxation prices or any others: feasible, a bound that holds, and optimal only at the optimum (400 instances)', () => {
    const prices = fc.record({
      lambda: fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 4, maxLength: 4 }),
      mu: fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 4, maxLength: 4 }),
      nu: fc.double({ min: 0, max: 50, noNaN: true }),
    });
    fc.assert(
      fc.property(smallProblem(), fc.option(prices), (p, given) => {
        const optimum = bruteForce(p, violation, objectiveOf);
        const at = given
          ? { lambda: Float64Array.from(given.lambda), mu: Float64Array.from(given.mu), nu: given.nu }
          : solveRelaxation(p, groupMovers(p, moverKinds(p)), { maxIterations: 1_000, tolerance: 1e-9 }).prices;
        const start = solveGreedy(p);
        const r = boundByTightRows(p, start, at);
        if (!r) return;
        expect(violation(p, r.assignment.region)).toBeUndefined();
        expect(r.assignment.objective).toBeCloseTo(objectiveOf(p, r.assignment.region), 9);
        expect(r.assignment.objective).toBeLessThanOrEqual(start.objective + 1e-9);
        expect(r.lowerBound).toBeLessThanOrEqual(optimum + 1e-9);
        if (r.optimal) expect(r.assignment.objective).toBeCloseTo(optimum, 9);
      }),
      { numRuns: 400 },
    );
  });
});
