import { exceeds } from '../../tolerance.js';
import type { PlacementProblem } from '../problem.js';
import { MasterLp } from './master-lp.js';
import { GroupPricer, zeroPrices, type Group, type Prices } from './mover-groups.js';

export interface RelaxationResult {
  /** A proven lower bound on the optimum: the best Lagrangian dual value met. */
  readonly lowerBound: number;
  /** The LP relaxation's value as far as the master got (≥ lowerBound; equal at convergence). */
  readonly relaxation: number;
  /** The prices that gave `lowerBound`. */
  readonly prices: Prices;
  /** The relaxation's solution: placements per group mixed with these weights (summing to 1). */
  readonly mix: readonly { readonly weight: number; readonly choice: Int32Array }[];
  readonly iterations: number;
  readonly groups: readonly Group[];
  /** Right-hand sides of the relaxed rows: cpu and memory per region, then the budget. */
  readonly limits: Float64Array;
}

export interface RelaxationOptions {
  readonly maxIterations: number;
  /** Stop once (relaxation − lowerBound) / relaxation is at most this. */
  readonly tolerance: number;
}

/** Cost of the artificial first column, in the master's units (a real column costs about −1 to 1). */
const ARTIFICIAL_COST = 1e3;

/** Weight of the best prices so far in the prices asked next (Wentges smoothing). */
const SMOOTHING = 0.5;

/**
 * The LP relaxation of the placement problem, solved by column generation (Dantzig–Wolfe).
 * Capacity (cpu and memory per region) and the move budget are the master's rows; every
 * column is a whole placement where each kind of mover sits in its cheapest region at the
 * master's prices, which is also the Lagrangian relaxation of those rows, so each pricing
 * step yields a proven lower bound. At convergence the bound equals the LP optimum, and the
 * master's mix of columns is an optimal fractional placement to round from. Pair latency
 * constraints are left out of the relaxation, which keeps the bound valid.
 */
export function solveRelaxation(
  p: PlacementProblem,
  groups: readonly Group[],
  options: RelaxationOptions,
): RelaxationResult {
  const R = p.regions.length;
  const pricer = new GroupPricer(p, groups);
  const limits = pricer.limits();
  const scale = Float64Array.from(limits, (b) => (b > 0 ? b : 1));
  const stay = pricer.stay();
  const greenest = pricer.cheapest(zeroPrices(R));
  // Costs relative to staying, in units of the most any placement could save.
  const c0 = stay.cost;
  const cs = Math.max(1, c0 - greenest.bound);
  const column = (usage: Float64Array): Float64Array => Float64Array.from(usage, (u, i) => u / (scale[i] as number));
  // Staying is the natural first column; where it does not fit (a problem some of whose
  // movers were fixed elsewhere) an artificial column of no use and a prohibitive cost
  // starts the master instead, and leaves it as soon as real columns can.
  const stayFits = stay.usage.every((u, i) => !exceeds(u, limits[i] as number));
  const master = new MasterLp(
    Float64Array.from(limits, (b, i) => b / (scale[i] as number)),
    stayFits ? 0 : ARTIFICIAL_COST,
    stayFits ? column(stay.usage) : new Float64Array(limits.length),
  );
  const choices: Int32Array[] = [stay.choice];
  let lowerBound = greenest.bound;
  let center: Prices = zeroPrices(R);
  const add = (cost: number, usage: Float64Array, choice: Int32Array): void => {
    master.addColumn((cost - c0) / cs, column(usage));
    choices.push(choice);
  };
  if (!stayFits) add(stay.cost, stay.usage, stay.choice);
  add(greenest.cost, greenest.usage, greenest.choice);

  let solution = master.solve();
  let it = 0;
  for (; it < options.maxIterations; it++) {
    const relaxation = c0 + cs * solution.objective;
    if (relaxation - lowerBound <= options.tolerance * Math.max(1, Math.abs(relaxation))) break;
    const asked = pricesFrom(solution.duals, scale, cs, R);
    const tries: Prices[] = [blend(center, asked, SMOOTHING), asked];
    let added = false;
    for (const prices of tries) {
      const priced = pricer.cheapest(prices);
      if (priced.bound > lowerBound) {
        lowerBound = priced.bound;
        center = prices;
      }
      const rc = MasterLp.reducedCost((priced.cost - c0) / cs, column(priced.usage), solution.duals);
      if (rc < -1e-9) {
        add(priced.cost, priced.usage, priced.choice);
        added = true;
        break;
      }
    }
    // No column prices out at the master's own prices: the master is optimal for the LP.
    if (!added) break;
    solution = master.solve();
  }
  const relaxation = c0 + cs * solution.objective;
  const mix = choices
    .map((choice, k) => ({ weight: solution.weights[k] ?? 0, choice }))
    .filter((c) => c.weight > 1e-12);
  return {
    lowerBound: Math.min(lowerBound, relaxation),
    relaxation,
    prices: center,
    mix,
    iterations: it,
    groups,
    limits,
  };
}

/** Prices in gCO2eq/h per unit from the master's (scaled) duals; ≤ rows have duals ≤ 0. */
function pricesFrom(duals: Float64Array, scale: Float64Array, cs: number, R: number): Prices {
  const price = (i: number): number => Math.max(0, (-(duals[i] as number) * cs) / (scale[i] as number));
  return {
    lambda: Float64Array.from({ length: R }, (_, r) => price(r)),
    mu: Float64Array.from({ length: R }, (_, r) => price(R + r)),
    nu: price(2 * R),
  };
}

function blend(a: Prices, b: Prices, alpha: number): Prices {
  const mix = (x: number, y: number): number => alpha * x + (1 - alpha) * y;
  return {
    lambda: Float64Array.from(a.lambda, (x, r) => mix(x, b.lambda[r] as number)),
    mu: Float64Array.from(a.mu, (x, r) => mix(x, b.mu[r] as number)),
    nu: mix(a.nu, b.nu),
  };
}
