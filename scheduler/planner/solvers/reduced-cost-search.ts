import { RegionLoad } from '../../capacity/region-load.js';
import { below, TOLERANCE } from '../../tolerance.js';
import {
  costIn,
  moverKinds,
  type Assignment,
  type Mover,
  type PlacementProblem,
  type ProblemRegion,
} from '../problem.js';
import { solveRelaxation } from './column-generation.js';
import { solveGreedy } from './greedy.js';
import { groupMovers, type Prices } from './mover-groups.js';

export interface SearchResult {
  readonly assignment: Assignment;
  /** True when the search finished: the assignment is optimal (within TOLERANCE). */
  readonly optimal: boolean;
  /** A proven lower bound on the optimum: the objective when optimal, else what the open nodes allow. */
  readonly lowerBound: number;
  readonly nodes: number;
}

/** What the search knows about one kind of mover: its options by reduced cost. */
interface KindOptions {
  readonly home: number;
  /** Regions, cheapest reduced cost first (ties: lower region). */
  readonly region: Int32Array;
  readonly cost: Float64Array;
  /** Reduced cost at the prices: priced cost less the kind's cheapest priced cost (≥ 0). */
  readonly rc: Float64Array;
}

/**
 * Branch and bound on the Lagrangian relaxation of capacity and the move budget. At prices
 * λ, μ ≥ 0 (per cpu and GiB in each region) and ν ≥ 0 (per move), every feasible placement
 * x costs at least L + Σ rc_i(x_i), where L is the Lagrangian dual value and rc_i(r) ≥ 0 is
 * how much more mover i costs in r at those prices than at its cheapest. So an option whose
 * reduced cost alone takes L past the incumbent is never needed (most movers keep one), and
 * a partial placement is pruned once L plus the reduced costs chosen so far reaches it. The
 * prices are the relaxation's (computed here when not given); interchangeable movers are
 * placed in non-decreasing option order, so no placement is searched twice. Exact when it
 * finishes within `maxNodes`; otherwise the least bound among open nodes is still proven.
 */
export function searchReducedCosts(
  p: PlacementProblem,
  maxNodes: number,
  incumbent: Assignment = solveGreedy(p),
  prices?: Prices,
  kinds: Int32Array = moverKinds(p),
): SearchResult {
  const at = prices ?? solveRelaxation(p, groupMovers(p, kinds), { maxIterations: 1_000, tolerance: TIGHT }).prices;
  const { options, bound } = kindOptions(p, kinds, at);
  let best = incumbent;
  let lowerBound = bound;
  let nodes = 0;
  // Rounds against a target just above the bound, widened each time: a round that finds no
  // placement below its target proves the target a bound; one that finds one (or whose
  // target reaches the incumbent) has found the optimum. Close targets leave few options.
  for (let step = Math.max(FIRST_STEP * Math.abs(bound), TOLERANCE); ; step *= WIDEN) {
    const target = Math.min(best.objective, lowerBound + step);
    const search = new Search(p, kinds, options, bound, best, target, new Slack(p, at));
    const finished = search.run(maxNodes - nodes);
    nodes += search.nodes;
    best = search.result(best);
    // Pruning spares placements within TOLERANCE of the target, so bounds are that much lower.
    if (!finished)
      return {
        assignment: best,
        optimal: false,
        lowerBound: Math.max(lowerBound, search.openBound() - TOLERANCE),
        nodes,
      };
    if (below(best.objective, target) || !below(target, best.objective))
      return { assignment: best, optimal: true, lowerBound: best.objective, nodes };
    lowerBound = target - TOLERANCE;
  }
}

/** The first target's distance above the bound, relative to it, and the factor it widens by. */
const FIRST_STEP = 1e-6;
const WIDEN = 2;
const TIGHT = 1e-9;

/** Options of each kind by reduced cost, and the Lagrangian dual value L at the prices. */
function kindOptions(
  p: PlacementProblem,
  kinds: Int32Array,
  { lambda, mu, nu }: Prices,
): { options: KindOptions[]; bound: number } {
  const options: KindOptions[] = [];
  let bound = p.fixedEmissions - nu * Math.min(p.budget, p.movers.length);
  p.regions.forEach((r, k) => (bound -= (lambda[k] as number) * r.cpu + (mu[k] as number) * r.memoryGib));
  p.movers.forEach((m, i) => {
    const kind = kinds[i] as number;
    let o = options[kind];
    if (!o) {
      const priced = Float64Array.from(m.allowed, (r, k) => (m.cost[k] as number) + priceOf(r, m, lambda, mu, nu));
      const least = Math.min(...priced);
      const order = Array.from(m.allowed.keys()).sort(
        (a, b) => (priced[a] as number) - (priced[b] as number) || (m.allowed[a] as number) - (m.allowed[b] as number),
      );
      options[kind] = o = {
        home: m.current,
        region: Int32Array.from(order, (k) => m.allowed[k] as number),
        cost: Float64Array.from(order, (k) => m.cost[k] as number),
        rc: Float64Array.from(order, (k) => Math.max(0, (priced[k] as number) - least)),
      };
    }
    bound += (o.cost[0] as number) + priceOf(o.region[0] as number, m, lambda, mu, nu);
  });
  return { options, bound };
}

