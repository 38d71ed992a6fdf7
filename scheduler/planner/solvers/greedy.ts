import { cheapestFirst, type Assignment, type Mover, type PlacementProblem } from '../problem.js';
import { PlacementState } from './placement-state.js';

/**
 * The baseline most carbon-aware schedulers use (the Carbon Aware SDK's "best location"):
 * take workloads one by one and send each to the greenest region it may use that still has
 * room, until the budget runs out. Kept as a named baseline to measure the planner against.
 */
export function solveGreedy(p: PlacementProblem): Assignment {
  const state = new PlacementState(p);
  for (let i = 0; i < p.movers.length; i++) {
    const m = p.movers[i] as Mover;
    state.placeFirst(i, cheapestFirst(m.allowed, m.cost).map((k) => m.allowed[k] as number));
  }
  return { region: state.region, objective: state.objective };
}
