import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { objectiveOf, violation } from '../../scheduler/planner/problem.js';
import { DEFAULT_SOLVE, solve } from '../../scheduler/planner/solve.js';
import { solveExact } from '../../scheduler/planner/solvers/exact.js';
import { bruteForce, smallProblem } from './random-problem.js';

describe('the planner on random instances small enough to enumerate', () => {
  it('reaches the brute-force optimum, with a bound that holds, on 2,000 instances (≤ 10 workloads × 4 regions)', () => {
    fc.assert(
      fc.property(smallProblem(10, 4), (p) => {
        const s = solve(p, DEFAULT_SOLVE);
        const optimum = bruteForce(p, violation, objectiveOf);
        expect(violation(p, s.assignment.region)).toBeUndefined();
        expect(s.assignment.objective).toBeCloseTo(optimum, 9);
        expect(s.lowerBound).toBeLessThanOrEqual(optimum + 1e-9);
        expect(s.gap).toBeLessThanOrEqual(1e-9);
        expect(s.assignment.objective).toBeLessThanOrEqual(s.greedy.objective + 1e-9);
      }),
      { numRuns: 2_000 },
    );
  });

  it('certifies only true bounds: without exact search, its lower bound never exceeds the optimum (500 instances up to 16 × 5)', () => {
    fc.assert(
      fc.property(smallProblem(16, 5), (p) => {
        const s = solve(p, { ...DEFAULT_SOLVE, exactNodes: 0 });
        const exact = solveExact(p, 20_000_000);
        fc.pre(exact.optimal);
        expect(violation(p, s.assignment.region)).toBeUndefined();
        expect(s.lowerBound).toBeLessThanOrEqual(exact.assignment.objective + 1e-9);
        expect(s.assignment.objective).toBeGreaterThanOrEqual(exact.assignment.objective - 1e-9);
        expect(s.assignment.objective).toBeLessThanOrEqual(s.greedy.objective + 1e-9);
      }),
      { numRuns: 500 },
    );
  });
});
