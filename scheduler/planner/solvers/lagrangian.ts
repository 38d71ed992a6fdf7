import { cheapestFirst, moverKinds, type Assignment, type PlacementProblem } from '../problem.js';
import { PlacementState } from './placement-state.js';

export interface LagrangianResult {
  readonly assignment: Assignment;
  /** A proven lower bound on the optimum: the best Lagrangian dual value found. */
  readonly lowerBound: number;
  readonly iterations: number;
  /** The kinds of interchangeable movers it worked over (reused for other bounds). */
  readonly groups: readonly Group[];
}

export interface LagrangianOptions {
  readonly maxIterations: number;
  /** Stop once (upper − lower) / upper is at most this. */
  readonly targetGap: number;
  /** A feasible placement to start from (e.g. the greedy baseline's). */
  readonly incumbent?: Assignment;
}

/** Steps without a better bound before the step size is halved. */
const PATIENCE = 40;
/** Steps without real progress of the bound before the ascent stops. */
const STALL = 150;

/** Movers that are interchangeable for the optimiser: same home, size, options and costs. */
export interface Group {
  readonly members: number[];
  readonly current: number;
  readonly cpu: number;
  readonly mem: number;
  readonly allowed: Int32Array;
  readonly cost: Float64Array;
}

/**
 * Lagrangian relaxation of capacity (cpu, memory per region) and the move budget. For
 * prices λ, μ, ν ≥ 0 every mover independently picks its cheapest region at priced cost;
 * the value is a lower bound on the optimum (pair latency constraints are dropped, which
 * only lowers it). Subgradient ascent with Polyak steps raises the bound; every few steps
 * the prices guide a feasible placement (the upper bound). Identical movers are grouped,
 * so the work per step grows with the number of distinct kinds, not of workloads.
 */
export function solveLagrangian(p: PlacementProblem, options: LagrangianOptions): LagrangianResult {
  const R = p.regions.length;
  const groups = groupMovers(p);
  const flat = flatten(groups);
  const capCpu = Float64Array.from(p.regions, (r) => r.cpu);
  const capMem = Float64Array.from(p.regions, (r) => r.memoryGib);
  const budget = Math.min(p.budget, p.movers.length);
  // Prices in the objective's unit per unit of resource. Scale steps per resource so cpu
  // and memory (different units) move at comparable rates.
  const lambda = new Float64Array(R);
  const mu = new Float64Array(R);
  let nu = 0;
  const useCpu = new Float64Array(R);
  const useMem = new Float64Array(R);

  let best = options.incumbent ?? construct(p, groups, lambda, mu, nu);
  let lowerBound = -Infinity;
  let bestPrices = { lambda: Float64Array.from(lambda), mu: Float64Array.from(mu), nu };
  let theta = 2;
  let sinceImproved = 0;
  let lastProgress = 0;
  let it = 0;
  for (; it < options.maxIterations; it++) {
    // Dual value and subgradient at the current prices (flat arrays: this is the hot loop).
    useCpu.fill(0);
    useMem.fill(0);
    let moves = 0;
    let value = p.fixedEmissions;
    for (let gi = 0; gi < flat.count.length; gi++) {
      const cur = flat.current[gi] as number;
      const cpu = flat.cpu[gi] as number;
      const mem = flat.mem[gi] as number;
      let bestCost = Infinity;
      let bestR = cur;
      for (let k = flat.start[gi] as number, end = flat.start[gi + 1] as number; k < end; k++) {
        const r = flat.region[k] as number;
        const c = (flat.cost[k] as number) + (lambda[r] as number) * cpu + (mu[r] as number) * mem + (r === cur ? 0 : nu);
        if (c < bestCost || (c === bestCost && r < bestR)) {
          bestCost = c;
          bestR = r;
        }
      }
      const n = flat.count[gi] as number;
      value += n * bestCost;
      useCpu[bestR] = (useCpu[bestR] as number) + n * cpu;
      useMem[bestR] = (useMem[bestR] as number) + n * mem;
      if (bestR !== cur) moves += n;
    }
    // Rows are scaled by their right-hand side (capacity, budget) so cpu cores, GiB and
    // moves weigh alike; the norm counts only directions the projection lets prices move.
    let norm = 0;
    for (let r = 0; r < R; r++) {
      value -= (lambda[r] as number) * (capCpu[r] as number) + (mu[r] as number) * (capMem[r] as number);
      const gc = ((useCpu[r] as number) - (capCpu[r] as number)) / (capCpu[r] as number);
      const gm = ((useMem[r] as number) - (capMem[r] as number)) / (capMem[r] as number);
      if ((lambda[r] as number) > 0 || gc > 0) norm += gc * gc;
      if ((mu[r] as number) > 0 || gm > 0) norm += gm * gm;
    }
    value -= nu * budget;
    const gb = (moves - budget) / Math.max(1, budget);
    if (nu > 0 || gb > 0) norm += gb * gb;

    if (value > lowerBound + 1e-12) {
      // Progress worth the name: the bound rose by more than a millionth of itself.
      if (value - lowerBound > 1e-5 * Math.abs(value)) lastProgress = it;
      lowerBound = value;
      bestPrices = { lambda: Float64Array.from(lambda), mu: Float64Array.from(mu), nu };
      sinceImproved = 0;
    } else if (++sinceImproved >= PATIENCE) {
      theta /= 2;
      sinceImproved = 0;
    }
    if (it - lastProgress > STALL) break;
    if ((it < 200 ? it % 10 === 9 : it % 50 === 49) || norm === 0) {
      const candidate = construct(p, groups, lambda, mu, nu);
      if (candidate.objective < best.objective - 1e-9) best = candidate;
    }
    const gap = (best.objective - lowerBound) / Math.max(1e-12, Math.abs(best.objective));
    if (norm === 0 || gap <= options.targetGap || theta < 1e-6) break;
    // Polyak step in scaled prices (price × right-hand side), mapped back.
    const step = (theta * (best.objective - value)) / norm;
    for (let r = 0; r < R; r++) {
      const cc = capCpu[r] as number;
      const cm = capMem[r] as number;
      lambda[r] = Math.max(0, (lambda[r] as number) + (step * ((useCpu[r] as number) - cc)) / (cc * cc));
      mu[r] = Math.max(0, (mu[r] as number) + (step * ((useMem[r] as number) - cm)) / (cm * cm));
    }
    const kb = Math.max(1, budget);
    nu = Math.max(0, nu + (step * gb) / kb);
  }
  const last = construct(p, groups, bestPrices.lambda, bestPrices.mu, bestPrices.nu);
  if (last.objective < best.objective - 1e-9) best = last;
  return { assignment: best, lowerBound: Math.min(lowerBound, best.objective), iterations: it, groups };
}

