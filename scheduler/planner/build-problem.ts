import type { Region } from '../../regions/fleet/model.js';
import type { Workload } from '../inventory/model.js';
import { REGION_FILTERS, WORKLOAD_FILTERS, type FilterContext, type Rejection } from './filters.js';
import type { Mover, PairConstraint, PlacementProblem, ProblemRegion } from './problem.js';
import { resolvePromises, type DependencyEdge, type WorkloadPromises } from './promises.js';
import type { Snapshot } from './snapshot.js';

/** A region cleaner than where a flexible workload runs, and why it may not go there (if not). */
export interface Option {
  readonly region: string;
  /** gCO2eq/h the workload would emit there. */
  readonly emissions: number;
  readonly rejection?: Rejection;
}

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
  /** gCO2eq/h of every workload where it runs now, by name. */
  readonly emissions: ReadonlyMap<string, number>;
  /** Workloads whose zone has no reading at all (their emissions are unknown, counted as 0). */
  readonly unknownEmissions: number;
}

/**
 * Runs the feasibility filters over the snapshot and builds the solver's problem: movers are
 * the flexible workloads with at least one region they may move to; everything else is fixed
 * and only takes capacity. A move must cut the workload's emissions by the minimum saving
 * (hysteresis), so every allowed region is strictly greener than where it is.
 */
