import { costIn, moverKinds, type Assignment, type Mover, type PlacementProblem } from '../problem.js';
import { PlacementState } from './placement-state.js';

/** Most regions a chain passes through: a unit moves into each, another moves out. */
const MAX_HOPS = 4;

export interface ChainResult {
  readonly assignment: Assignment;
  readonly chains: number;
}

type Moved = [mover: number, from: number][];

/**
 * Improves a feasible placement by ejection chains, the moves a one-by-one greedy cannot
 * see: a workload moves into a full clean region because another moves out of it to a
 * region with room. For every pair of regions the best single shift is known; a shortest
 * path over those (at most MAX_HOPS hops, ending where there is room) is the best chain.
 * Chains are applied while they save; with the budget spent, the weakest move is traded
 * for a stronger one. Every step is checked, so the placement stays feasible.
 */
export function improveByChains(
  p: PlacementProblem,
  start: Assignment,
  maxChains: number,
  kinds: Int32Array = moverKinds(p),
): ChainResult {
  const R = p.regions.length;
  const state = new PlacementState(p);
  for (let i = 0; i < p.movers.length; i++)
    if (start.region[i] !== p.movers[i]!.current) state.move(i, start.region[i] as number);
  const shifts = new ShiftTable(p, state, kinds);
  const blocked = new Set<number>();
  const typical = typicalCpu(p);
  let chains = 0;
  for (; chains < maxChains; chains++) {
    const { edgeCost, edgeUnit } = shifts.edges(blocked);
    const room = roomFor(p, state, typical);
    // F[h][r]: cheapest way to make room for one unit arriving in r within h hops.
    let F = Float64Array.from(room, (has) => (has ? 0 : Infinity));
    const via: Int32Array[] = [];
    for (let h = 1; h <= MAX_HOPS; h++) {
      const next = Float64Array.from(F);
      const ptr = new Int32Array(R).fill(-1);
      for (let r = 0; r < R; r++) {
        for (let t = 0; t < R; t++) {
          const c = (edgeCost[r * R + t] as number) + (F[t] as number);
          if (c < (next[r] as number) - 1e-12) {
            next[r] = c;
            ptr[r] = t;
          }
        }
      }
      via.push(ptr);
      F = next;
    }
    // The best chain starts with a unit leaving some region r0 for r1.
    let bestGain = -1e-9;
    let bestStart = -1;
    for (let r = 0; r < R; r++) {
      for (let t = 0; t < R; t++) {
        const c = (edgeCost[r * R + t] as number) + (F[t] as number);
        if (c < bestGain) {
          bestGain = c;
          bestStart = r * R + t;
        }
      }
    }
    if (bestStart < 0) {
      const traded = tradeWeakestMove(p, state, shifts);
      if (!traded) break;
      shifts.refresh(traded);
      continue;
    }
    const moved = applyChain(state, bestStart, R, edgeUnit, via, room);
    if (moved) shifts.refresh(moved);
    else blocked.add(edgeUnit[bestStart] as number);
  }
  return { assignment: { region: Int32Array.from(state.region), objective: state.objective }, chains };
}

/**
 * For each pair of regions (r, s), the cheapest cost change of moving one workload from r to
 * s. Kept per region row and recomputed only for the rows a chain touched; rows are worked
 * out over kinds of workload (interchangeable movers), not single workloads.
 */
class ShiftTable {
  private readonly R: number;
  private readonly cost: Float64Array;
  private readonly unit: Int32Array;
  /** Movers in each region, by kind: kind → member indices there. */
  private readonly present: Map<number, number[]>[];
  private budgetSpent: boolean;

  constructor(
    private readonly p: PlacementProblem,
    private readonly state: PlacementState,
    private readonly kindOf: Int32Array,
  ) {
    this.R = p.regions.length;
    this.cost = new Float64Array(this.R * this.R);
    this.unit = new Int32Array(this.R * this.R);
    this.present = Array.from({ length: this.R }, () => new Map<number, number[]>());
    p.movers.forEach((_m, i) => this.add(i, state.region[i] as number));
    this.budgetSpent = state.moves >= p.budget;
    for (let r = 0; r < this.R; r++) this.row(r);
  }

  edges(blocked: ReadonlySet<number>): { edgeCost: Float64Array; edgeUnit: Int32Array } {
    if (blocked.size === 0) return { edgeCost: this.cost, edgeUnit: this.unit };
    const edgeCost = Float64Array.from(this.cost);
    for (let e = 0; e < edgeCost.length; e++) if (blocked.has(this.unit[e] as number)) edgeCost[e] = Infinity;
    return { edgeCost, edgeUnit: this.unit };
  }