function priceOf(r: number, m: Mover, lambda: Float64Array, mu: Float64Array, nu: number): number {
  return (lambda[r] as number) * m.cpu + (mu[r] as number) * m.memoryGib + (r === m.current ? 0 : nu);
}

/**
 * The depth-first search itself, iterative (tens of thousands of movers would overflow a
 * recursion). Movers with one useful option are placed once, before any branching; the rest
 * are branched on, most ambiguous kind first, members of a kind next to each other.
 */
class Search {
  best: Int32Array;
  found = false;
  nodes = 0;
  private upper: number;
  private readonly region: Int32Array;
  private readonly load: RegionLoad;
  private readonly partners: [number, number][][];
  private readonly placed: Uint8Array;
  /** Movers to branch on, in order, and how many options of each are worth trying. */
  private readonly branch: Int32Array;
  private readonly useful: Int32Array;
  private readonly next: Int32Array;
  private readonly boundAt: Float64Array;
  private readonly costAt: Float64Array;
  private readonly movesAt: Int32Array;
  /** Σ over branch positions from k on of what staying costs over moving (sorted, largest first). */
  private readonly extraFrom: Float64Array;
  /** How many of the movers from branch position k on have a useful option away from home. */
  private readonly canMoveFrom: Int32Array;
  private depth = 0;

  constructor(
    private readonly p: PlacementProblem,
    private readonly kinds: Int32Array,
    private readonly options: readonly KindOptions[],
    private readonly bound: number,
    incumbent: Assignment,
    target: number,
    private readonly slack: Slack,
  ) {
    const n = p.movers.length;
    this.best = Int32Array.from(incumbent.region);
    this.upper = Math.min(incumbent.objective, target);
    this.region = new Int32Array(n);
    this.load = new RegionLoad(p.regions);
    this.placed = new Uint8Array(n);
    this.partners = Array.from({ length: n }, () => []);
    for (const e of p.pairs) {
      (this.partners[e.a] as [number, number][]).push([e.b, e.maxMs]);
      (this.partners[e.b] as [number, number][]).push([e.a, e.maxMs]);
    }
    const usefulOf = options.map((o) => {
      let k = 1;
      while (k < o.rc.length && below(bound + (o.rc[k] as number), this.upper)) k++;
      return k;
    });
    // What staying costs each kind over its best move, in reduced cost: the budget bound's
    // terms. Branching goes by it, largest first, so the movers still open are a suffix.
    const stayExtra = options.map((o) => {
      let move = Infinity;
      let stay = Infinity;
      o.region.forEach((r, a) => {
        if (r === o.home) stay = o.rc[a] as number;
        else move = Math.min(move, o.rc[a] as number);
      });
      return Math.max(0, stay - move);
    });
    const open = Array.from({ length: n }, (_, i) => i).filter((i) => (usefulOf[kinds[i] as number] as number) > 1);
    const extra = (i: number): number => stayExtra[kinds[i] as number] as number;
    open.sort((a, b) => extra(b) - extra(a) || (kinds[a] as number) - (kinds[b] as number) || a - b);
    this.branch = Int32Array.from(open);
    this.extraFrom = new Float64Array(open.length + 1);
    for (let k = open.length - 1; k >= 0; k--)
      this.extraFrom[k] = (this.extraFrom[k + 1] as number) + extra(open[k] as number);
    this.useful = Int32Array.from(open, (i) => usefulOf[kinds[i] as number] as number);
    this.canMoveFrom = new Int32Array(open.length + 1);
    for (let k = open.length - 1; k >= 0; k--) {
      const o = options[kinds[open[k] as number] as number] as KindOptions;
      const mayMove = o.region.subarray(0, this.useful[k]).some((r) => r !== o.home);
      this.canMoveFrom[k] = (this.canMoveFrom[k + 1] as number) + (mayMove ? 1 : 0);
      slack.open(p.movers[open[k] as number] as Mover, o, this.useful[k] as number, 1);
    }
    const d = open.length + 1;
    this.next = new Int32Array(d);
    this.boundAt = new Float64Array(d);
    this.costAt = new Float64Array(d);
    this.movesAt = new Int32Array(d);
  }