/** The Lagrangian dual value at prices (λ cpu, μ memory per region, ν per move): a lower bound. */
export function dualValue(p: PlacementProblem, groups: readonly Group[], lambda: Float64Array, mu: Float64Array, nu: number): number {
  let value = p.fixedEmissions;
  for (const g of groups) {
    let bestCost = Infinity;
    for (let k = 0; k < g.allowed.length; k++) {
      const r = g.allowed[k] as number;
      const c = (g.cost[k] as number) + (lambda[r] as number) * g.cpu + (mu[r] as number) * g.mem + (r === g.current ? 0 : nu);
      if (c < bestCost) bestCost = c;
    }
    value += g.members.length * bestCost;
  }
  for (let r = 0; r < p.regions.length; r++) value -= (lambda[r] as number) * p.regions[r]!.cpu + (mu[r] as number) * p.regions[r]!.memoryGib;
  return value - nu * Math.min(p.budget, p.movers.length);
}

/** Groups as parallel typed arrays, for the inner loop of the ascent. */
interface FlatGroups {
  readonly start: Int32Array;
  readonly region: Int32Array;
  readonly cost: Float64Array;
  readonly current: Int32Array;
  readonly cpu: Float64Array;
  readonly mem: Float64Array;
  readonly count: Float64Array;
}

function flatten(groups: readonly Group[]): FlatGroups {
  const start = new Int32Array(groups.length + 1);
  groups.forEach((g, i) => (start[i + 1] = (start[i] as number) + g.allowed.length));
  const total = start[groups.length] as number;
  const region = new Int32Array(total);
  const cost = new Float64Array(total);
  groups.forEach((g, i) => {
    region.set(g.allowed, start[i] as number);
    cost.set(g.cost, start[i] as number);
  });
  return {
    start,
    region,
    cost,
    current: Int32Array.from(groups, (g) => g.current),
    cpu: Float64Array.from(groups, (g) => g.cpu),
    mem: Float64Array.from(groups, (g) => g.mem),
    count: Float64Array.from(groups, (g) => g.members.length),
  };
}

function groupMovers(p: PlacementProblem): Group[] {
  const kinds = moverKinds(p);
  const byKey = new Map<string, Group>();
  const groups: Group[] = [];
  p.movers.forEach((m, i) => {
    const key = kinds[i] as string;
    let g = byKey.get(key);
    if (!g) {
      g = { members: [], current: m.current, cpu: m.cpu, mem: m.memoryGib, allowed: m.allowed, cost: m.cost };
      byKey.set(key, g);
      groups.push(g);
    }
    g.members.push(i);
  });
  return groups;
}

/**
 * A feasible placement guided by prices: kinds of workload are taken in order of how much a
 * move gains at priced cost, each member to the best region (at priced cost) that still has
 * room, the budget and latency permitting; then members left home take the greenest region
 * with room, largest saving first.
 */
function construct(p: PlacementProblem, groups: readonly Group[], lambda: Float64Array, mu: Float64Array, nu: number): Assignment {
  const state = new PlacementState(p);
  const priced = (g: Group, k: number): number => {
    const r = g.allowed[k] as number;
    return (g.cost[k] as number) + (lambda[r] as number) * g.cpu + (mu[r] as number) * g.mem + (r === g.current ? 0 : nu);
  };
  const plans = groups.map((g, index) => {
    const costs = Array.from(g.allowed, (_r, k) => priced(g, k));
    const order = cheapestFirst(g.allowed, g.cost, (k) => costs[k] as number);
    const stayK = g.allowed.indexOf(g.current);
    return { g, index, order, gain: (costs[stayK] as number) - (costs[order[0] as number] as number) };
  });
  plans.sort((a, b) => b.gain - a.gain || a.index - b.index);
  for (const { g, order, gain } of plans) {
    if (gain <= 0) continue;
    place(state, g, order);
  }
  // Fill what is left with plain savings, kind by kind.
  const rest = groups.map((g, index) => {
    const order = cheapestFirst(g.allowed, g.cost);
    const saving = (g.cost[g.allowed.indexOf(g.current)] as number) - (g.cost[order[0] as number] as number);
    return { g, index, order, saving };
  });
  rest.sort((a, b) => b.saving - a.saving || a.index - b.index);
  for (const { g, order, saving } of rest) {
    if (state.moves >= p.budget) break;
    if (saving > 0) place(state, g, order);
  }
  return { region: Int32Array.from(state.region), objective: state.objective };
}

/** Sends each member of a kind still at home to the first region in `order` with room. */
function place(state: PlacementState, g: Group, order: readonly number[]): void {
  const regions = order.map((k) => g.allowed[k] as number);
  for (const i of g.members) if (state.region[i] === g.current) state.placeFirst(i, regions);
}
