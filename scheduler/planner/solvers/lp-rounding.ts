import type { Assignment, PlacementProblem } from '../problem.js';
import type { RelaxationResult } from './column-generation.js';
import type { Group, Prices } from './mover-groups.js';
import { towardsVertex, type GroupCounts } from './lp-vertex.js';
import { PlacementState } from './placement-state.js';

/**
 * A feasible placement from the LP relaxation's solution. Each kind of mover sends to each
 * region the whole number of members the relaxation sends there, rounded down (a basic LP
 * solution splits only a few kinds, so little is lost); moves are made greatest priced gain
 * first, in passes, because a region may have room only once others have left it. Budget and
 * room left over go to the members still at home: first where the prices say (cheapest
 * priced region that beats staying), then to the greenest region with room.
 */
export function roundRelaxation(p: PlacementProblem, relax: RelaxationResult): Assignment {
  const state = new PlacementState(p);
  const { groups, prices } = relax;
  const counts: GroupCounts = groups.map(() => new Map<number, number>());
  groups.forEach((g, gi) => {
    const c = counts[gi] as Map<number, number>;
    for (const { weight, choice } of relax.mix)
      c.set(choice[gi] as number, (c.get(choice[gi] as number) ?? 0) + weight * g.members.length);
  });
  towardsVertex(p, groups, counts, relax.limits);
  const wanted: { member: number; region: number; gain: number; group: number }[] = [];
  const remainders: { group: number; region: number; fraction: number; saving: number }[] = [];
  groups.forEach((g, gi) => {
    const share = new Map([...(counts[gi] as Map<number, number>)].filter(([r, x]) => r !== g.current && x > 1e-9));
    const stay = pricedCost(g, g.allowed.indexOf(g.current), prices);
    const plainStay = g.cost[g.allowed.indexOf(g.current)] as number;
    const targets = [...share]
      .map(([r, count]) => ({
        r,
        count: Math.floor(count + 1e-9),
        priced: pricedCost(g, g.allowed.indexOf(r), prices),
      }))
      .sort((a, b) => a.priced - b.priced || a.r - b.r);
    let next = 0;
    for (const t of targets) {
      for (let n = 0; n < t.count && next < g.members.length; n++)
        wanted.push({ member: g.members[next++] as number, region: t.r, gain: stay - t.priced, group: gi });
      const fraction = (share.get(t.r) as number) - t.count;
      if (fraction > 1e-6)
        remainders.push({
          group: gi,
          region: t.r,
          fraction,
          saving: plainStay - (g.cost[g.allowed.indexOf(t.r)] as number),
        });
    }
  });
  wanted.sort((a, b) => b.gain - a.gain || a.group - b.group || a.member - b.member);
  let pending = wanted;
  while (pending.length > 0) {
    const left = pending.filter((w) => {
      if (!state.canMove(w.member, w.region)) return true;
      state.move(w.member, w.region);
      return false;
    });
    if (left.length === pending.length) break;
    pending = left;
  }
  // What the relaxation sent in fractions: one more member each, greatest saving first (at
  // the relaxation's prices these are all equally good; saving first packs the budget best).
  remainders.sort((a, b) => b.saving - a.saving || b.fraction - a.fraction || a.group - b.group || a.region - b.region);
  for (const { group, region } of remainders) {
    const g = groups[group] as Group;
    const i = g.members.find((m) => state.region[m] === g.current);
    if (i !== undefined && state.canMove(i, region)) state.move(i, region);
  }
  fill(p, state, groups, (g, k) => pricedCost(g, k, prices), true);
  fill(p, state, groups, (g, k) => g.cost[k] as number, false);
  return { region: Int32Array.from(state.region), objective: state.objective };
}

/**
 * Members still at home, kinds with the most to gain first, each to the first region (in
 * `key` order) with room that saves emissions; with `stopAtHome`, regions that cost more
 * than home by `key` are not tried.
 */
function fill(
  p: PlacementProblem,
  state: PlacementState,
  groups: readonly Group[],
  key: (g: Group, k: number) => number,
  stopAtHome: boolean,
): void {
  const plans = groups.map((g, gi) => {
    const home = g.allowed.indexOf(g.current);
    const stay = g.cost[home] as number;
    const order = Array.from(g.allowed.keys())
      .filter((k) => k !== home && (g.cost[k] as number) < stay && (!stopAtHome || key(g, k) < key(g, home)))
      .sort((a, b) => key(g, a) - key(g, b) || (g.allowed[a] as number) - (g.allowed[b] as number));
    const gain = order.length ? key(g, home) - key(g, order[0] as number) : -Infinity;
    return { g, gi, regions: order.map((k) => g.allowed[k] as number), gain };
  });
  plans.sort((a, b) => b.gain - a.gain || a.gi - b.gi);
  for (const { g, regions } of plans) {
    if (state.moves >= p.budget) return;
    if (regions.length === 0) continue;
    for (const i of g.members) if (state.region[i] === g.current) state.placeFirst(i, regions);
  }
}

function pricedCost(g: Group, k: number, prices: Prices): number {
  const r = g.allowed[k] as number;
  return (
    (g.cost[k] as number) +
    (prices.lambda[r] as number) * g.cpu +
    (prices.mu[r] as number) * g.mem +
    (r === g.current ? 0 : prices.nu)
  );
}
