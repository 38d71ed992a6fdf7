import { buildPromiseModel } from '../promises/build-model.js';
import type { PromiseModel } from '../promises/model.js';
import { buildProblem, type Analysis } from './build-problem.js';
import type { KeepReason } from './filters.js';
import { costIn, type Mover } from './problem.js';
import { DEFAULT_SOLVE, solve, type SolveOptions } from './solve.js';
import type { Snapshot } from './snapshot.js';

export interface Move {
  readonly workload: string;
  readonly from: string;
  readonly to: string;
  /** gCO2eq/h the move saves (emissions here minus there; the migration cost not included). */
  readonly savingGPerH: number;
}

export interface Kept {
  readonly workload: string;
  readonly region: string;
  readonly reason: KeepReason;
  readonly detail: string;
  /** Each cleaner region and why it was not chosen, greenest first. */
  readonly cleaner: readonly { readonly region: string; readonly reason: KeepReason; readonly detail: string }[];
}

export interface Plan {
  readonly at: number;
  readonly moves: readonly Move[];
  readonly emissions: { readonly before: number; readonly after: number };
  /** What the optimiser minimised: emissions after plus the migration cost of each move. */
  readonly objective: number;
  /** Proven lower bound on `objective`. */
  readonly lowerBound: number;
  /** (objective − lowerBound) / objective. */
  readonly gap: number;
  readonly optimality: 'proven' | 'bounded';
  /** Emissions after, had the greedy baseline planned. */
  readonly greedyAfter: number;
  readonly kept: readonly Kept[];
  /** Workloads not moved, by reason, critical ones included. */
  readonly keptByReason: Readonly<Record<string, number>>;
  readonly budget: number;
  readonly unknownEmissions: number;
}

/**
 * Plans one rebalancing run: filters, then the optimiser, then an explanation for every
 * flexible workload that stays. A pure function of the snapshot: the same snapshot gives
 * the same plan, byte for byte.
 */
export function plan(
  snapshot: Snapshot,
  options: SolveOptions = DEFAULT_SOLVE,
  model: PromiseModel = buildPromiseModel(snapshot.fleet, snapshot.intents, snapshot.workloads),
): Plan {
  const built = buildProblem(snapshot, model);
  const { problem } = built;
  const solution = solve(problem, options);
  const region = solution.assignment.region;
  const names = problem.regions.map((r) => r.name);
  const moved = new Map<string, { to: string; mover: Mover; index: number }>();
  problem.movers.forEach((m, i) => {
    if (region[i] !== m.current) moved.set(m.name, { to: names[region[i] as number] as string, mover: m, index: i });
  });
  const moves: Move[] = [];
  for (const [workload, { to, mover, index }] of moved) {
    const here = built.emissionsAt[model.indexOf(workload)!]!;
    const there = (costIn(mover, region[index] as number) as number) - snapshot.fleet.policy.migrationCostGPerH;
    moves.push({ workload, from: names[mover.current] as string, to, savingGPerH: here - there });
  }
  moves.sort((a, b) => b.savingGPerH - a.savingGPerH || (a.workload < b.workload ? -1 : 1));
  const budgetSpent = moves.length >= problem.budget;
  const kept: Kept[] = [];
  const cleanerOf = memoCleaner(budgetSpent);
  for (const a of built.analyses) {
    if (moved.has(a.workload)) continue;
    kept.push(explain(a, cleanerOf(a.options)));
  }
  const keptByReason: Record<string, number> = {};
  const flexible = new Set(built.analyses.map((a) => a.workload));
  const critical = snapshot.workloads.filter((w) => !flexible.has(w.name)).length;
  if (critical > 0) keptByReason.critical = critical;
  for (const k of kept) keptByReason[k.reason] = (keptByReason[k.reason] ?? 0) + 1;
  const before = sum(built.emissionsAt);
  return {
    at: snapshot.now,
    moves,
    emissions: { before, after: before - moves.reduce((s, m) => s + m.savingGPerH, 0) },
    objective: solution.assignment.objective,
    lowerBound: solution.lowerBound,
    gap: solution.gap,
    optimality: solution.optimality,
    greedyAfter:
      solution.greedy.objective -
      countMoves(solution.greedy.region, problem.movers) * snapshot.fleet.policy.migrationCostGPerH,
    kept,
    keptByReason: sortKeys(keptByReason),
    budget: problem.budget,
    unknownEmissions: built.unknownEmissions,
  };
}

function countMoves(region: Int32Array, movers: readonly Mover[]): number {
  let n = 0;
  movers.forEach((m, i) => (n += region[i] !== m.current ? 1 : 0));
  return n;
}

type Cleaner = Kept['cleaner'];

/**
 * Each cleaner region and why it was not used. Workloads of one kind share their options,
 * so their explanations share one (read-only) list.
 */
function memoCleaner(budgetSpent: boolean): (options: Analysis['options']) => Cleaner {
  const memo = new Map<Analysis['options'], Cleaner>();
  return (options) => {
    let cleaner = memo.get(options);
    if (!cleaner) {
      cleaner = options.map((o) =>
        o.rejection
          ? { region: o.region, reason: o.rejection.reason, detail: o.rejection.detail }
          : budgetSpent
            ? {
                region: o.region,
                reason: 'budget' as const,
                detail: 'the migration budget of this run is spent on moves that save more',
              }
            : {
                region: o.region,
                reason: 'capacity' as const,
                detail:
                  'not enough room left there for it (or a dependency it must stay near), with the other moves made',
              },
      );
      memo.set(options, cleaner);
    }
    return cleaner;
  };
}

/** Why a flexible workload stays: the reason that kept it from its greenest cleaner region. */
function explain(a: Analysis, cleaner: Cleaner): Kept {
  if (a.kept)
    return { workload: a.workload, region: a.region, reason: a.kept.reason, detail: a.kept.detail, cleaner: [] };
  // A cleaner region it was allowed to use, but the optimiser did not send it there: that
  // (budget or room) is why it stays. Otherwise the filter that ruled out the greenest.
  const why = cleaner.find((c) => c.reason === 'budget' || c.reason === 'capacity') ?? cleaner[0];
  if (!why)
    return {
      workload: a.workload,
      region: a.region,
      reason: 'already-greenest',
      detail: 'no region it may use is cleaner',
      cleaner,
    };
  return {
    workload: a.workload,
    region: a.region,
    reason: why.reason,
    detail: `${why.region}: ${why.detail}`,
    cleaner,
  };
}

function sum(xs: Iterable<number>): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}
