import type { Fleet, Region } from '../../regions/fleet/model.js';
import type { Workload } from '../inventory/model.js';
import type { PromiseModel } from '../promises/model.js';
import type { CarbonView } from './carbon-view.js';
import { REGION_FILTERS, type Candidate, type FilterContext, type Rejection } from './filters.js';
import type { Snapshot } from './snapshot.js';

/** A region cleaner than where a flexible workload runs, and why it may not go there (if not). */
export interface Option {
  readonly region: string;
  /** gCO2eq/h the workload would emit there. */
  readonly emissions: number;
  readonly rejection?: Rejection;
}

/** Both directions of every dependency edge, for the flexible workloads: [other end, max ms]. */
export type Neighbours = readonly (readonly (readonly [number, number])[] | undefined)[];

export function neighboursOf(model: PromiseModel, flexible: readonly number[]): Neighbours {
  const out: (readonly [number, number])[][] = [];
  for (const i of flexible) out[i] = [];
  for (const e of model.edges) {
    out[e.from]?.push([e.to, e.maxMs]);
    out[e.to]?.push([e.from, e.maxMs]);
  }
  return out;
}

/**
 * Region options of every candidate (flexible and not kept by a workload filter), treating
 * every candidate neighbour as free to move (their pair constraint goes to the solver).
 * Workloads with the same terms, place, size and fixed neighbours have the same options:
 * they are worked out once per kind (tens of thousands of workloads, a few thousand kinds).
 */
export function regionOptions(
  s: Pick<Snapshot, 'fleet' | 'now' | 'held' | 'unavailable'>,
  model: PromiseModel,
  carbon: CarbonView,
  candidate: Uint8Array,
  neighbours: Neighbours,
): (readonly Option[] | undefined)[] {
  const ctx = filterContext(s, model, carbon, neighbours, (j) => candidate[j] === 1);
  const options = new Array<readonly Option[] | undefined>(model.workloads.length);
  const termIds = new Map<object, number>();
  const cleanerByPlace = new Map<string, CleanerRegion[]>();
  const byKind = new Map<string, Option[]>();
  candidate.forEach((isCandidate, i) => {
    if (!isCandidate) return;
    const c: Candidate = { workload: model.workloads[i]!, index: i, terms: model.terms[i]! };
    let tid = termIds.get(c.terms);
    if (tid === undefined) termIds.set(c.terms, (tid = termIds.size));
    // Neighbours that stay put, by index (an index fixes the region too).
    let fixed = '';
    for (const [j, ms] of neighbours[i] ?? []) if (!candidate[j]) fixed += `${j}:${ms},`;
    const place = `${tid}|${c.workload.region}|${fixed}`;
    const kind = `${place}|${c.workload.cpu}|${c.workload.memoryGib}`;
    let opts = byKind.get(kind);
    if (!opts) {
      let cleaner = cleanerByPlace.get(place);
      if (!cleaner) cleanerByPlace.set(place, (cleaner = cleanerRegionsFor(c, s.fleet, carbon, ctx)));
      byKind.set(kind, (opts = optionsFor(c.workload, carbon, cleaner)));
    }
    options[i] = opts;
  });
  return options;
}

export function filterContext(
  s: Pick<Snapshot, 'fleet' | 'now' | 'held' | 'unavailable'>,
  model: PromiseModel,
  carbon: CarbonView,
  neighbours: Neighbours,
  isCandidate: (workload: number) => boolean,
): FilterContext {
  const { workloads } = model;
  return {
    now: s.now,
    cooldownMs: s.fleet.policy.cooldownMs,
    held: (w) => s.held?.get(w),
    unavailable: (r) => s.unavailable?.get(r),
    fresh: (r) => carbon.fresh(r),
    intensity: (r) => carbon.intensityOf.get(r),
    latency: (a, b) => s.fleet.latency.get(a, b),
    fixedNeighbours: (w) =>
      (neighbours[w] ?? [])
        .filter(([j]) => !isCandidate(j))
        .map(([j, ms]) => [workloads[j]!.name, workloads[j]!.region, ms] as const),
  };
}

