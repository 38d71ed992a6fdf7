import { RegionLoad } from '../capacity/region-load.js';
import type { Workload } from '../inventory/model.js';
import { buildPromiseModel } from '../promises/build-model.js';
import type { PromiseModel } from '../promises/model.js';
import { carbonView, type CarbonView } from './carbon-view.js';
import { WORKLOAD_FILTERS, type Rejection } from './filters.js';
import type { Mover, PairConstraint, PlacementProblem, ProblemRegion } from './problem.js';
import { filterContext, neighboursOf, regionOptions, settleLatency, type Option } from './region-options.js';
import type { Snapshot } from './snapshot.js';

export type { Option } from './region-options.js';

/** What the filters found for one flexible workload. */
export interface Analysis {
  readonly workload: string;
  readonly region: string;
  /** gCO2eq/h where it runs now (0 when its zone has no reading). */
  readonly emissions: number;
  /** Set when a workload-level filter keeps it in place. */
  readonly kept?: Rejection;
  /** Cleaner regions, greenest first. */
  readonly options: readonly Option[];
}

export interface BuiltProblem {
  readonly problem: PlacementProblem;
  /** Flexible workloads, in snapshot order. */
  readonly analyses: readonly Analysis[];
  /** gCO2eq/h of every workload where it runs now, by snapshot index. */
  readonly emissionsAt: Float64Array;
  /** Workloads whose zone has no reading at all (their emissions are unknown, counted as 0). */
  readonly unknownEmissions: number;
}

/**
 * Runs the feasibility filters over the snapshot and builds the solver's problem: movers are
 * the flexible workloads with at least one region they may move to; everything else is fixed
 * and only takes capacity. A move must cut the workload's emissions by the minimum saving
 * (hysteresis), so every allowed region is strictly greener than where it is.
 */
export function buildProblem(s: Snapshot, model: PromiseModel = buildPromiseModel(s.fleet, s.intents, s.workloads)) {
  const carbon = carbonView(s);
  const flexible: number[] = [];
  model.terms.forEach((t, i) => t.placement === 'flexible' && flexible.push(i));
  const neighbours = neighboursOf(model, flexible);
  const kept = keptInPlace(s, model, carbon, flexible);
  const candidate = new Uint8Array(model.workloads.length);
  for (const i of flexible) if (!kept[i]) candidate[i] = 1;
  const options = regionOptions(s, model, carbon, candidate, neighbours);
  const movable = settleLatency(s.fleet, model.workloads, candidate, options, neighbours);
  const problem = solverProblem(s, model, carbon, options, movable);
  const analyses: Analysis[] = flexible.map((i) => {
    const w = model.workloads[i]!;
    const k = kept[i];
    const emissions = carbon.emissionsAt[i]!;
    return { workload: w.name, region: w.region, emissions, ...(k ? { kept: k } : {}), options: options[i] ?? [] };
  });
  const built: BuiltProblem = {
    problem,
    analyses,
    emissionsAt: carbon.emissionsAt,
    unknownEmissions: carbon.unknownEmissions,
  };
  return built;
}

/** The first workload filter that keeps each flexible workload where it is, by index. */
function keptInPlace(s: Snapshot, model: PromiseModel, carbon: CarbonView, flexible: readonly number[]) {
  const kept = new Array<Rejection | undefined>(model.workloads.length);
  const ctx = filterContext(s, model, carbon, [], () => false);
  for (const i of flexible) {
    const c = { workload: model.workloads[i]!, index: i, terms: model.terms[i]! };
    for (const f of WORKLOAD_FILTERS) {
      const detail = f.reject(c, ctx);
      if (detail !== undefined) {
        kept[i] = { reason: f.name, detail };
        break;
      }
    }
  }
  return kept;
}

