import type { Assignment, PlacementProblem } from './problem.js';
import { below } from '../tolerance.js';
import { moverKinds, violation } from './problem.js';
import { solveRelaxation } from './solvers/column-generation.js';
import { improveByChains } from './solvers/ejection-chains.js';
import { solveExact } from './solvers/exact.js';
import { solveGreedy } from './solvers/greedy.js';
import { searchReducedCosts } from './solvers/reduced-cost-search.js';
import { roundRelaxation } from './solvers/lp-rounding.js';
import { boundByTightRows } from './solvers/tight-rows.js';
import { improveAroundRelaxation } from './solvers/lp-branch.js';
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
  /** Branch-and-bound nodes exact search may spend looking for a better placement. */
  readonly exactNodes: number;
  /** Nodes the reduced-cost search may spend proving optimality or raising the bound. */
  readonly proofNodes: number;
  /** Column generation rounds for the LP relaxation (each adds one column). */
  readonly maxIterations: number;
  /** Ejection chains to try after rounding. */
  readonly maxChains: number;
  /** Branch-and-bound nodes spent re-placing, around the relaxation, what rounding decided on its own. */
  readonly aroundNodes: number;
}

/**
 * Both searches below recurse or branch once per undecided mover and only pay off on small
 * instances; above this the relaxation's bound stands (and the time stays what it was).
 */
const EXACT_MAX_MOVERS = 2_000;

/**
 * Above this the relaxation of the part rounding decided alone is itself large enough that
 * re-solving it per node costs more than the plan's other steps together.
 */
const AROUND_MAX_MOVERS = 20_000;

/** The bound meets the objective: the placement is proven optimal. */
const closed = (objective: number, bound: number): boolean => !below(bound, objective);

/** Relative distance between the LP bound and the master's value at which the LP counts as solved. */
const LP_TOLERANCE = 1e-9;

export const DEFAULT_SOLVE: SolveOptions = Object.freeze({
  exactNodes: 200_000,
  proofNodes: 20_000,
  maxIterations: 1_000,
  maxChains: 2_000,
  aroundNodes: 10,
});

/**
 * The planner's solver: the greedy baseline first (so the result is never worse than it),
 * then the LP relaxation by column generation (its Lagrangian bounds certify the gap),
 * rounded to a feasible placement and improved by ejection chains; on small instances then
 * exact search, the bound that keeps the budget and the priced capacity rows exactly, and
 * branch and bound on the relaxation's reduced costs, which prove the optimum where they
 * finish and otherwise raise the bound; up to mid-sized instances, branch and bound on the
 * relaxation re-places what rounding decided alone (nodes are a count, not a time, so the
 * plan stays deterministic).
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
  // Exact search, savings first: good at finding a better placement.
  if (p.movers.length <= EXACT_MAX_MOVERS && !closed(assignment.objective, lowerBound)) {
    const exact = solveExact(p, options.exactNodes, assignment);
    if (exact.assignment.objective < assignment.objective) assignment = exact.assignment;
    if (exact.optimal) lowerBound = assignment.objective;
  }
  // The budget and the capacity rows the prices charge for, kept exactly over the movers
  // with a choice left: exact where a few full regions cannot be filled exactly.
  if (p.movers.length <= EXACT_MAX_MOVERS && !closed(assignment.objective, lowerBound)) {
    const tight = boundByTightRows(p, assignment, relax.prices);
    if (tight) {
      assignment = tight.assignment;
      lowerBound = Math.max(lowerBound, tight.lowerBound);
    }
  }
  // Branch and bound on the relaxation's reduced costs: good at proving. With targets close
  // to the bound most movers have one option worth trying; where it does not finish, what it
  // did prove still raises the bound.
  if (p.movers.length <= EXACT_MAX_MOVERS && !closed(assignment.objective, lowerBound)) {
    const search = searchReducedCosts(p, options.proofNodes, assignment, relax.prices, kinds);
    assignment = search.assignment;
    lowerBound = Math.max(lowerBound, search.lowerBound);
  }
  // Branch and bound on what rounding decided alone, the rest fixed where the relaxation has it.
  if (p.movers.length <= AROUND_MAX_MOVERS && !closed(assignment.objective, lowerBound))
    assignment = improveAroundRelaxation(p, assignment, relax, options.aroundNodes);
  if (closed(assignment.objective, lowerBound)) {
    lowerBound = Math.min(lowerBound, assignment.objective);
    optimality = 'proven';
  }
  const broken = violation(p, assignment.region);
  if (broken) throw new Error(`planner produced an infeasible placement: ${broken}`);
  const gap = assignment.objective > 0 ? Math.max(0, (assignment.objective - lowerBound) / assignment.objective) : 0;
  return { assignment, lowerBound, gap, optimality, greedy };
}
