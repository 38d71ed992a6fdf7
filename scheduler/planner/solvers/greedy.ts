import { cheapestFirst, type Assignment, type Mover, type PlacementProblem } from '../problem.js';
import { PlacementState } from './placement-state.js';

/**
 * The baseline most carbon-aware schedulers use (the Carbon Aware SDK's "best location"):
 * take workloads one by one and send each to the greenest region it may use that still has
 * room, until the budget runs out. Kept as a named baseline to measure the planner against.
 */
export function solveGreedy(p: PlacementProblem): Assignment {
  const state = new PlacementState(p);
  // Movers of one kind share their cost array: order its regions once.
  const orders = new Map<Float64Array, number[]>();
  for (let i = 0; i < p.movers.length; i++) {
    const m = p.movers[i] as Mover;
    let order = orders.get(m.cost);
    if (!order) orders.set(m.cost, (order = cheapestFirst(m.allowed, m.cost).map((k) => m.allowed[k] as number)));
    state.placeFirst(i, order);
  }
  return { region: state.region, objective: state.objective };
}
