import { costIn, type Assignment, type Mover, type PlacementProblem } from '../problem.js';
import { PlacementState } from './placement-state.js';

/** Most regions a chain passes through: a unit moves into each, another moves out. */
const MAX_HOPS = 4;

export interface ChainResult {
  readonly assignment: Assignment;
  /**
   * Cost of making room for one more unit in each region (0 where there is room): the
   * shadow price of a region's capacity at the final placement, used for the lower bound.
   */
  readonly roomCost: Float64Array;
  readonly chains: number;
}

/**
 * Improves a feasible placement by ejection chains, the moves a one-by-one greedy cannot
 * see: a workload moves into a full clean region because another moves out of it to a
 * region with room. For every pair of regions the best single shift is known; a shortest
 * path over those (at most MAX_HOPS hops, ending where there is room) is the best chain.
 * Chains are applied while they save; with the budget spent, the weakest move is traded
 * for a stronger one. Every step is checked, so the placement stays feasible.
 */
export function improveByChains(p: PlacementProblem, start: Assignment, maxChains: number): ChainResult {
  const R = p.regions.length;
  const state = new PlacementState(p);
  for (let i = 0; i < p.movers.length; i++) if (start.region[i] !== p.movers[i]!.current) state.move(i, start.region[i] as number);
  const blocked = new Set<number>();
  let chains = 0;
  let roomCost = new Float64Array(R);
  for (; chains < maxChains; chains++) {
    const { edgeCost, edgeUnit } = bestShifts(p, state, blocked);
    const room = roomFor(p, state);
    // F[h][r]: cheapest way to make room for one unit arriving in r within h hops.
    let F = Float64Array.from(room, (has) => (has ? 0 : Infinity));
    const via: Int32Array[] = [];
    for (let h = 1; h <= MAX_HOPS; h++) {
      const next = Float64Array.from(F);
      const ptr = new Int32Array(R).fill(-1);
      for (let r = 0; r < R; r++) {
        for (let s = 0; s < R; s++) {
          const c = (edgeCost[r * R + s] as number) + (F[s] as number);
          if (c < (next[r] as number) - 1e-12) {
            next[r] = c;
            ptr[r] = s;
          }
        }
      }
      via.push(ptr);
      F = next;
    }
    roomCost = Float64Array.from(F, (v) => (Number.isFinite(v) ? Math.max(0, v) : 0));
    // The best chain starts with a unit leaving some region r0 for r1.
    let bestGain = -1e-9;
    let bestStart = -1;
    for (let r = 0; r < R; r++) {
      for (let s = 0; s < R; s++) {
        const c = (edgeCost[r * R + s] as number) + (F[s] as number);
        if (c < bestGain) {
          bestGain = c;
          bestStart = r * R + s;
        }
      }
    }
    if (bestStart < 0) {
      if (!tradeWeakestMove(p, state)) break;
      continue;
    }
    if (!applyChain(p, state, bestStart, R, edgeUnit, via, room)) blocked.add(edgeUnit[bestStart] as number);
  }
  return { assignment: { region: Int32Array.from(state.region), objective: state.objective }, roomCost, chains };
}

/** For each region pair (r, s): the cheapest cost change of moving one workload from r to s. */
function bestShifts(p: PlacementProblem, state: PlacementState, blocked: ReadonlySet<number>): { edgeCost: Float64Array; edgeUnit: Int32Array } {
  const R = p.regions.length;
  const edgeCost = new Float64Array(R * R).fill(Infinity);
  const edgeUnit = new Int32Array(R * R).fill(-1);
  const budgetLeft = p.budget - state.moves;
  for (let i = 0; i < p.movers.length; i++) {
    if (blocked.has(i)) continue;
    const m = p.movers[i] as Mover;
    const r = state.region[i] as number;
    const here = costIn(m, r) as number;
    for (let k = 0; k < m.allowed.length; k++) {
      const s = m.allowed[k] as number;
      if (s === r) continue;
      // A chain may not spend more moves than are left (a unit leaving home is one more).
      if (r === m.current && budgetLeft <= 0) continue;
      const d = (m.cost[k] as number) - here;
      const e = r * R + s;
      if (d < (edgeCost[e] as number)) {
        edgeCost[e] = d;
        edgeUnit[e] = i;
      }
    }
  }
  return { edgeCost, edgeUnit };
}