/** The solver's problem: movers with their allowed regions and costs, room left by what stays, pair bounds. */
function solverProblem(
  s: Snapshot,
  model: PromiseModel,
  carbon: CarbonView,
  options: readonly (readonly Option[] | undefined)[],
  movable: Uint8Array,
): PlacementProblem {
  const { fleet } = s;
  const regionAt = model.current;
  const moverAt: number[] = [];
  movable.forEach((m, i) => m && moverAt.push(i));
  const moverIndex = new Int32Array(movable.length).fill(-1);
  moverAt.forEach((i, m) => (moverIndex[i] = m));
  const regionIndex = new Map(fleet.regions.map((r, i) => [r.name, i]));
  const migration = fleet.policy.migrationCostGPerH;
  // Workloads of one kind share their options, and so share these arrays too (the solvers
  // group interchangeable movers by them).
  const choices = new Map<readonly Option[], { allowed: Int32Array; cost: Float64Array }>();
  const movers: Mover[] = moverAt.map((i) => {
    const w = model.workloads[i]!;
    const current = regionAt[i]!;
    const opts = options[i]!;
    let choice = choices.get(opts);
    if (!choice) {
      const allowed = [{ r: current, cost: carbon.emissionsAt[i]! }];
      for (const o of opts)
        if (!o.rejection) allowed.push({ r: regionIndex.get(o.region)!, cost: o.emissions + migration });
      allowed.sort((a, b) => a.r - b.r);
      choice = { allowed: Int32Array.from(allowed, (a) => a.r), cost: Float64Array.from(allowed, (a) => a.cost) };
      choices.set(opts, choice);
    }
    return {
      name: w.name,
      current,
      cpu: w.cpu,
      memoryGib: w.memoryGib,
      allowed: choice.allowed,
      cost: choice.cost,
      kindHint: choice,
    };
  });
  const pairs: PairConstraint[] = [];
  for (const e of model.edges) {
    const a = moverIndex[e.from]!;
    const b = moverIndex[e.to]!;
    if (a < 0 || b < 0) continue;
    const now = model.latencyMs(regionAt[e.from]!, regionAt[e.to]!);
    // Keep what holds now: a bound already broken (or a pair already unreachable) is not
    // made a reason to refuse every move.
    if (now === undefined) continue;
    pairs.push({ a, b, maxMs: Math.max(e.maxMs, now) });
  }
  const { regions, fixedEmissions } = roomLeft(s, model.workloads, regionAt, movable, carbon);
  const latency = (a: number, b: number): number | undefined => model.latencyMs(a, b);
  return { regions, movers, budget: fleet.policy.migrationBudget, pairs, latency, fixedEmissions };
}

/** Each region's room for movers: its capacity less what stays put (a region over capacity may not grow). */
function roomLeft(
  s: Snapshot,
  workloads: readonly Workload[],
  regionAt: Int32Array,
  movable: Uint8Array,
  carbon: CarbonView,
): { regions: ProblemRegion[]; fixedEmissions: number } {
  const regions = s.fleet.regions;
  const fixed = new RegionLoad(regions.map((r) => ({ cpu: r.capacity.cpu, memoryGib: r.capacity.memoryGib })));
  const moving = fixed.clone();
  let fixedEmissions = 0;
  workloads.forEach((w, i) => {
    if (movable[i]) moving.add(regionAt[i]!, w);
    else {
      fixed.add(regionAt[i]!, w);
      fixedEmissions += carbon.emissionsAt[i]!;
    }
  });
  const problemRegions = regions.map((r, i) => ({
    name: r.name,
    // What already runs there may stay, even over capacity.
    cpu: Math.max(r.capacity.cpu - fixed.cpu[i]!, moving.cpu[i]!),
    memoryGib: Math.max(r.capacity.memoryGib - fixed.memoryGib[i]!, moving.memoryGib[i]!),
    intensity: carbon.intensityOf.get(r.name) ?? NaN,
  }));
  return { regions: problemRegions, fixedEmissions };
}
