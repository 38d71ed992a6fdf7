import type { Assignment, PlacementProblem } from './problem.js';
import { moverKinds, violation } from './problem.js';
import { solveRelaxation } from './solvers/column-generation.js';
import { improveByChains } from './solvers/ejection-chains.js';
import { solveExact } from './solvers/exact.js';
import { solveGreedy } from './solvers/greedy.js';
import { roundRelaxation } from './solvers/lp-rounding.js';
import { groupMovers } from './solvers/mover-groups.js';

export interface Solution {
  readonly assignment: Assignment;
  readonly lowerBound: number;
  /** (objective − lowerBound) / objective; 0 when proven optimal. */
  readonly gap: number;
  /** `proven`: the bound meets the placement (or exact search finished); `bounded`: the gap is what is known. */
  readonly optimality: 'proven' | 'bounded';
  readonly greedy: Assignment;
}

export interface SolveOptions {
  /** Branch-and-bound nodes to spend proving optimality before settling for the bound. */
  readonly exactNodes: number;
  /** Column generation rounds for the LP relaxation (each adds one column). */
  readonly maxIterations: number;
  /** Ejection chains to try after rounding. */
  readonly maxChains: number;
}

const EXACT_MAX_MOVERS = 2_000;
/** Relative distance between the LP bound and the master's value at which the LP counts as solved. */
const LP_TOLERANCE = 1e-9;

export const DEFAULT_SOLVE: SolveOptions = Object.freeze({
  exactNodes: 200_000,
  maxIterations: 1_000,
  maxChains: 2_000,
});

/**
 * The planner's solver: the greedy baseline first (so the result is never worse than it),
 * then the LP relaxation by column generation (its Lagrangian bounds certify the gap),
 * rounded to a feasible placement and improved by ejection chains, then exact search where
 * it can finish, which closes the gap to zero on small instances.
 */
export function solve(p: PlacementProblem, options: SolveOptions = DEFAULT_SOLVE): Solution {
  const greedy = solveGreedy(p);
  const kinds = moverKinds(p);
  const relax = solveRelaxation(p, groupMovers(p, kinds), {
    maxIterations: options.maxIterations,
    tolerance: LP_TOLERANCE,
  });
  const rounded = roundRelaxation(p, relax);
  const start = rounded.objective <= greedy.objective ? rounded : greedy;
  const chained = improveByChains(p, start, options.maxChains, kinds);
  let assignment = chained.assignment;
  let lowerBound = relax.lowerBound;
  let optimality: Solution['optimality'] = 'bounded';
  const closed = (): boolean => assignment.objective - lowerBound <= 1e-9 * Math.max(1, Math.abs(assignment.objective));
  // Exact search recurses once per mover and only finishes on small instances.
  if (p.movers.length <= EXACT_MAX_MOVERS && !closed()) {
    const exact = solveExact(p, options.exactNodes, assignment);
    if (exact.assignment.objective < assignment.objective) assignment = exact.assignment;
    if (exact.optimal) {
      lowerBound = assignment.objective;
      optimality = 'proven';
    }
  } else if (closed()) {
    optimality = 'proven';
  }
  const broken = violation(p, assignment.region);
  if (broken) throw new Error(`planner produced an infeasible placement: ${broken}`);
  const gap = assignment.objective > 0 ? Math.max(0, (assignment.objective - lowerBound) / assignment.objective) : 0;
  return { assignment, lowerBound, gap, optimality, greedy };
}