/** Regions with room for a typical workload (the median size of those that may move). */
function roomFor(p: PlacementProblem, state: PlacementState): Uint8Array {
  const cpus = p.movers.map((m) => m.cpu).sort((a, b) => a - b);
  const typical = cpus[Math.floor(cpus.length / 2)] ?? 1;
  return Uint8Array.from(p.regions, (_r, i) => (state.spareCpu(i) >= typical ? 1 : 0));
}

function applyChain(p: PlacementProblem, state: PlacementState, start: number, R: number, edgeUnit: Int32Array, via: Int32Array[], room: Uint8Array): boolean {
  // Follow pointers from the first hop's destination, then apply from the end backwards so
  // each region has room when its new workload arrives.
  const steps: [number, number][] = [];
  const first = Math.floor(start / R);
  let s = start % R;
  steps.push([edgeUnit[start] as number, s]);
  const seen = new Set([first, s]);
  for (let h = via.length - 1; h >= 0 && !room[s]; h--) {
    const next = (via[h] as Int32Array)[s] as number;
    if (next < 0) continue;
    const unit = edgeUnit[s * R + next] as number;
    if (unit < 0 || seen.has(next)) return false;
    steps.push([unit, next]);
    seen.add(next);
    s = next;
  }
  const before = state.objective;
  const done: [number, number][] = [];
  for (let k = steps.length - 1; k >= 0; k--) {
    const [i, to] = steps[k] as [number, number];
    if (!state.canMove(i, to)) {
      for (const [j, back] of done.reverse()) state.move(j, back);
      return false;
    }
    done.push([i, state.region[i] as number]);
    state.move(i, to);
  }
  if (state.objective > before - 1e-9) {
    for (const [j, back] of done.reverse()) state.move(j, back);
    return false;
  }
  return true;
}

/**
 * With the budget spent, a move that saves little may be worth undoing to make a move that
 * saves more. Tries the strongest unmade move against the weakest made one.
 */
function tradeWeakestMove(p: PlacementProblem, state: PlacementState): boolean {
  if (state.moves < p.budget) return false;
  let weakest = -1;
  let weakestSaving = Infinity;
  for (let i = 0; i < p.movers.length; i++) {
    const m = p.movers[i] as Mover;
    const r = state.region[i] as number;
    if (r === m.current) continue;
    const saving = (costIn(m, m.current) as number) - (costIn(m, r) as number);
    if (saving < weakestSaving) {
      weakestSaving = saving;
      weakest = i;
    }
  }
  if (weakest < 0) return false;
  const home = p.movers[weakest]!.current;
  const from = state.region[weakest] as number;
  if (!state.canMove(weakest, home)) return false;
  state.move(weakest, home);
  let bestGain = weakestSaving + 1e-9;
  let best: [number, number] | undefined;
  for (let i = 0; i < p.movers.length; i++) {
    const m = p.movers[i] as Mover;
    if (state.region[i] !== m.current || i === weakest) continue;
    const stay = costIn(m, m.current) as number;
    for (let k = 0; k < m.allowed.length; k++) {
      const s = m.allowed[k] as number;
      const gain = stay - (m.cost[k] as number);
      if (s !== m.current && gain > bestGain && state.canMove(i, s)) {
        bestGain = gain;
        best = [i, s];
      }
    }
  }
  if (!best) {
    state.move(weakest, from);
    return false;
  }
  state.move(best[0], best[1]);
  return true;
}
