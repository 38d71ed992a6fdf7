import type { Assignment, PlacementProblem } from './problem.js';
import { violation } from './problem.js';
import { solveExact } from './solvers/exact.js';
import { solveGreedy } from './solvers/greedy.js';
import { improveByChains } from './solvers/ejection-chains.js';
import { solveLagrangian } from './solvers/lagrangian.js';
import { roomPriceBound } from './solvers/room-price-bound.js';

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
  readonly targetGap: number;
  readonly maxIterations: number;
  /** Ejection chains to try after the Lagrangian placement. */
  readonly maxChains: number;
}

const EXACT_MAX_MOVERS = 2_000;

export const DEFAULT_SOLVE: SolveOptions = Object.freeze({ exactNodes: 200_000, targetGap: 1e-4, maxIterations: 3_000, maxChains: 2_000 });

/**
 * The planner's solver: the greedy baseline first (so the result is never worse than it),
 * then the Lagrangian planner for a good placement and a proven lower bound, then exact
 * search where it can finish, which closes the gap to zero on small instances.
 */
export function solve(p: PlacementProblem, options: SolveOptions = DEFAULT_SOLVE): Solution {
  const greedy = solveGreedy(p);
  const lag = solveLagrangian(p, { maxIterations: options.maxIterations, targetGap: options.targetGap, incumbent: greedy });
  const chained = improveByChains(p, lag.assignment, options.maxChains);
  let assignment = chained.assignment;
  let lowerBound = Math.max(lag.lowerBound, roomPriceBound(p, lag.groups, chained.roomCost));
  let optimality: Solution['optimality'] = 'bounded';
  // Exact search recurses once per mover and only finishes on small instances.
  if (p.movers.length <= EXACT_MAX_MOVERS && assignment.objective - lowerBound > 1e-9 * Math.max(1, Math.abs(assignment.objective))) {
    const exact = solveExact(p, options.exactNodes, assignment);
    if (exact.assignment.objective < assignment.objective) assignment = exact.assignment;
    if (exact.optimal) {
      lowerBound = assignment.objective;
      optimality = 'proven';
    }
  } else if (assignment.objective - lowerBound <= 1e-9 * Math.max(1, Math.abs(assignment.objective))) {
    optimality = 'proven';
  }
  const broken = violation(p, assignment.region);
  if (broken) throw new Error(`planner produced an infeasible placement: ${broken}`);
  const gap = assignment.objective > 0 ? Math.max(0, (assignment.objective - lowerBound) / assignment.objective) : 0;
  return { assignment, lowerBound, gap, optimality, greedy };
}
