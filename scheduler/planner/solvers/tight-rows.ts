import { below, exceeds } from '../../tolerance.js';
import { costIn, violation, type Assignment, type Mover, type PlacementProblem } from '../problem.js';
import type { Prices } from './mover-groups.js';

export interface TightRowsResult {
  /** The incumbent, or the relaxation's optimum where that is a feasible placement (then optimal). */
  readonly assignment: Assignment;
  /** A proven lower bound on the optimum (the objective when `optimal`). */
  readonly lowerBound: number;
  readonly optimal: boolean;
}

/** Most states the dynamic programme may have, and most state × option steps it may take. */
const MAX_STATES = 1_000_000;
const MAX_WORK = 30_000_000;
/** Most choices kept to trace the optimum back (one byte each). */
const MAX_CHOICES = 20_000_000;

/** A kept capacity row: region r's cpu or memory, counted in units of `unit`. */
interface Row {
  readonly region: number;
  readonly memory: boolean;
  readonly unit: number;
  readonly capacity: number;
  readonly price: number;
}

/** A mover's options worth trying: region, true cost, and the move it makes. */
interface Open {
  readonly mover: number;
  readonly region: Int32Array;
}

/**
 * An exact bound where the relaxation's is weak because a few full regions cannot be
 * filled exactly. At the relaxation's prices, an option whose reduced cost alone takes the
 * Lagrangian bound to the incumbent never helps (most movers keep one). The relaxation that
 * keeps, exactly and in whole units, the move budget and the capacity rows the prices
 * charge for, and drops every other row, is then small enough for a dynamic programme over
 * the movers left with a choice (states: moves made and units used in each kept row). Its
 * optimum bounds every placement that could beat the incumbent; where it is a feasible
 * placement, it is optimal. Undefined where sizes are not whole numbers or the states would
 * be too many.
 */
export function boundByTightRows(
  p: PlacementProblem,
  incumbent: Assignment,
  prices: Prices,
): TightRowsResult | undefined {
  const { open, fixedRegion, fixedCost, bound } = openMovers(p, incumbent, prices);
  if (!below(bound, incumbent.objective))
    return { assignment: incumbent, lowerBound: incumbent.objective, optimal: true };
  const rows = keptRows(p, open, fixedRegion, prices);
  if (!rows) return { assignment: incumbent, lowerBound: incumbent.objective, optimal: true }; // nothing fits
  const budget = budgetStates(p, open, fixedRegion) - 1;
  if (budget < 0) return { assignment: incumbent, lowerBound: incumbent.objective, optimal: true };
  const dp = new Programme(p, rows, budget, open);
  if (!dp.feasibleSize()) return undefined;
  const best = dp.run();
  if (!best) return { assignment: incumbent, lowerBound: incumbent.objective, optimal: true };
  const lowerBound = Math.min(incumbent.objective, fixedCost + best.cost);
  const region = Int32Array.from(fixedRegion);
  open.forEach((o, k) => (region[o.mover] = best.region[k] as number));
  if (!violation(p, region)) {
    let objective = p.fixedEmissions;
    p.movers.forEach((m, i) => (objective += costIn(m, region[i] as number) as number));
    if (below(objective, incumbent.objective))
      return { assignment: { region, objective }, lowerBound: objective, optimal: true };
  }
  return { assignment: incumbent, lowerBound, optimal: !below(lowerBound, incumbent.objective) };
}

/**
 * Options by reduced cost at the prices: movers with one option worth trying are fixed
 * (`fixedRegion`, −1 for the others, whose options are in `open`); `bound` is the
 * Lagrangian bound, `fixedCost` the fixed emissions and the fixed movers' costs.
 */
