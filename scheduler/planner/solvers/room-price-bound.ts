import type { PlacementProblem } from '../problem.js';
import { dualValue, type Group } from './lagrangian.js';

/**
 * A lower bound from the cost of making room in each region at the final placement (the
 * ejection chains' shadow prices), turned into prices per cpu (or per GiB) and completed by
 * a line search over the price of a move. Any prices ≥ 0 give a valid bound; these are
 * near the optimal ones when the placement is near optimal.
 */
export function roomPriceBound(p: PlacementProblem, groups: readonly Group[], roomCost: Float64Array): number {
  const R = p.regions.length;
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 1;
  const cpu = median(p.movers.map((m) => m.cpu)) || 1;
  const mem = median(p.movers.map((m) => m.memoryGib)) || 1;
  const zero = new Float64Array(R);
  const candidates: [Float64Array, Float64Array][] = [
    [Float64Array.from(roomCost, (c) => c / cpu), zero],
    [zero, Float64Array.from(roomCost, (c) => c / mem)],
    [Float64Array.from(roomCost, (c) => c / cpu / 2), Float64Array.from(roomCost, (c) => c / mem / 2)],
  ];
  let maxSaving = 0;
  for (const m of p.movers) for (let k = 0; k < m.cost.length; k++) maxSaving = Math.max(maxSaving, (m.cost[m.allowed.indexOf(m.current)] as number) - (m.cost[k] as number));
  let best = -Infinity;
  for (const [lambda, mu] of candidates) {
    // The dual is concave in ν: golden-section search on [0, maxSaving].
    const f = (nu: number): number => dualValue(p, groups, lambda, mu, nu);
    let lo = 0;
    let hi = p.budget >= p.movers.length ? 0 : maxSaving;
    const phi = (Math.sqrt(5) - 1) / 2;
    let x1 = hi - phi * (hi - lo);
    let x2 = lo + phi * (hi - lo);
    let f1 = f(x1);
    let f2 = f(x2);
    for (let k = 0; k < 40 && hi - lo > 1e-9 * (1 + maxSaving); k++) {
      if (f1 < f2) {
        lo = x1;
        x1 = x2;
        f1 = f2;
        x2 = lo + phi * (hi - lo);
        f2 = f(x2);
      } else {
        hi = x2;
        x2 = x1;
        f2 = f1;
        x1 = hi - phi * (hi - lo);
        f1 = f(x1);
      }
    }
    best = Math.max(best, f1, f2, f(0));
  }
  return best;
}