export function buildProblem(s: Snapshot): BuiltProblem {
  const { fleet } = s;
  const regions = fleet.regions;
  const regionIndex = new Map(regions.map((r, i) => [r.name, i]));
  const intensityOf = new Map<string, number>();
  const freshOf = new Map<string, boolean>();
  for (const r of regions) {
    const signal = s.signals.get(r.zone);
    if (signal?.reading) intensityOf.set(r.name, signal.reading.intensity);
    freshOf.set(r.name, signal?.status === 'fresh');
  }
  const power = fleet.power;
  const kw = (w: Workload): number =>
    ((w.cpu * power.wattsPerCpu + w.memoryGib * power.wattsPerGib) * power.pue) / 1000;
  const emissionsIn = (w: Workload, region: string): number | undefined => {
    const i = intensityOf.get(region);
    return i === undefined ? undefined : kw(w) * i;
  };

  // Tens of thousands of workloads: per-workload state lives in arrays by snapshot index.
  const workloads = s.workloads;
  const W = workloads.length;
  const indexOf = new Map(workloads.map((w, i) => [w.name, i]));
  const { promises: promiseOf, edges } = resolvePromises(s.intents, workloads);
  const regionOf = new Map(workloads.map((w) => [w.name, w.region]));
  const emissions = new Map<string, number>();
  const emissionsAt = new Float64Array(W);
  let unknownEmissions = 0;
  workloads.forEach((w, i) => {
    const e = emissionsIn(w, w.region);
    if (e === undefined) unknownEmissions++;
    emissionsAt[i] = e ?? 0;
    emissions.set(w.name, e ?? 0);
  });
  const flexible: number[] = [];
  promiseOf.forEach((p, i) => p.placement === 'flexible' && flexible.push(i));
  // Edge ends by snapshot index (−1: a dependency on a workload not in the inventory).
  const edgeFrom = Int32Array.from(edges, (e) => indexOf.get(e.from) ?? -1);
  const edgeTo = Int32Array.from(edges, (e) => indexOf.get(e.to) ?? -1);
  const neighboursAt = neighbourIndex(edges, edgeFrom, edgeTo, flexible);

  // Workload-level filters first.
  const kept: (Rejection | undefined)[] = new Array(W);
  const plainCtx = contextFor(() => false);
  for (const i of flexible) {
    const w = workloads[i] as Workload;
    const p = promiseOf[i] as WorkloadPromises;
    for (const f of WORKLOAD_FILTERS) {
      const detail = f.reject(w, p, plainCtx);
      if (detail !== undefined) {
        kept[i] = { reason: f.name, detail };
        break;
      }
    }
  }
  // Region filters once, treating every candidate neighbour as free to move (their pair
  // constraint goes to the solver). A candidate left with no region it may use stays put;
  // then its neighbours' latency to it is checked again, until nothing changes.
  const candidate = new Uint8Array(W);
  for (const i of flexible) if (!kept[i]) candidate[i] = 1;
  const ctx = contextFor((j) => candidate[j] === 1);
  const options: (readonly Option[] | undefined)[] = new Array(W);
  // Workloads with the same promises, place, size and fixed neighbours have the same
  // options: work them out once per kind (tens of thousands of workloads, a few thousand kinds).
  // The region filters do not look at size: their verdicts are shared one level up.
  const promiseIds = new Map<WorkloadPromises, number>();
  const cleanerByPlace = new Map<string, CleanerRegion[]>();
  const byKind = new Map<string, Option[]>();
  for (const i of flexible) {
    if (!candidate[i]) continue;
    const w = workloads[i] as Workload;
    const p = promiseOf[i] as WorkloadPromises;
    let pid = promiseIds.get(p);
    if (pid === undefined) promiseIds.set(p, (pid = promiseIds.size));
    // Neighbours that stay put, by index (an index fixes the region too).
    let fixed = '';
    for (const [j, ms] of neighboursAt[i] ?? []) if (!candidate[j]) fixed += `${j}:${ms},`;
    const place = `${pid}|${w.region}|${fixed}`;
    const kind = `${place}|${w.cpu}|${w.memoryGib}`;
    let opts = byKind.get(kind);
    if (!opts) {
      let cleaner = cleanerByPlace.get(place);
      if (!cleaner) cleanerByPlace.set(place, (cleaner = cleanerRegionsFor(w, p, ctx)));
      byKind.set(kind, (opts = optionsFor(w, cleaner)));
    }
    options[i] = opts;
  }
  const anyAllowed = new Map<readonly Option[], boolean>();
  const hasAllowed = (opts: readonly Option[]): boolean => {
    let v = anyAllowed.get(opts);
    if (v === undefined) anyAllowed.set(opts, (v = opts.some((o) => !o.rejection)));
    return v;
  };
  const movable = new Uint8Array(W);
  let pinned: number[] = [];
  for (const i of flexible) {
    if (!candidate[i]) continue;
    if (hasAllowed(options[i] as Option[])) movable[i] = 1;
    else pinned.push(i);
  }
  while (pinned.length > 0) {
    const next: number[] = [];
    for (const f of pinned) {
      const fixedName = (workloads[f] as Workload).name;
      const at = (workloads[f] as Workload).region;
      for (const [j, maxMs] of neighboursAt[f] ?? []) {
        if (!movable[j]) continue;
        const opts = (options[j] as Option[]).map((o) => {
          if (o.rejection) return o;
          const l = fleet.latency.get(o.region, at);
          if (l !== undefined && l <= maxMs) return o;
          const detail =
            l === undefined
              ? `${fixedName} in ${at} would be unreachable`
              : `${fixedName} in ${at} would be ${l} ms away (max ${maxMs})`;
          return { ...o, rejection: { reason: 'latency' as const, detail } };
        });
        options[j] = opts;
        if (!opts.some((o) => !o.rejection)) {
          movable[j] = 0;
          next.push(j);
        }
      }
    }
    pinned = next;
  }

  function contextFor(isCandidate: (workload: number) => boolean): FilterContext {
    return {
      now: s.now,
      cooldownMs: fleet.policy.cooldownMs,
      regionOf,
      fresh: (r) => freshOf.get(r) === true,
      intensity: (r) => intensityOf.get(r),
      latency: (a, b) => fleet.latency.get(a, b),
      fixedNeighbours: (name) =>
        (neighboursAt[indexOf.get(name) ?? -1] ?? [])
          .filter(([j]) => !isCandidate(j))
          .map(([j, ms]) => [(workloads[j] as Workload).name, ms] as const),
    };
  }

  /**
   * The cleaner regions for a workload at one place, greenest first, each with the first
   * filter that rules it out, or `not-worth-it` below the minimum saving. Nothing here
   * depends on size: the saving in percent is the ratio of intensities.
   */
  function cleanerRegionsFor(w: Workload, p: WorkloadPromises, ctx: FilterContext): CleanerRegion[] {
    const here = intensityOf.get(w.region);
    if (here === undefined || !(here > 0)) return [];
    const minSaving = p.minSavingPercent ?? fleet.policy.minSavingPercent;
    const out: CleanerRegion[] = [];
    for (const r of regions) {
      const there = intensityOf.get(r.name);
      if (r.name === w.region || there === undefined || !(there < here)) continue;
      const saving = ((here - there) / here) * 100;
      const rejection =
        rejectionBy(REGION_FILTERS, w, p, r, ctx) ??
        (saving < minSaving
          ? {
              reason: 'not-worth-it' as const,
              detail: `saves ${saving.toFixed(1)}%, less than the ${minSaving}% minimum`,
            }
          : undefined);
      out.push({ region: r.name, intensity: there, rejection });
    }
    return out.sort((a, b) => a.intensity - b.intensity || (a.region < b.region ? -1 : 1));
  }

  function optionsFor(w: Workload, cleaner: readonly CleanerRegion[]): Option[] {
    const k = kw(w);
    if (!(k > 0)) return [];
    return cleaner.map((c) =>
      c.rejection
        ? { region: c.region, emissions: k * c.intensity, rejection: c.rejection }
        : { region: c.region, emissions: k * c.intensity },
    );
  }

  // The solver's problem.
  const moverAt: number[] = [];
  for (let i = 0; i < W; i++) if (movable[i]) moverAt.push(i);
  const moverIndex = new Int32Array(W).fill(-1);
  moverAt.forEach((i, m) => (moverIndex[i] = m));
  const fixedCpu = new Float64Array(regions.length);
  const fixedMem = new Float64Array(regions.length);
  const moverCpu = new Float64Array(regions.length);
  const moverMem = new Float64Array(regions.length);
  let fixedEmissions = 0;
  const regionAt = Int32Array.from(workloads, (w) => regionIndex.get(w.region) as number);
  workloads.forEach((w, i) => {
    const r = regionAt[i] as number;
    if (movable[i]) {
      moverCpu[r] = (moverCpu[r] as number) + w.cpu;
      moverMem[r] = (moverMem[r] as number) + w.memoryGib;
    } else {
      fixedCpu[r] = (fixedCpu[r] as number) + w.cpu;
      fixedMem[r] = (fixedMem[r] as number) + w.memoryGib;
      fixedEmissions += emissionsAt[i] as number;
    }
  });
  const problemRegions: ProblemRegion[] = regions.map((r, i) => ({
    name: r.name,
    // A region already over capacity may not grow, but what runs there may stay.
    cpu: Math.max(r.capacity.cpu - (fixedCpu[i] as number), moverCpu[i] as number),
    memoryGib: Math.max(r.capacity.memoryGib - (fixedMem[i] as number), moverMem[i] as number),
    intensity: intensityOf.get(r.name) ?? NaN,
  }));
  const migration = fleet.policy.migrationCostGPerH;
  // Workloads of one kind share their options, and so share these arrays too (the solvers
  // group interchangeable movers by them).
  const choices = new Map<readonly Option[], { allowed: Int32Array; cost: Float64Array }>();
  const movers: Mover[] = moverAt.map((i) => {
    const w = workloads[i] as Workload;
    const current = regionAt[i] as number;
    const opts = options[i] as readonly Option[];
    let choice = choices.get(opts);
    if (!choice) {
      const allowed = [{ r: current, cost: emissionsAt[i] as number }];
      for (const o of opts)
        if (!o.rejection) allowed.push({ r: regionIndex.get(o.region) as number, cost: o.emissions + migration });
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
  edges.forEach((e, k) => {
    const a = moverIndex[edgeFrom[k] as number] ?? -1;
    const b = moverIndex[edgeTo[k] as number] ?? -1;
    if (a < 0 || b < 0) return;
    const now = fleet.latency.get(regionOf.get(e.from) as string, regionOf.get(e.to) as string);
    // Keep what holds now: a bound already broken (or a pair already unreachable) is not
    // made a reason to refuse every move.
    if (now === undefined) return;
    pairs.push({ a, b, maxMs: Math.max(e.maxMs, now) });
  });
  const names = regions.map((r) => r.name);
  const problem: PlacementProblem = {
    regions: problemRegions,
    movers,
    budget: fleet.policy.migrationBudget,
    pairs,
    latency: (a, b) => fleet.latency.get(names[a] as string, names[b] as string),
    fixedEmissions,
  };
  const analyses: Analysis[] = flexible.map((i) => {
    const w = workloads[i] as Workload;
    const k = kept[i];
    return {
      workload: w.name,
      region: w.region,
      emissions: emissionsAt[i] as number,
      ...(k ? { kept: k } : {}),
      options: options[i] ?? [],
    };
  });
  return { problem, analyses, emissions, unknownEmissions };
}

/** A region greener than a workload's own, and what rules it out (undefined: allowed). */
interface CleanerRegion {
  readonly region: string;
  readonly intensity: number;
  readonly rejection: Rejection | undefined;
}

function rejectionBy(
  filters: typeof REGION_FILTERS,
  w: Workload,
  p: WorkloadPromises,
  r: Region,
  ctx: FilterContext,
): Rejection | undefined {
  for (const f of filters) {
    const detail = f.reject(w, p, r, ctx);
    if (detail !== undefined) return { reason: f.name, detail };
  }
  return undefined;
}

/**
 * Both directions of every dependency edge between known workloads, by snapshot index, for
 * the flexible workloads (the only ones whose options depend on their neighbours):
 * [other end, max ms].
 */
function neighbourIndex(
  edges: readonly DependencyEdge[],
  from: Int32Array,
  to: Int32Array,
  flexible: readonly number[],
): (readonly [number, number])[][] {
  const out: (readonly [number, number])[][] = [];
  for (const i of flexible) out[i] = [];
  edges.forEach((e, k) => {
    const a = from[k] as number;
    const b = to[k] as number;
    if (a < 0 || b < 0) return;
    out[a]?.push([b, e.maxMs]);
    out[b]?.push([a, e.maxMs]);
  });
  return out;
}
