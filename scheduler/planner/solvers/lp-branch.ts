import { below } from '../../tolerance.js';
import {
  costIn,
  moverKinds,
  objectiveOf,
  violation,
  type Assignment,
  type Mover,
  type PairConstraint,
  type PlacementProblem,
  type ProblemRegion,
} from '../problem.js';
import { solveRelaxation, type RelaxationResult } from './column-generation.js';
import { roundRelaxation } from './lp-rounding.js';
import { groupMovers } from './mover-groups.js';

export interface BranchResult {
  readonly assignment: Assignment;
  /** True when every node was closed: the assignment is optimal (within TOLERANCE). */
  readonly optimal: boolean;
  /** A proven lower bound: the objective when optimal, else the least bound of a node left open. */
  readonly lowerBound: number;
  readonly nodes: number;
}

/** One decision of a node: mover `mover` is placed in `region` (fix) or kept out of it (forbid). */
interface Decision {
  readonly mover: number;
  readonly region: number;
  readonly fix: boolean;
}

interface Node {
  readonly decisions: readonly Decision[];
  /** A proven lower bound for every placement under these decisions (the parent's, until solved). */
  readonly bound: number;
  /** Order of creation: ties between equal bounds go to the older node, so the search is deterministic. */
  readonly id: number;
}

/** Relative distance at which a node's relaxation counts as solved (as the root's). */
const LP_TOLERANCE = 1e-9;
const LP_ITERATIONS = 1_000;

/**
 * Branch and bound on the LP relaxation: each node fixes some movers in a region and keeps
 * others out of one, and is bounded by the relaxation of what is left (column generation's
 * Lagrangian bound, proven whether or not it converged). Best bound first; a node whose
 * bound reaches the incumbent is closed, the others branch on the mover the relaxation
 * splits most evenly, into the region it sends it to. Each node's relaxation is rounded for
 * a better placement. Nodes are a count, so the result is deterministic.
 */
export function branchOnRelaxation(p: PlacementProblem, incumbent: Assignment, maxNodes: number): BranchResult {
  let best = incumbent;
  const open: Node[] = [{ decisions: [], bound: -Infinity, id: 0 }];
  let made = 1;
  let nodes = 0;
  while (open.length > 0 && nodes < maxNodes) {
    const node = takeBest(open);
    if (!below(node.bound, best.objective)) continue;
    nodes++;
    const sub = restrict(p, node.decisions);
    if (!sub) continue;
    // A pair partner fixed far away may rule out a mover's home, which the relaxation
    // starts from: such a mover is placed first, in each of its options.
    const homeless = sub.problem.movers.findIndex((m) => costIn(m, m.current) === undefined);
    if (homeless >= 0) {
      for (const more of optionsOf(sub, homeless))
        open.push({ decisions: [...node.decisions, ...more], bound: node.bound, id: made++ });
      continue;
    }
    const relax = solveRelaxation(sub.problem, groupMovers(sub.problem, moverKinds(sub.problem)), {
      maxIterations: LP_ITERATIONS,
      tolerance: LP_TOLERANCE,
    });
    // (A bound that is not a number bounds nothing.)
    const bound = relax.lowerBound > node.bound ? relax.lowerBound : node.bound;
    if (!below(bound, best.objective)) continue;
    const whole = wholePlacement(sub.problem, relax);
    for (const a of [roundRelaxation(sub.problem, relax), whole]) {
      const found = a && sub.lift(a);
      if (found && below(found.objective, best.objective)) best = found;
    }
    if (!below(bound, best.objective)) continue;
    for (const more of branches(sub, relax, whole))
      open.push({ decisions: [...node.decisions, ...more], bound, id: made++ });
  }
  let lowerBound = best.objective;
  for (const n of open) lowerBound = Math.min(lowerBound, n.bound);
  const optimal = !open.some((n) => below(n.bound, best.objective));
  return { assignment: best, optimal, lowerBound: optimal ? best.objective : lowerBound, nodes };
}

/**
 * A better placement near both `start` and the relaxation's solution: members of each kind
 * that sit where the relaxation puts whole members of that kind stay fixed there, and
 * branch and bound places the rest (what rounding decided on its own) among all their
 * options, within the capacity and budget the fixed ones leave. A search of a part of the
 * problem: it proves nothing about the whole.
 */
export function improveAroundRelaxation(
  p: PlacementProblem,
  start: Assignment,
  relax: RelaxationResult,
  maxNodes: number,
): Assignment {
  const root: Decision[] = [];
  relax.groups.forEach((g, gi) => {
    const whole = new Map<number, number>();
    for (const { weight, choice } of relax.mix) {
      const r = choice[gi] as number;
      whole.set(r, (whole.get(r) ?? 0) + weight * g.members.length);
    }
    for (const i of g.members) {
      const r = start.region[i] as number;
      const left = Math.floor((whole.get(r) ?? 0) + 1e-9);
      if (left <= 0) continue;
      whole.set(r, left - 1);
      root.push({ mover: i, region: r, fix: true });
    }
  });
  if (root.length === p.movers.length) return start;
  const sub = restrict(p, root);
  if (!sub) return start;
  const region = Int32Array.from(sub.original, (i) => start.region[i] as number);
  const found = branchOnRelaxation(sub.problem, { region, objective: start.objective }, maxNodes).assignment;
  const lifted = found.region === region ? undefined : sub.lift(found);
  return lifted && below(lifted.objective, start.objective) ? lifted : start;
}