  /** Runs the search; true when it finished (the best placement found is optimal). */
  run(maxNodes: number): boolean {
    if (!this.placeForced()) return true; // nothing can beat the incumbent
    const D = this.branch.length;
    for (;;) {
      const k = this.depth;
      if (k === D) {
        if (below(this.costAt[k] as number, this.upper)) {
          this.upper = this.costAt[k] as number;
          this.best = Int32Array.from(this.region);
          this.found = true;
        }
        if (!this.backtrack()) return true;
        continue;
      }
      const a = this.nextOption(k);
      if (a < 0) {
        if (!this.backtrack()) return true;
        continue;
      }
      if (++this.nodes > maxNodes) {
        this.next[k] = a; // left open: counted in openBound
        return false;
      }
      this.descend(k, a);
    }
  }

  /** The best placement found, or `incumbent` if none beat it. */
  result(incumbent: Assignment): Assignment {
    if (!this.found) return incumbent;
    let objective = this.p.fixedEmissions;
    for (let i = 0; i < this.best.length; i++)
      objective += costIn(this.p.movers[i] as Mover, this.best[i] as number) as number;
    return below(objective, incumbent.objective) ? { region: this.best, objective } : incumbent;
  }

  /** Least bound of a node left open when the search stopped: a proven lower bound. */
  openBound(): number {
    let least = this.upper;
    for (let k = 0; k <= Math.min(this.depth, this.branch.length - 1); k++) {
      const o = this.options[this.kinds[this.branch[k] as number] as number] as KindOptions;
      const moves = this.movesAt[k] as number;
      for (let a = this.next[k] as number; a < (this.useful[k] as number); a++) {
        const after = o.region[a] === o.home ? moves : moves + 1;
        least = Math.min(least, (this.boundAt[k] as number) + (o.rc[a] as number) + this.budgetBound(k + 1, after));
      }
    }
    return least;
  }

  /** Places every mover with one useful option; false if that leaves nothing that could beat the incumbent. */
  private placeForced(): boolean {
    const branched = new Uint8Array(this.p.movers.length);
    for (const i of this.branch) branched[i] = 1;
    let cost = this.p.fixedEmissions;
    let bound = this.bound;
    let moves = 0;
    for (let i = 0; i < this.p.movers.length; i++) {
      if (branched[i]) continue;
      const o = this.options[this.kinds[i] as number] as KindOptions;
      if (!this.fits(i, o.region[0] as number, moves)) return false;
      moves += this.place(i, o.region[0] as number);
      cost += o.cost[0] as number;
      bound += o.rc[0] as number;
    }
    this.costAt[0] = cost;
    this.boundAt[0] = bound;
    this.movesAt[0] = moves;
    this.next[0] = 0;
    this.depth = 0;
    return below(bound + this.budgetBound(0, moves), this.upper);
  }

  /**
   * The least the movers open from branch position k on add in reduced cost with `moves`
   * made: all but the budget's worth of them that would rather move have to stay.
   */
  private budgetBound(k: number, moves: number): number {
    const D = this.branch.length;
    const left = Math.max(0, this.p.budget - moves);
    const most = Math.min(this.p.budget, this.p.movers.length);
    const unused = Math.max(0, most - moves - (this.canMoveFrom[k] as number));
    return (this.extraFrom[Math.min(D, k + left)] as number) + this.slack.nu * unused;
  }

  /** The next option worth trying at depth k (advancing the pointer), or −1. */
  private nextOption(k: number): number {
    const i = this.branch[k] as number;
    const o = this.options[this.kinds[i] as number] as KindOptions;
    const end = this.useful[k] as number;
    const m = this.p.movers[i] as Mover;
    const moves = this.movesAt[k] as number;
    for (let a = this.next[k] as number; a < end; a++) {
      const r = o.region[a] as number;
      const bound = (this.boundAt[k] as number) + (o.rc[a] as number);
      if (!below(bound, this.upper)) break;
      const rest =
        this.budgetBound(k + 1, r === o.home ? moves : moves + 1) + this.slack.after(this.load, m, o, end, r);
      if (!below(bound + rest, this.upper)) continue;
      if (this.fits(i, r, moves)) {
        this.next[k] = a + 1;
        return a;
      }
    }
    this.next[k] = end;
    return -1;
  }