/** A region greener than a workload's own, and what rules it out (undefined: allowed). */
interface CleanerRegion {
  readonly region: string;
  readonly intensity: number;
  readonly rejection: Rejection | undefined;
}

/**
 * The cleaner regions for a workload at one place, greenest first, each with the first
 * filter that rules it out, or `not-worth-it` below the minimum saving. Nothing here
 * depends on size: the saving in percent is the ratio of intensities.
 */
function cleanerRegionsFor(c: Candidate, fleet: Fleet, carbon: CarbonView, ctx: FilterContext): CleanerRegion[] {
  const here = carbon.intensityOf.get(c.workload.region);
  if (here === undefined || !(here > 0)) return [];
  const minSaving = c.terms.minSavingPercent ?? fleet.policy.minSavingPercent;
  const out: CleanerRegion[] = [];
  fleet.regions.forEach((r, k) => {
    const there = carbon.intensityOf.get(r.name);
    if (r.name === c.workload.region || there === undefined || !(there < here)) return;
    const saving = ((here - there) / here) * 100;
    const tooSmall: Rejection | undefined =
      saving < minSaving
        ? { reason: 'not-worth-it', detail: `saves ${saving.toFixed(1)}%, less than the ${minSaving}% minimum` }
        : undefined;
    out.push({ region: r.name, intensity: there, rejection: firstRejection(c, r, k, ctx) ?? tooSmall });
  });
  return out.sort((a, b) => a.intensity - b.intensity || (a.region < b.region ? -1 : 1));
}

function firstRejection(c: Candidate, r: Region, k: number, ctx: FilterContext): Rejection | undefined {
  for (const f of REGION_FILTERS) {
    const rejected = f.reject(c, r, k, ctx);
    if (rejected) return rejected;
  }
  return undefined;
}

function optionsFor(w: Workload, carbon: CarbonView, cleaner: readonly CleanerRegion[]): Option[] {
  const k = carbon.kw(w);
  if (!(k > 0)) return [];
  return cleaner.map((c) =>
    c.rejection
      ? { region: c.region, emissions: k * c.intensity, rejection: c.rejection }
      : { region: c.region, emissions: k * c.intensity },
  );
}

/**
 * A candidate left with no region it may use stays put; then its neighbours' latency to it
 * is checked again, until nothing changes. Returns which candidates can move.
 */
export function settleLatency(
  fleet: Fleet,
  workloads: readonly Workload[],
  candidate: Uint8Array,
  options: (readonly Option[] | undefined)[],
  neighbours: Neighbours,
): Uint8Array {
  const movable = new Uint8Array(workloads.length);
  const anyAllowed = new Map<readonly Option[], boolean>();
  let pinned: number[] = [];
  candidate.forEach((isCandidate, i) => {
    if (!isCandidate) return;
    const opts = options[i]!;
    let allowed = anyAllowed.get(opts);
    if (allowed === undefined) anyAllowed.set(opts, (allowed = opts.some((o) => !o.rejection)));
    if (allowed) movable[i] = 1;
    else pinned.push(i);
  });
  while (pinned.length > 0) {
    const next: number[] = [];
    for (const f of pinned) {
      for (const [j, maxMs] of neighbours[f] ?? []) {
        if (!movable[j]) continue;
        const opts = (options[j] = withLatencyTo(fleet, workloads[f]!, maxMs, options[j]!));
        if (!opts.some((o) => !o.rejection)) {
          movable[j] = 0;
          next.push(j);
        }
      }
    }
    pinned = next;
  }
  return movable;
}

/** Options with those now too far from a neighbour that stays put ruled out. */
function withLatencyTo(fleet: Fleet, fixed: Workload, maxMs: number, opts: readonly Option[]): Option[] {
  return opts.map((o) => {
    if (o.rejection) return o;
    const l = fleet.latency.get(o.region, fixed.region);
    if (l !== undefined && l <= maxMs) return o;
    const detail =
      l === undefined
        ? `${fixed.name} in ${fixed.region} would be unreachable`
        : `${fixed.name} in ${fixed.region} would be ${l} ms away (max ${maxMs})`;
    return { ...o, rejection: { reason: 'latency' as const, detail } };
  });
}
