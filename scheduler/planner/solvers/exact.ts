import { RegionLoad } from '../../capacity/region-load.js';
import { below } from '../../tolerance.js';
import { cheapestFirst, costIn, type Assignment, type Mover, type PlacementProblem } from '../problem.js';

export interface ExactResult {
  readonly assignment: Assignment;
  /** True when the search finished: the assignment is optimal. */
  readonly optimal: boolean;
  readonly nodes: number;
}

/**
 * Depth-first branch and bound over movers, largest possible saving first. A partial
 * placement counts only the movers decided so far (a mover not yet decided may still
 * leave), so no placement is missed. The bound is the cost so far plus, for the movers
 * left, their cost if they stay minus the largest savings the remaining budget could buy.
 * Exact when it finishes within `maxNodes`; used for small instances.
 */
export function solveExact(p: PlacementProblem, maxNodes: number, incumbent?: Assignment): ExactResult {
  const n = p.movers.length;
  const { order, position, stayFrom, savingPrefix, partners } = searchOrder(p);
  const tries = order.map((i) => cheapestFirst((p.movers[i] as Mover).allowed, (p.movers[i] as Mover).cost));

  const region = new Int32Array(n);
  const load = new RegionLoad(p.regions);
  let bestObjective = Infinity;
  let bestRegion = Int32Array.from(p.movers.map((m) => m.current));
  if (incumbent) {
    bestObjective = incumbent.objective;
    bestRegion = Int32Array.from(incumbent.region);
  }
  let nodes = 0;
  let aborted = false;
  let cost = p.fixedEmissions;
  let moves = 0;

  const search = (k: number): void => {
    if (aborted) return;
    if (++nodes > maxNodes) {
      aborted = true;
      return;
    }
    if (k === n) {
      if (below(cost, bestObjective)) {
        bestObjective = cost;
        bestRegion = Int32Array.from(region);
      }
      return;
    }
    const left = Math.max(0, Math.min(n - k, p.budget - moves));
    const bound = cost + (stayFrom[k] as number) - ((savingPrefix[k + left] as number) - (savingPrefix[k] as number));
    if (!below(bound, bestObjective)) return;
    const i = order[k] as number;
    const m = p.movers[i] as Mover;
    next: for (const a of tries[k] as number[]) {
      const r = m.allowed[a] as number;
      const moved = r !== m.current;
      if (moved && moves >= p.budget) continue;
      if (!load.fits(r, m)) continue;
      for (const [j, maxMs] of partners[i] as [number, number][]) {
        if ((position[j] as number) >= k) continue; // not decided yet: checked when it is
        const l = p.latency(r, region[j] as number);
        if (l === undefined || l > maxMs) continue next;
      }
      region[i] = r;
      load.add(r, m);
      cost += m.cost[a] as number;
      if (moved) moves++;
      search(k + 1);
      if (moved) moves--;
      cost -= m.cost[a] as number;
      load.remove(r, m);
    }
  };
  search(0);
  let objective = p.fixedEmissions;
  for (let i = 0; i < n; i++) objective += costIn(p.movers[i] as Mover, bestRegion[i] as number) as number;
  return { assignment: { region: bestRegion, objective }, optimal: !aborted, nodes };
}

/**
 * Movers by largest possible saving first, with the sums the bound reads: the cost of
 * staying from position k on and the savings prefix; and each mover's pair partners.
 */
function searchOrder(p: PlacementProblem): {
  order: number[];
  position: Int32Array;
  stayFrom: Float64Array;
  savingPrefix: Float64Array;
  partners: [number, number][][];
} {
  const n = p.movers.length;
  const stay = p.movers.map((m) => costIn(m, m.current) as number);
  const best = p.movers.map((m) => Math.min(...m.cost));
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (stay[b] as number) - (best[b] as number) - ((stay[a] as number) - (best[a] as number)) || a - b,
  );
  const position = new Int32Array(n);
  order.forEach((i, k) => (position[i] = k));
  const stayFrom = new Float64Array(n + 1);
  const savingPrefix = new Float64Array(n + 1);
  for (let k = n - 1; k >= 0; k--) stayFrom[k] = (stayFrom[k + 1] as number) + (stay[order[k] as number] as number);
  for (let k = 0; k < n; k++)
    savingPrefix[k + 1] =
      (savingPrefix[k] as number) +
      Math.max(0, (stay[order[k] as number] as number) - (best[order[k] as number] as number));
  const partners: [number, number][][] = Array.from({ length: n }, () => []);
  for (const e of p.pairs) {
    (partners[e.a] as [number, number][]).push([e.b, e.maxMs]);
    (partners[e.b] as [number, number][]).push([e.a, e.maxMs]);
  }

  return { order, position, stayFrom, savingPrefix, partners };
}
