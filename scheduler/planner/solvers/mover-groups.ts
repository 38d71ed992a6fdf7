import { moverKinds, type PlacementProblem } from '../problem.js';

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
 * Prices on the relaxed constraints: λ per cpu and μ per GiB in each region, ν per move. In
 * gCO2eq/h per unit, so a priced cost is comparable with an emission.
 */
export interface Prices {
  readonly lambda: Float64Array;
  readonly mu: Float64Array;
  readonly nu: number;
}

/** Where every group goes at given prices, and what that costs and uses. */
export interface PricedChoice {
  /** Region index per group. */
  readonly choice: Int32Array;
  /** fixedEmissions + Σ members × true cost at the chosen region. */
  readonly cost: number;
  /** cpu per region, memory per region, then moves. */
  readonly usage: Float64Array;
  /**
   * Σ priced cost less what the prices charge for the limits: the Lagrangian dual value, a
   * lower bound on the optimum, when the choice is the cheapest at these prices.
   */
  readonly bound: number;
}

/** Movers by kind (see `moverKinds`), in order of first appearance. */
export function groupMovers(p: PlacementProblem, kinds: Int32Array = moverKinds(p)): Group[] {
  const groups: Group[] = [];
  p.movers.forEach((m, i) => {
    const k = kinds[i] as number;
    let g = groups[k];
    if (!g)
      groups[k] = g = {
        members: [],
        current: m.current,
        cpu: m.cpu,
        mem: m.memoryGib,
        allowed: m.allowed,
        cost: m.cost,
      };
    g.members.push(i);
  });
  return groups;
}

/**
 * Groups as parallel typed arrays with each group's regions sorted by cost: at prices ≥ 0 a
 * region costs at least its plain cost, so the scan for the cheapest priced region stops as
 * soon as plain costs pass the best found. This is the inner loop of column generation.
 */
export class GroupPricer {
  private readonly start: Int32Array;
  private readonly region: Int32Array;
  private readonly cost: Float64Array;
  private readonly current: Int32Array;
  private readonly cpu: Float64Array;
  private readonly mem: Float64Array;
  private readonly count: Float64Array;
  private readonly capCpu: Float64Array;
  private readonly capMem: Float64Array;
  private readonly budget: number;

  constructor(
    private readonly p: PlacementProblem,
    readonly groups: readonly Group[],
  ) {
    const start = new Int32Array(groups.length + 1);
    groups.forEach((g, i) => (start[i + 1] = (start[i] as number) + g.allowed.length));
    this.start = start;
    this.region = new Int32Array(start[groups.length] as number);
    this.cost = new Float64Array(start[groups.length] as number);
    groups.forEach((g, i) => {
      const order = Array.from(g.allowed.keys()).sort(
        (a, b) => (g.cost[a] as number) - (g.cost[b] as number) || (g.allowed[a] as number) - (g.allowed[b] as number),
      );
      order.forEach((k, j) => {
        this.region[(start[i] as number) + j] = g.allowed[k] as number;
        this.cost[(start[i] as number) + j] = g.cost[k] as number;
      });
    });
    this.current = Int32Array.from(groups, (g) => g.current);
    this.cpu = Float64Array.from(groups, (g) => g.cpu);
    this.mem = Float64Array.from(groups, (g) => g.mem);
    this.count = Float64Array.from(groups, (g) => g.members.length);
    this.capCpu = Float64Array.from(p.regions, (r) => r.cpu);
    this.capMem = Float64Array.from(p.regions, (r) => r.memoryGib);
    this.budget = Math.min(p.budget, p.movers.length);
  }

  /** Every group at home: the placement the run starts from. */
  stay(): PricedChoice {
    return this.evaluate(this.current, zeroPrices(this.p.regions.length));
  }

  /** Each group at its cheapest region at priced cost (ties: lower region index). */
  cheapest(prices: Prices): PricedChoice {
    const R = this.p.regions.length;
    const choice = new Int32Array(this.current.length);
    const usage = new Float64Array(2 * R + 1);
    const { lambda, mu, nu } = prices;
    let cost = this.p.fixedEmissions;
    let priced = this.p.fixedEmissions;
    for (let gi = 0; gi < choice.length; gi++) {
      const cur = this.current[gi] as number;
      const cpu = this.cpu[gi] as number;
      const mem = this.mem[gi] as number;
      let best = Infinity;
      let bestR = cur;
      let bestPlain = 0;
      for (let k = this.start[gi] as number, end = this.start[gi + 1] as number; k < end; k++) {
        const plain = this.cost[k] as number;
        if (plain > best) break;
        const r = this.region[k] as number;
        const c = plain + (lambda[r] as number) * cpu + (mu[r] as number) * mem + (r === cur ? 0 : nu);
        if (c < best || (c === best && r < bestR)) {
          best = c;
          bestR = r;
          bestPlain = plain;
        }
      }
      choice[gi] = bestR;
      const n = this.count[gi] as number;
      cost += n * bestPlain;
      priced += n * best;
      usage[bestR] = (usage[bestR] as number) + n * cpu;
      usage[R + bestR] = (usage[R + bestR] as number) + n * mem;
      if (bestR !== cur) usage[2 * R] = (usage[2 * R] as number) + n;
    }
    return { choice, cost, usage, bound: this.bound(priced, prices) };
  }

  /** Cost, usage and dual value of a choice per group at given prices. */
  private evaluate(choice: Int32Array, prices: Prices): PricedChoice {
    const R = this.p.regions.length;
    const usage = new Float64Array(2 * R + 1);
    const { lambda, mu, nu } = prices;
    let cost = this.p.fixedEmissions;
    let priced = this.p.fixedEmissions;
    for (let gi = 0; gi < choice.length; gi++) {
      const r = choice[gi] as number;
      const n = this.count[gi] as number;
      let c = NaN;
      for (let k = this.start[gi] as number, end = this.start[gi + 1] as number; k < end; k++) {
        if (this.region[k] === r) {
          c = this.cost[k] as number;
          break;
        }
      }
      const cpu = this.cpu[gi] as number;
      const mem = this.mem[gi] as number;
      const moved = r === this.current[gi] ? 0 : 1;
      cost += n * c;
      priced += n * (c + (lambda[r] as number) * cpu + (mu[r] as number) * mem + moved * nu);
      usage[r] = (usage[r] as number) + n * cpu;
      usage[R + r] = (usage[R + r] as number) + n * mem;
      usage[2 * R] = (usage[2 * R] as number) + n * moved;
    }
    return { choice, cost, usage, bound: this.bound(priced, prices) };
  }

  /** Σ members × priced cost, less what the prices charge for the limits themselves. */
  private bound(priced: number, { lambda, mu, nu }: Prices): number {
    let bound = priced - nu * this.budget;
    for (let r = 0; r < this.capCpu.length; r++)
      bound -= (lambda[r] as number) * (this.capCpu[r] as number) + (mu[r] as number) * (this.capMem[r] as number);
    return bound;
  }

  /** Right-hand sides in the order of `usage`: cpu and memory capacity, then the budget. */
  limits(): Float64Array {
    const R = this.p.regions.length;
    const b = new Float64Array(2 * R + 1);
    b.set(this.capCpu, 0);
    b.set(this.capMem, R);
    b[2 * R] = this.budget;
    return b;
  }
}

export function zeroPrices(regions: number): Prices {
  return { lambda: new Float64Array(regions), mu: new Float64Array(regions), nu: 0 };
}