/** Removes and returns the open node with the least bound (ties: the oldest). */
function takeBest(open: Node[]): Node {
  let k = 0;
  for (let j = 1; j < open.length; j++) {
    const a = open[j] as Node;
    const b = open[k] as Node;
    if (a.bound < b.bound || (a.bound === b.bound && a.id < b.id)) k = j;
  }
  const node = open[k] as Node;
  open[k] = open[open.length - 1] as Node;
  open.pop();
  return node;
}

/** The problem left under a node's decisions, and how to read its placements as whole ones. */
interface Restricted {
  readonly problem: PlacementProblem;
  /** Original index of each mover of `problem`. */
  readonly original: Int32Array;
  /** A placement of `problem` as a placement of the whole problem, if it is feasible. */
  lift(a: Assignment): Assignment | undefined;
}

/**
 * Fixed movers leave the problem: their cost joins the fixed emissions, their size the
 * region's use and their move the budget's. A forbidden region leaves the mover's options.
 * Undefined when the decisions leave some mover no option or overspend the budget.
 */
function restrict(p: PlacementProblem, decisions: readonly Decision[]): Restricted | undefined {
  const fixed = new Map<number, number>();
  const forbidden = new Map<number, Set<number>>();
  for (const d of decisions) {
    if (d.fix) fixed.set(d.mover, d.region);
    else {
      const s = forbidden.get(d.mover) ?? new Set<number>();
      s.add(d.region);
      forbidden.set(d.mover, s);
    }
  }
  const cpu = Float64Array.from(p.regions, (r) => r.cpu);
  const mem = Float64Array.from(p.regions, (r) => r.memoryGib);
  let fixedEmissions = p.fixedEmissions;
  let budget = p.budget;
  for (const [i, r] of fixed) {
    const m = p.movers[i] as Mover;
    cpu[r] = (cpu[r] as number) - m.cpu;
    mem[r] = (mem[r] as number) - m.memoryGib;
    fixedEmissions += costIn(m, r) as number;
    if (r !== m.current) budget--;
  }
  if (budget < 0 || cpu.some((c) => below(c, 0)) || mem.some((c) => below(c, 0))) return undefined;
  const options = allowedOptions(p, fixed, forbidden);
  if (!options) return undefined;
  const original = Int32Array.from(options.keys());
  const position = new Int32Array(p.movers.length).fill(-1);
  original.forEach((i, k) => (position[i] = k));
  const subMovers: Mover[] = [...options].map(([i, o]) => o ?? (p.movers[i] as Mover));
  const pairs: PairConstraint[] = [];
  for (const e of p.pairs) {
    const a = position[e.a] as number;
    const b = position[e.b] as number;
    if (a >= 0 && b >= 0) pairs.push({ a, b, maxMs: e.maxMs });
  }
  const regions: ProblemRegion[] = p.regions.map((r, k) => ({
    ...r,
    cpu: cpu[k] as number,
    memoryGib: mem[k] as number,
  }));
  const latency = (a: number, b: number): number | undefined => p.latency(a, b);
  const problem: PlacementProblem = { regions, movers: subMovers, budget, pairs, latency, fixedEmissions };
  const lift = (a: Assignment): Assignment | undefined => {
    const region = Int32Array.from(p.movers, (m) => m.current);
    for (const [i, r] of fixed) region[i] = r;
    original.forEach((i, k) => (region[i] = a.region[k] as number));
    if (violation(p, region)) return undefined;
    let objective = p.fixedEmissions;
    p.movers.forEach((m, i) => (objective += costIn(m, region[i] as number) as number));
    return { region, objective };
  };
  return { problem, original, lift };
}

/**
 * The options left to each mover not fixed (undefined: unchanged), in mover order; pair
 * partners of fixed movers keep only the regions close enough. Undefined if one has none.
 */
