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
  const kw = (w: Workload): number => ((w.cpu * power.wattsPerCpu + w.memoryGib * power.wattsPerGib) * power.pue) / 1000;
  const emissionsIn = (w: Workload, region: string): number | undefined => {
    const i = intensityOf.get(region);
    return i === undefined ? undefined : kw(w) * i;
  };

  const { promises, edges } = resolvePromises(s.intents, s.workloads);
  const regionOf = new Map(s.workloads.map((w) => [w.name, w.region]));
  const byName = new Map(s.workloads.map((w) => [w.name, w]));
  const emissions = new Map<string, number>();
  let unknownEmissions = 0;
  for (const w of s.workloads) {
    const e = emissionsIn(w, w.region);
    if (e === undefined) unknownEmissions++;
    emissions.set(w.name, e ?? 0);
  }
  const neighbours = neighbourIndex(edges);

  // Workload-level filters first.
  const kept = new Map<string, Rejection>();
  const flexible = s.workloads.filter((w) => promises.get(w.name)?.placement === 'flexible');
  const plainCtx = contextFor(new Set());
  for (const w of flexible) {
    const p = promises.get(w.name) as WorkloadPromises;
    for (const f of WORKLOAD_FILTERS) {
      const detail = f.reject(w, p, plainCtx);
      if (detail !== undefined) {
        kept.set(w.name, { reason: f.name, detail });
        break;
      }
    }
  }
  // Region filters once, treating every candidate neighbour as free to move (their pair
  // constraint goes to the solver). A candidate left with no region it may use stays put;
  // then its neighbours' latency to it is checked again, until nothing changes.
  const candidates = new Set(flexible.filter((w) => !kept.has(w.name)).map((w) => w.name));
  const ctx = contextFor(candidates);
  const options = new Map<string, Option[]>();
  // Workloads with the same promises, place, size and fixed neighbours have the same
  // options: work them out once per kind (tens of thousands of workloads, a few thousand kinds).
  // The region filters do not look at size: their verdicts are shared one level up.
  const promiseIds = new Map<WorkloadPromises, number>();
  const verdictsByPlace = new Map<string, Verdicts>();
  const byKind = new Map<string, Option[]>();
  for (const name of candidates) {
    const w = byName.get(name) as Workload;
    const p = promises.get(name) as WorkloadPromises;
    let pid = promiseIds.get(p);
    if (pid === undefined) promiseIds.set(p, (pid = promiseIds.size));
    const place = `${pid}|${w.region}|${fixedSignature(ctx.fixedNeighbours(name), regionOf)}`;
    const kind = `${place}|${w.cpu}|${w.memoryGib}`;
    let opts = byKind.get(kind);
    if (!opts) {
      let verdicts = verdictsByPlace.get(place);
      if (!verdicts) verdictsByPlace.set(place, (verdicts = verdictsFor(w, p, ctx)));
      byKind.set(kind, (opts = optionsFor(w, p, verdicts)));
    }
    options.set(name, opts);
  }
  const anyAllowed = new Map<readonly Option[], boolean>();
  const hasAllowed = (opts: readonly Option[]): boolean => {
    let v = anyAllowed.get(opts);
    if (v === undefined) anyAllowed.set(opts, (v = opts.some((o) => !o.rejection)));
    return v;
  };
  const movable = new Set([...candidates].filter((n) => hasAllowed(options.get(n) as Option[])));
  let pinned = [...candidates].filter((n) => !movable.has(n));
  while (pinned.length > 0) {
    const next: string[] = [];
    for (const fixedName of pinned) {
      for (const [other, maxMs] of neighbours.get(fixedName) ?? []) {
        if (!movable.has(other)) continue;
        const at = regionOf.get(fixedName) as string;
        const opts = (options.get(other) as Option[]).map((o) => {
          if (o.rejection) return o;
          const l = fleet.latency.get(o.region, at);
          if (l !== undefined && l <= maxMs) return o;
          const detail = l === undefined ? `${fixedName} in ${at} would be unreachable` : `${fixedName} in ${at} would be ${l} ms away (max ${maxMs})`;
          return { ...o, rejection: { reason: 'latency' as const, detail } };
        });
        options.set(other, opts);
        if (!opts.some((o) => !o.rejection)) {
          movable.delete(other);
          next.push(other);
        }
      }
    }
    pinned = next;
  }

  function contextFor(movers: ReadonlySet<string>): FilterContext {
    return {
      now: s.now,
      cooldownMs: fleet.policy.cooldownMs,
      regionOf,
      fresh: (r) => freshOf.get(r) === true,
      intensity: (r) => intensityOf.get(r),
      latency: (a, b) => fleet.latency.get(a, b),
      fixedNeighbours: (name) => (neighbours.get(name) ?? []).filter(([other]) => !movers.has(other)),
    };
  }

  /** What the region filters say about each region other than the workload's own. */
  function verdictsFor(w: Workload, p: WorkloadPromises, ctx: FilterContext): Verdicts {
    const out: Verdicts = new Map();
    for (const r of regions) {
      if (r.name === w.region) continue;
      out.set(r, rejectionBy(REGION_FILTERS, w, p, r, ctx));
    }
    return out;
  }

  function optionsFor(w: Workload, p: WorkloadPromises, verdicts: Verdicts): Option[] {
    const here = emissionsIn(w, w.region) ?? 0;
    const minSaving = p.minSavingPercent ?? fleet.policy.minSavingPercent;
    const out: Option[] = [];
    for (const [r, rejection] of verdicts) {
      const there = emissionsIn(w, r.name);
      if (there === undefined || !(there < here)) continue;
      if (rejection) {
        out.push({ region: r.name, emissions: there, rejection });
        continue;
      }
      const saving = ((here - there) / here) * 100;
      if (saving < minSaving) out.push({ region: r.name, emissions: there, rejection: { reason: 'not-worth-it', detail: `saves ${saving.toFixed(1)}%, less than the ${minSaving}% minimum` } });
      else out.push({ region: r.name, emissions: there });
    }
    return out.sort((a, b) => a.emissions - b.emissions || (a.region < b.region ? -1 : 1));
  }

  // The solver's problem.
  const moverNames = s.workloads.filter((w) => movable.has(w.name)).map((w) => w.name);
  const moverIndex = new Map(moverNames.map((n, i) => [n, i]));
  const fixedCpu = new Float64Array(regions.length);
  const fixedMem = new Float64Array(regions.length);
  const moverCpu = new Float64Array(regions.length);
  const moverMem = new Float64Array(regions.length);
  let fixedEmissions = 0;
  for (const w of s.workloads) {
    const r = regionIndex.get(w.region) as number;
    if (movable.has(w.name)) {
      moverCpu[r] = (moverCpu[r] as number) + w.cpu;
      moverMem[r] = (moverMem[r] as number) + w.memoryGib;
    } else {
      fixedCpu[r] = (fixedCpu[r] as number) + w.cpu;
      fixedMem[r] = (fixedMem[r] as number) + w.memoryGib;
      fixedEmissions += emissions.get(w.name) ?? 0;
    }
  }
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
  const movers: Mover[] = moverNames.map((name) => {
    const w = byName.get(name) as Workload;
    const current = regionIndex.get(w.region) as number;
    const opts = options.get(name) ?? [];
    let choice = choices.get(opts);
    if (!choice) {
      const allowed = [{ r: current, cost: emissions.get(name) as number }];
      for (const o of opts) if (!o.rejection) allowed.push({ r: regionIndex.get(o.region) as number, cost: o.emissions + migration });
      allowed.sort((a, b) => a.r - b.r);
      choice = { allowed: Int32Array.from(allowed, (a) => a.r), cost: Float64Array.from(allowed, (a) => a.cost) };
      choices.set(opts, choice);
    }
    return { name, current, cpu: w.cpu, memoryGib: w.memoryGib, allowed: choice.allowed, cost: choice.cost };
  });
  const pairs: PairConstraint[] = [];
  for (const e of edges) {
    const a = moverIndex.get(e.from);
    const b = moverIndex.get(e.to);
    if (a === undefined || b === undefined) continue;
    const now = fleet.latency.get(regionOf.get(e.from) as string, regionOf.get(e.to) as string);
    // Keep what holds now: a bound already broken (or a pair already unreachable) is not
    // made a reason to refuse every move.
    if (now === undefined) continue;
    pairs.push({ a, b, maxMs: Math.max(e.maxMs, now) });
  }
  const names = regions.map((r) => r.name);
  const problem: PlacementProblem = {
    regions: problemRegions,
    movers,
    budget: fleet.policy.migrationBudget,
    pairs,
    latency: (a, b) => fleet.latency.get(names[a] as string, names[b] as string),
    fixedEmissions,
  };
  const analyses: Analysis[] = flexible.map((w) => {
    const k = kept.get(w.name);
    return {
      workload: w.name,
      region: w.region,
      emissions: emissions.get(w.name) ?? 0,
      ...(k ? { kept: k } : {}),
      options: options.get(w.name) ?? [],
    };
  });
  return { problem, analyses, emissions, unknownEmissions };
}