  private descend(k: number, a: number): void {
    const i = this.branch[k] as number;
    const o = this.options[this.kinds[i] as number] as KindOptions;
    this.movesAt[k + 1] = (this.movesAt[k] as number) + this.place(i, o.region[a] as number);
    this.slack.open(this.p.movers[i] as Mover, o, this.useful[k] as number, -1);
    this.costAt[k + 1] = (this.costAt[k] as number) + (o.cost[a] as number);
    this.boundAt[k + 1] = (this.boundAt[k] as number) + (o.rc[a] as number);
    // The next member of the same kind takes an option no earlier than this one.
    const j = this.branch[k + 1];
    this.next[k + 1] = j !== undefined && this.kinds[j] === this.kinds[i] ? a : 0;
    this.depth = k + 1;
  }

  /** Undoes the last branching decision; false at the root. */
  private backtrack(): boolean {
    if (this.depth === 0) return false;
    const k = --this.depth;
    const i = this.branch[k] as number;
    this.unplace(i);
    const o = this.options[this.kinds[i] as number] as KindOptions;
    this.slack.open(this.p.movers[i] as Mover, o, this.useful[k] as number, 1);
    return true;
  }

  private fits(i: number, r: number, moves: number): boolean {
    const m = this.p.movers[i] as Mover;
    if (r !== m.current && moves >= this.p.budget) return false;
    if (!this.load.fits(r, m)) return false;
    for (const [j, maxMs] of this.partners[i] as [number, number][]) {
      if (!this.placed[j]) continue; // checked when it is placed
      const l = this.p.latency(r, this.region[j] as number);
      if (l === undefined || l > maxMs) return false;
    }
    return true;
  }

  /** Puts mover i in r; returns the moves it adds (0 or 1). */
  private place(i: number, r: number): number {
    const m = this.p.movers[i] as Mover;
    this.region[i] = r;
    this.placed[i] = 1;
    this.load.add(r, m);
    return r === m.current ? 0 : 1;
  }

  private unplace(i: number): void {
    this.placed[i] = 0;
    this.load.remove(this.region[i] as number, this.p.movers[i] as Mover);
  }
}

/**
 * What the prices charge for room and budget left unused: L drops the terms λ·(capacity −
 * use) and ν·(budget − moves), which are ≥ 0 and count in full at the end. A region's room
 * at the end is at least its room now less what the movers still open could bring there.
 */
class Slack {
  readonly nu: number;
  /** Regions with a price on cpu or memory. */
  private readonly priced: Int32Array;
  private readonly lambda: Float64Array;
  private readonly mu: Float64Array;
  /** cpu and memory the open movers could bring to each region. */
  private readonly cpu: Float64Array;
  private readonly mem: Float64Array;

  constructor(
    private readonly p: PlacementProblem,
    prices: Prices,
  ) {
    this.nu = prices.nu;
    this.lambda = prices.lambda;
    this.mu = prices.mu;
    this.priced = Int32Array.from(p.regions.keys()).filter(
      (r) => (prices.lambda[r] as number) > 0 || (prices.mu[r] as number) > 0,
    );
    this.cpu = new Float64Array(p.regions.length);
    this.mem = new Float64Array(p.regions.length);
  }

  /** Counts a mover as open (sign 1) or no longer (−1) in the regions of its first `useful` options. */
  open(m: Mover, o: KindOptions, useful: number, sign: 1 | -1): void {
    for (let a = 0; a < useful; a++) {
      const r = o.region[a] as number;
      this.cpu[r] = (this.cpu[r] as number) + sign * m.cpu;
      this.mem[r] = (this.mem[r] as number) + sign * m.memoryGib;
    }
  }

  /** The charge for unused room once open mover m is placed in r. */
  after(load: RegionLoad, m: Mover, o: KindOptions, useful: number, r: number): number {
    let total = 0;
    for (const s of this.priced) {
      let own = 0;
      for (let a = 0; a < useful; a++) if (o.region[a] === s) own = 1;
      const here = s === r ? 1 : 0;
      const reg = this.p.regions[s] as ProblemRegion;
      const cpu = reg.cpu - (load.cpu[s] as number) - (this.cpu[s] as number) + (own - here) * m.cpu;
      const mem = reg.memoryGib - (load.memoryGib[s] as number) - (this.mem[s] as number) + (own - here) * m.memoryGib;
      total += (this.lambda[s] as number) * Math.max(0, cpu) + (this.mu[s] as number) * Math.max(0, mem);
    }
    return total;
  }
}