function openMovers(
  p: PlacementProblem,
  incumbent: Assignment,
  { lambda, mu, nu }: Prices,
): { open: Open[]; fixedRegion: Int32Array; fixedCost: number; bound: number } {
  const priced = (m: Mover, k: number): number => {
    const r = m.allowed[k] as number;
    return (
      (m.cost[k] as number) +
      (lambda[r] as number) * m.cpu +
      (mu[r] as number) * m.memoryGib +
      (r === m.current ? 0 : nu)
    );
  };
  let bound = p.fixedEmissions - nu * Math.min(p.budget, p.movers.length);
  p.regions.forEach((r, k) => (bound -= (lambda[k] as number) * r.cpu + (mu[k] as number) * r.memoryGib));
  const least = p.movers.map((m) => Math.min(...Array.from(m.allowed.keys(), (k) => priced(m, k))));
  for (const l of least) bound += l;
  // Generous by a little: keeping an option too many costs time, never a wrong bound.
  const room = incumbent.objective - bound + 1e-7 * Math.max(1, Math.abs(incumbent.objective));
  const open: Open[] = [];
  const fixedRegion = new Int32Array(p.movers.length).fill(-1);
  let fixedCost = p.fixedEmissions;
  p.movers.forEach((m, i) => {
    const keep = Array.from(m.allowed.keys()).filter((k) => priced(m, k) - (least[i] as number) < room);
    if (keep.length === 1) {
      fixedRegion[i] = m.allowed[keep[0] as number] as number;
      fixedCost += m.cost[keep[0] as number] as number;
    } else open.push({ mover: i, region: Int32Array.from(keep, (k) => m.allowed[k] as number) });
  });
  return { open, fixedRegion, fixedCost, bound };
}

/**
 * The capacity rows to keep: those the prices charge for and some open mover could use,
 * dearest first while the states stay few; each in units of the greatest common divisor of
 * the open movers' sizes there, after what fixed movers take. Undefined when fixed movers
 * alone overfill a row; an empty list when sizes are not whole numbers.
 */
function keptRows(
  p: PlacementProblem,
  open: readonly Open[],
  fixedRegion: Int32Array,
  prices: Prices,
): Row[] | undefined {
  const rows: Row[] = [];
  let states = budgetStates(p, open, fixedRegion);
  const candidates: Row[] = [];
  for (let r = 0; r < p.regions.length; r++) {
    for (const memory of [false, true]) {
      const price =
        ((memory ? prices.mu : prices.lambda)[r] as number) * (memory ? p.regions[r]!.memoryGib : p.regions[r]!.cpu);
      const size = (m: Mover): number => (memory ? m.memoryGib : m.cpu);
      let left = memory ? p.regions[r]!.memoryGib : p.regions[r]!.cpu;
      p.movers.forEach((m, i) => (left -= fixedRegion[i] === r ? size(m) : 0));
      if (below(left, 0)) return undefined;
      if (!(price > 0)) continue;
      let unit = 0;
      let most = 0;
      for (const o of open) {
        if (!o.region.includes(r)) continue;
        const s = size(p.movers[o.mover] as Mover);
        if (!Number.isInteger(s)) return [];
        unit = gcd(unit, s);
        most += s;
      }
      // A row the open movers cannot overfill together binds nothing.
      if (unit === 0 || !exceeds(most, left)) continue;
      candidates.push({ region: r, memory, unit, capacity: Math.floor(left / unit + 1e-9), price });
    }
  }
  candidates.sort((a, b) => b.price - a.price || a.region - b.region || Number(a.memory) - Number(b.memory));
  for (const c of candidates) {
    if (states * (c.capacity + 1) > MAX_STATES) continue;
    states *= c.capacity + 1;
    rows.push(c);
  }
  return rows;
}