/** Each other region and the first region filter that rules it out (undefined: allowed). */
type Verdicts = Map<Region, Rejection | undefined>;

function rejectionBy(filters: typeof REGION_FILTERS, w: Workload, p: WorkloadPromises, r: Region, ctx: FilterContext): Rejection | undefined {
  for (const f of filters) {
    const detail = f.reject(w, p, r, ctx);
    if (detail !== undefined) return { reason: f.name, detail };
  }
  return undefined;
}

/** A key for the neighbours that stay put and where they are (options depend on them). */
function fixedSignature(fixed: readonly (readonly [string, number])[], regionOf: ReadonlyMap<string, string>): string {
  if (fixed.length === 0) return '';
  const parts = fixed.map(([o, ms]) => `${o}@${regionOf.get(o)}:${ms}`);
  return parts.length === 1 ? (parts[0] as string) : parts.sort().join(',');
}

/** Both directions of every dependency edge, by workload: [other end, max ms]. */
function neighbourIndex(edges: readonly DependencyEdge[]): Map<string, [string, number][]> {
  const out = new Map<string, [string, number][]>();
  const add = (a: string, b: string, ms: number): void => {
    let list = out.get(a);
    if (!list) out.set(a, (list = []));
    list.push([b, ms]);
  };
  for (const e of edges) {
    add(e.from, e.to, e.maxMs);
    add(e.to, e.from, e.maxMs);
  }
  return out;
}
