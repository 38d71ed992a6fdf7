import { RegionLoad } from '../capacity/region-load.js';

/**
 * The placement problem in solver form: plain arrays over region and mover indices, built
 * from a snapshot after every feasibility filter has run. Solvers (exact search, the
 * Lagrangian planner, the greedy baseline, the MIP used in benchmarks) all read this and
 * nothing else, so they can be compared on exactly the same instance.
 */
export interface ProblemRegion {
  readonly name: string;
  /** Capacity left for movers: the region's capacity minus what cannot move. */
  readonly cpu: number;
  readonly memoryGib: number;
  /** gCO2eq/kWh used for costs. */
  readonly intensity: number;
}

export interface Mover {
  readonly name: string;
  /** Index of the region it runs in now. */
  readonly current: number;
  readonly cpu: number;
  readonly memoryGib: number;
  /** Regions it may be placed in (always includes `current`), ascending. */
  readonly allowed: Int32Array;
  /** gCO2eq/h in each allowed region (same order as `allowed`), migration cost included. */
  readonly cost: Float64Array;
  /**
   * Optional: movers given the same object are interchangeable (same home, size, regions and
   * costs). Whoever builds the problem may know this cheaply; `moverKinds` trusts it.
   */
  readonly kindHint?: object;
}

/** Two movers that must end up within `maxMs` of each other (a dependency between them). */
export interface PairConstraint {
  readonly a: number;
  readonly b: number;
  readonly maxMs: number;
}

export interface PlacementProblem {
  readonly regions: readonly ProblemRegion[];
  readonly movers: readonly Mover[];
  /** Most moves allowed. */
  readonly budget: number;
  readonly pairs: readonly PairConstraint[];
  /** Round-trip ms between regions by index, undefined if unreachable. */
  latency(a: number, b: number): number | undefined;
  /** gCO2eq/h of everything that cannot move: added to every objective so totals are fleet totals. */
  readonly fixedEmissions: number;
}

/** A placement of every mover: `region[i]` is the region index of mover i. */
export interface Assignment {
  readonly region: Int32Array;
  /** fixedEmissions + Σ cost of each mover where it is placed. */
  readonly objective: number;
}

/** Positions in `allowed` ordered by cost, cheapest first (ties: lower region index). */
export function cheapestFirst(
  allowed: Int32Array,
  cost: Float64Array,
  key: (k: number) => number = (k) => cost[k] as number,
): number[] {
  return Array.from(allowed.keys()).sort((a, b) => key(a) - key(b) || (allowed[a] as number) - (allowed[b] as number));
}

/**
 * A kind per mover, equal for interchangeable movers (same home, size, options and costs),
 * numbered in order of first appearance. A mover in a pair constraint is its own kind: its
 * partner makes it unique.
 */
export function moverKinds(p: PlacementProblem): Int32Array {
  const paired = new Set<number>();
  for (const e of p.pairs) {
    paired.add(e.a);
    paired.add(e.b);
  }
  // Movers of one kind usually share their arrays: number each distinct content once, by
  // identity first, so the key per mover stays short.
  const byContent = new Map<string, number>();
  const byArray = new Map<Int32Array | Float64Array, number>();
  const id = (a: Int32Array | Float64Array): number => {
    let n = byArray.get(a);
    if (n === undefined) {
      const text = `${a instanceof Int32Array ? 'i' : 'f'}${a.join(',')}`;
      n = byContent.get(text);
      if (n === undefined) byContent.set(text, (n = byContent.size));
      byArray.set(a, n);
    }
    return n;
  };
  const kinds = new Map<string, number>();
  const hinted = new Map<object, number>();
  const kindOf = (key: string): number => {
    let k = kinds.get(key);
    if (k === undefined) kinds.set(key, (k = kinds.size));
    return k;
  };
  return Int32Array.from(p.movers, (m, i) => {
    if (paired.has(i)) return kindOf(`#${i}`);
    if (m.kindHint) {
      let k = hinted.get(m.kindHint);
      if (k === undefined)
        hinted.set(m.kindHint, (k = kindOf(`${m.current}|${m.cpu}|${m.memoryGib}|${id(m.allowed)}|${id(m.cost)}`)));
      return k;
    }
    return kindOf(`${m.current}|${m.cpu}|${m.memoryGib}|${id(m.allowed)}|${id(m.cost)}`);
  });
}

/** Cost of mover `m` in region `r`, or undefined if not allowed there. */
export function costIn(m: Mover, r: number): number | undefined {
  let lo = 0;
  let hi = m.allowed.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = m.allowed[mid] as number;
    if (v === r) return m.cost[mid];
    if (v < r) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

export function objectiveOf(p: PlacementProblem, region: Int32Array): number {
  let total = p.fixedEmissions;
  for (let i = 0; i < p.movers.length; i++) total += costIn(p.movers[i] as Mover, region[i] as number) ?? Infinity;
  return total;
}

/**
 * Every hard constraint of the problem, checked on a placement: allowed regions, capacity
 * (cpu and memory, after movers), the move budget and pair latencies. Returns the first
 * violation found, or undefined. Used by every solver's tests and as a last guard.
 */
export function violation(p: PlacementProblem, region: Int32Array): string | undefined {
  const load = new RegionLoad(p.regions);
  let moves = 0;
  for (let i = 0; i < p.movers.length; i++) {
    const m = p.movers[i] as Mover;
    const r = region[i] as number;
    if (costIn(m, r) === undefined) return `${m.name} placed in a region it may not use (${p.regions[r]?.name ?? r})`;
    load.add(r, m);
    if (r !== m.current) moves++;
  }
  for (let r = 0; r < p.regions.length; r++) {
    const over = load.overflow(r);
    if (over) return `${p.regions[r]?.name} over ${over.resource} capacity (${over.used} > ${over.capacity})`;
  }
  if (moves > p.budget) return `${moves} moves, budget ${p.budget}`;
  for (const e of p.pairs) {
    const l = p.latency(region[e.a] as number, region[e.b] as number);
    if (l === undefined || l > e.maxMs)
      return `${p.movers[e.a]?.name} and ${p.movers[e.b]?.name} end up ${l ?? 'unreachable'} ms apart (max ${e.maxMs})`;
  }
  return undefined;
}
