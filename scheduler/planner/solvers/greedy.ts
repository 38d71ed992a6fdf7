import type { Assignment, Mover, PlacementProblem } from '../problem.js';
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
    const order = Array.from(m.allowed.keys()).sort((a, b) => (m.cost[a] as number) - (m.cost[b] as number) || (m.allowed[a] as number) - (m.allowed[b] as number));
    for (const k of order) {
      const r = m.allowed[k] as number;
      if (r === m.current) break;
      if (state.canMove(i, r)) {
        state.move(i, r);
        break;
      }
    }
  }
  return { region: state.region, objective: state.objective };
}