/** Moves the open movers may still make, plus one (−1 or less when the fixed ones overspend the budget). */
function budgetStates(p: PlacementProblem, open: readonly Open[], fixedRegion: Int32Array): number {
  let left = p.budget;
  p.movers.forEach((m, i) => {
    const r = fixedRegion[i] as number;
    if (r >= 0 && r !== m.current) left--;
  });
  const canMove = open.filter((o) => o.region.some((r) => r !== (p.movers[o.mover] as Mover).current)).length;
  return Math.min(left, canMove) + 1;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The dynamic programme: least cost over the open movers for each state, with choices to trace back. */
class Programme {
  /** Size of each dimension: moves, then each kept row's units. */
  private readonly size: Int32Array;
  private readonly stride: Int32Array;
  private readonly states: number;
  /** Per open mover and option: state offset, or −1 where it does not fit in some row at all. */
  private readonly steps: { offset: Int32Array; cost: Float64Array; use: Int32Array[] }[];

  constructor(
    p: PlacementProblem,
    rows: readonly Row[],
    budget: number,
    private readonly open: readonly Open[],
  ) {
    this.size = Int32Array.from([budget + 1, ...rows.map((r) => r.capacity + 1)]);
    this.stride = new Int32Array(this.size.length);
    let s = 1;
    this.size.forEach((n, d) => {
      this.stride[d] = s;
      s *= n;
    });
    this.states = s;
    this.steps = open.map((o) => {
      const m = p.movers[o.mover] as Mover;
      const use = Array.from(o.region, (r) =>
        Int32Array.from([
          r === m.current ? 0 : 1,
          ...rows.map((row) => (row.region === r ? (row.memory ? m.memoryGib : m.cpu) / row.unit : 0)),
        ]),
      );
      const offset = Int32Array.from(use, (u) => u.reduce((t, x, d) => t + x * (this.stride[d] as number), 0));
      return { offset, cost: Float64Array.from(o.region, (r) => costIn(m, r) as number), use };
    });
  }

  feasibleSize(): boolean {
    const options = this.steps.reduce((t, s) => t + s.offset.length, 0);
    return (
      this.states <= MAX_STATES && this.states * options <= MAX_WORK && this.states * this.open.length <= MAX_CHOICES
    );
  }

  /** Least total cost of the open movers and their regions, or undefined if none fits. */
  run(): { cost: number; region: Int32Array } | undefined {
    const S = this.states;
    const coords = Array.from(this.size, () => new Int32Array(S));
    for (let s = 0; s < S; s++) {
      let rest = s;
      this.size.forEach((n, d) => {
        (coords[d] as Int32Array)[s] = rest % n;
        rest = Math.floor(rest / n);
      });
    }
    let cur = new Float64Array(S).fill(Infinity);
    cur[0] = 0;
    const chosen = this.steps.map(() => new Int8Array(S).fill(-1));
    this.steps.forEach((step, k) => {
      const next = new Float64Array(S).fill(Infinity);
      const pick = chosen[k] as Int8Array;
      for (let s = 0; s < S; s++) {
        const c = cur[s] as number;
        if (c === Infinity) continue;
        option: for (let a = 0; a < step.offset.length; a++) {
          const use = step.use[a] as Int32Array;
          for (let d = 0; d < use.length; d++)
            if ((coords[d] as Int32Array)[s]! + (use[d] as number) >= (this.size[d] as number)) continue option;
          const t = s + (step.offset[a] as number);
          const v = c + (step.cost[a] as number);
          if (v < (next[t] as number)) {
            next[t] = v;
            pick[t] = a;
          }
        }
      }
      cur = next;
    });
    let bestState = -1;
    for (let s = 0; s < S; s++)
      if ((cur[s] as number) < (bestState < 0 ? Infinity : (cur[bestState] as number))) bestState = s;
    if (bestState < 0) return undefined;
    const region = new Int32Array(this.open.length);
    let s = bestState;
    for (let k = this.steps.length - 1; k >= 0; k--) {
      const a = (chosen[k] as Int8Array)[s] as number;
      region[k] = (this.open[k] as Open).region[a] as number;
      s -= (this.steps[k] as { offset: Int32Array }).offset[a] as number;
    }
    return { cost: cur[bestState] as number, region };
  }
}