  /** After movers changed region: update membership and the rows of every region touched. */
  refresh(moved: Moved): void {
    const rows = new Set<number>();
    for (const [i, from] of moved) {
      const to = this.state.region[i] as number;
      if (to === from) continue;
      this.remove(i, from);
      this.add(i, to);
      rows.add(from);
      rows.add(to);
    }
    const spent = this.state.moves >= this.p.budget;
    if (spent !== this.budgetSpent) {
      this.budgetSpent = spent;
      for (let r = 0; r < this.R; r++) rows.add(r);
    }
    for (const r of rows) this.row(r);
  }

  /** Each kind present in each region: [region, one member there (the last added)]. */
  *kinds(): Generator<[number, number]> {
    for (let r = 0; r < this.R; r++)
      for (const members of (this.present[r] as Map<number, number[]>).values())
        yield [r, members[members.length - 1] as number];
  }

  private add(i: number, r: number): void {
    const map = this.present[r] as Map<number, number[]>;
    const k = this.kindOf[i] as number;
    const list = map.get(k);
    if (list) list.push(i);
    else map.set(k, [i]);
  }

  private remove(i: number, r: number): void {
    const map = this.present[r] as Map<number, number[]>;
    const k = this.kindOf[i] as number;
    const list = map.get(k);
    if (!list) return;
    const at = list.lastIndexOf(i);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) map.delete(k);
  }

  private row(r: number): void {
    const R = this.R;
    this.cost.fill(Infinity, r * R, r * R + R);
    this.unit.fill(-1, r * R, r * R + R);
    for (const members of (this.present[r] as Map<number, number[]>).values()) {
      const i = members[members.length - 1] as number;
      const m = this.p.movers[i] as Mover;
      // A chain may not spend moves that are not left (a unit leaving home is one more).
      if (r === m.current && this.budgetSpent) continue;
      const here = costIn(m, r) as number;
      for (let k = 0; k < m.allowed.length; k++) {
        const s = m.allowed[k] as number;
        if (s === r) continue;
        const d = (m.cost[k] as number) - here;
        const e = r * R + s;
        if (d < (this.cost[e] as number)) {
          this.cost[e] = d;
          this.unit[e] = i;
        }
      }
    }
  }
}

/** The median cpu of the movers: what a region needs spare to count as having room. */
function typicalCpu(p: PlacementProblem): number {
  const cpus = Float64Array.from(p.movers, (m) => m.cpu).sort();
  return cpus[Math.floor(cpus.length / 2)] ?? 1;
}

/** Regions with room for a typical workload. */
function roomFor(p: PlacementProblem, state: PlacementState, typical: number): Uint8Array {
  return Uint8Array.from(p.regions, (_r, i) => (state.spareCpu(i) >= typical ? 1 : 0));
}

function applyChain(
  state: PlacementState,
  start: number,
  R: number,
  edgeUnit: Int32Array,
  via: Int32Array[],
  room: Uint8Array,
): Moved | undefined {
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
    if (unit < 0 || seen.has(next)) return undefined;
    steps.push([unit, next]);
    seen.add(next);
    s = next;
  }
  const before = state.objective;
  const done: Moved = [];
  for (let k = steps.length - 1; k >= 0; k--) {
    const [i, to] = steps[k] as [number, number];
    if (!state.canMove(i, to)) {
      for (const [j, back] of done.reverse()) state.move(j, back);
      return undefined;
    }
    done.push([i, state.region[i] as number]);
    state.move(i, to);
  }
  if (state.objective > before - 1e-9) {
    for (const [j, back] of done.reverse()) state.move(j, back);
    return undefined;
  }
  return done;
}

/**
 * With the budget spent, a move that saves little may be worth undoing to make a move that
 * saves more. Tries the strongest unmade move against the weakest made one.
 */
function tradeWeakestMove(p: PlacementProblem, state: PlacementState, shifts: ShiftTable): Moved | undefined {
  if (state.moves < p.budget) return undefined;
  // Members of a kind in one region are interchangeable: look at kinds, not workloads.
  let weakest = -1;
  let weakestSaving = Infinity;
  for (const [r, i] of shifts.kinds()) {
    const m = p.movers[i] as Mover;
    if (r === m.current) continue;
    const saving = (costIn(m, m.current) as number) - (costIn(m, r) as number);
    if (saving < weakestSaving || (saving === weakestSaving && i < weakest)) {
      weakestSaving = saving;
      weakest = i;
    }
  }
  if (weakest < 0) return undefined;
  const home = p.movers[weakest]!.current;
  const from = state.region[weakest] as number;
  if (!state.canMove(weakest, home)) return undefined;
  state.move(weakest, home);
  let bestGain = weakestSaving + 1e-9;
  let best: [number, number] | undefined;
  for (const [r, i] of shifts.kinds()) {
    const m = p.movers[i] as Mover;
    if (r !== m.current || i === weakest) continue;
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
    return undefined;
  }
  state.move(best[0], best[1]);
  return [
    [weakest, from],
    [best[0], p.movers[best[0]]!.current],
  ];
}
