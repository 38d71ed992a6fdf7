import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { objectiveOf, violation } from '../../scheduler/planner/problem.js';
import { solveExact } from '../../scheduler/planner/solvers/exact.js';
import { solveGreedy } from '../../scheduler/planner/solvers/greedy.js';
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
