import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { objectiveOf, violation } from '../../scheduler/planner/problem.js';
import { solveExact } from '../../scheduler/planner/solvers/exact.js';
import { solveGreedy } from '../../scheduler/planner/solvers/greedy.js';
import { searchReducedCosts } from '../../scheduler/planner/solvers/reduced-cost-search.js';
import { bruteForce, smallProblem } from './random-problem.js';

describe('solvers on random small instances', () => {
  it('exact search finds the brute-force optimum (3,000 instances)', () => {
    fc.assert(
      fc.property(smallProblem(), (p) => {
        const exact = solveExact(p, 5_000_000);
        expect(exact.optimal).toBe(true);
        expect(violation(p, exact.assignment.region)).toBeUndefined();
        expect(exact.assignment.objective).toBeCloseTo(objectiveOf(p, exact.assignment.region), 9);
        expect(exact.assignment.objective).toBeCloseTo(bruteForce(p, violation, objectiveOf), 9);
      }),
      { numRuns: 3_000 },
    );
  });

  it('reduced-cost search: bounds hold at any prices and node budget, and a proof is the brute-force optimum (1,500 instances)', () => {
    const prices = fc.record({
      lambda: fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 4, maxLength: 4 }),
      mu: fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 4, maxLength: 4 }),
      nu: fc.double({ min: 0, max: 50, noNaN: true }),
    });
    fc.assert(
      fc.property(smallProblem(), fc.integer({ min: 0, max: 300 }), fc.option(prices), (p, nodes, given) => {
        const optimum = bruteForce(p, violation, objectiveOf);
        const at = given
          ? { lambda: Float64Array.from(given.lambda), mu: Float64Array.from(given.mu), nu: given.nu }
          : undefined;
        for (const budget of [nodes, 5_000_000]) {
          const r = searchReducedCosts(p, budget, undefined, at);
          expect(violation(p, r.assignment.region)).toBeUndefined();
          expect(r.assignment.objective).toBeCloseTo(objectiveOf(p, r.assignment.region), 9);
          expect(r.lowerBound).toBeLessThanOrEqual(optimum + 1e-9);
          if (r.optimal) expect(r.assignment.objective).toBeCloseTo(optimum, 9);
          if (budget > nodes) expect(r.optimal).toBe(true);
        }
      }),
      { numRuns: 1_500 },
    );
  });

  it('the greedy baseline always gives a feasible placement', () => {
    fc.assert(
      fc.property(smallProblem(), (p) => {
        const g = solveGreedy(p);
        expect(violation(p, g.region)).toBeUndefined();
        expect(g.objective).toBeCloseTo(objectiveOf(p, g.region), 9);
      }),
      { numRuns: 2_000 },
    );
  });
});