function allowedOptions(
  p: PlacementProblem,
  fixed: ReadonlyMap<number, number>,
  forbidden: ReadonlyMap<number, ReadonlySet<number>>,
): Map<number, Mover | undefined> | undefined {
  const near = new Map<number, [number, number][]>();
  for (const e of p.pairs) {
    const fa = fixed.get(e.a);
    const fb = fixed.get(e.b);
    if (fa !== undefined && fb !== undefined) {
      const l = p.latency(fa, fb);
      if (l === undefined || l > e.maxMs) return undefined;
    } else if (fa !== undefined) near.set(e.b, [...(near.get(e.b) ?? []), [fa, e.maxMs]]);
    else if (fb !== undefined) near.set(e.a, [...(near.get(e.a) ?? []), [fb, e.maxMs]]);
  }
  const out = new Map<number, Mover | undefined>();
  for (let i = 0; i < p.movers.length; i++) {
    if (fixed.has(i)) continue;
    const m = p.movers[i] as Mover;
    const no = forbidden.get(i);
    const limits = near.get(i);
    if (!no && !limits) {
      out.set(i, undefined);
      continue;
    }
    const keep = Array.from(m.allowed.keys()).filter((k) => {
      const r = m.allowed[k] as number;
      if (no?.has(r)) return false;
      return !limits?.some(([s, maxMs]) => {
        const l = p.latency(r, s);
        return l === undefined || l > maxMs;
      });
    });
    if (keep.length === 0) return undefined;
    out.set(i, {
      ...m,
      allowed: Int32Array.from(keep, (k) => m.allowed[k] as number),
      cost: Float64Array.from(keep, (k) => m.cost[k] as number),
      kindHint: undefined,
    });
  }
  return out;
}

/**
 * The mover the relaxation splits most evenly between regions, and a region away from home
 * it sends part of it to; `fixFirst` when it sends at least half. Undefined when whole.
 */
function splitMover(
  sub: Restricted,
  relax: RelaxationResult,
): { mover: number; region: number; fixFirst: boolean } | undefined {
  let pick: { mover: number; region: number; fixFirst: boolean } | undefined;
  let closest = Infinity;
  relax.groups.forEach((g, gi) => {
    const share = new Map<number, number>();
    for (const { weight, choice } of relax.mix) {
      const r = choice[gi] as number;
      share.set(r, (share.get(r) ?? 0) + weight * g.members.length);
    }
    for (const [r, count] of [...share].sort((a, b) => a[0] - b[0])) {
      const x = count - Math.floor(count);
      if (x < 1e-6 || x > 1 - 1e-6) continue;
      const d = Math.abs(x - 0.5);
      if (d < closest) {
        closest = d;
        const first = g.members[0] as number;
        const region =
          r !== g.current ? r : [...share.keys()].find((s) => s !== g.current && (share.get(s) ?? 0) > 1e-6);
        if (region === undefined) continue;
        const f = (share.get(region) as number) - Math.floor(share.get(region) as number);
        pick = { mover: sub.original[first] as number, region, fixFirst: f >= 0.5 };
      }
    }
  });
  return pick;
}

/**
 * How a node splits into children that together hold every placement it holds: on the
 * mover the relaxation splits most evenly (into its region, or out of it); where the
 * relaxation is whole but not a placement (a pair too far apart, or the relaxation not
 * solved to the end), on every option of a mover of such a pair, or of the first mover
 * with a choice. None when every mover has one option left: the node is that placement.
 */
function branches(sub: Restricted, relax: RelaxationResult, whole: Assignment | undefined): Decision[][] {
  const split = splitMover(sub, relax);
  if (split) {
    const order = split.fixFirst ? [true, false] : [false, true];
    return order.map((fix) => [{ mover: split.mover, region: split.region, fix }]);
  }
  const q = sub.problem;
  let k = -1;
  if (whole) {
    for (const e of q.pairs) {
      const l = q.latency(whole.region[e.a] as number, whole.region[e.b] as number);
      if (l !== undefined && l <= e.maxMs) continue;
      k = (q.movers[e.a] as Mover).allowed.length > 1 ? e.a : e.b;
      break;
    }
  }
  if (k < 0 || (q.movers[k] as Mover).allowed.length < 2) k = q.movers.findIndex((m) => m.allowed.length > 1);
  return k < 0 ? [] : optionsOf(sub, k);
}

/** One child per option of mover k of the restricted problem, each fixing it there. */
function optionsOf(sub: Restricted, k: number): Decision[][] {
  const mover = sub.original[k] as number;
  return Array.from((sub.problem.movers[k] as Mover).allowed, (region) => [{ mover, region, fix: true }]);
}

/** The relaxation's solution as a placement when it sends whole members everywhere (capacity and budget hold). */
function wholePlacement(q: PlacementProblem, relax: RelaxationResult): Assignment | undefined {
  const region = new Int32Array(q.movers.length);
  for (let gi = 0; gi < relax.groups.length; gi++) {
    const g = relax.groups[gi] as RelaxationResult['groups'][number];
    const share = new Map<number, number>();
    for (const { weight, choice } of relax.mix)
      share.set(choice[gi] as number, (share.get(choice[gi] as number) ?? 0) + weight * g.members.length);
    let next = 0;
    for (const [r, count] of [...share].sort((a, b) => a[0] - b[0])) {
      const n = Math.round(count);
      if (Math.abs(count - n) > WHOLE) return undefined;
      for (let j = 0; j < n && next < g.members.length; j++) region[g.members[next++] as number] = r;
    }
    if (next !== g.members.length) return undefined;
  }
  return violation({ ...q, pairs: [] }, region) ? undefined : { region, objective: objectiveOf(q, region) };
}

/** How close to a whole number a count must be to count as whole. */
const WHOLE = 1e-6;
