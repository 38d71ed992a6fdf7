import type { Region } from '../../regions/fleet/model.js';
import type { Workload } from '../inventory/model.js';
import type { Terms } from '../promises/model.js';
import { ruledOutBy } from '../promises/region-rules.js';

/**
 * Why a workload may not go somewhere, as data. Workload-level reasons keep it where it is
 * whatever the region; region-level reasons rule out one region. `not-worth-it`,
 * `capacity`, `budget` and `dependency` come from the optimisation, not the filters.
 */
export type KeepReason =
  | 'critical'
  | 'held'
  | 'cooldown'
  | 'carbon-data-here'
  | 'already-greenest'
  | 'region-unknown'
  | 'target'
  | 'compliance'
  | 'residency'
  | 'carbon-data'
  | 'max-intensity'
  | 'latency'
  | 'not-worth-it'
  | 'capacity'
  | 'budget'
  | 'dependency';

export interface Rejection {
  readonly reason: KeepReason;
  readonly detail: string;
}

/** What filters read about the run, prepared once. */
export interface FilterContext {
  readonly now: number;
  readonly cooldownMs: number;
  /** Why a workload must stay where it is whatever the intents say (the inventory source knows), if it must. */
  held(workload: string): string | undefined;
  /** Why nothing may move into or out of a region (its cluster could not be read), if so. */
  unavailable(region: string): string | undefined;
  /** Whether a region's zone has a fresh reading. */
  fresh(region: string): boolean;
  intensity(region: string): number | undefined;
  latency(a: string, b: string): number | undefined;
  /** Dependency edges touching workload w (by index) whose other end stays put: [name, region, maxMs]. */
  fixedNeighbours(w: number): readonly (readonly [string, string, number])[];
}

/** A workload being filtered: the inventory entry, its index and the terms the model gives it. */
export interface Candidate {
  readonly workload: Workload;
  readonly index: number;
  readonly terms: Terms;
}

export interface WorkloadFilter {
  readonly name: KeepReason;
  reject(c: Candidate, ctx: FilterContext): string | undefined;
}

export interface RegionFilter {
  readonly name: string;
  reject(c: Candidate, region: Region, regionIndex: number, ctx: FilterContext): Rejection | undefined;
}

/** Filters that keep a workload where it is, in the order they are asked. */
export const WORKLOAD_FILTERS: readonly WorkloadFilter[] = [
  {
    name: 'critical',
    reject: ({ terms }) => {
      if (terms.placement !== 'critical') return undefined;
      return terms.intents.length ? `critical under ${terms.intents.join(', ')}` : 'covered by no intent';
    },
  },
  {
    // What the clusters say stays: kinds shisa never moves, duplicates, migrations under way.
    name: 'held',
    reject: ({ workload: w }, ctx) => ctx.held(w.name),
  },
  {
    // Nothing moves out of an unknown region either (a source that reads it lists nothing there).
    name: 'region-unknown',
    reject: ({ workload: w }, ctx) => {
      const why = ctx.unavailable(w.region);
      return why === undefined ? undefined : `its region ${w.region} is unknown: ${why}`;
    },
  },
  {
    name: 'cooldown',
    reject: ({ workload: w }, ctx) => {
      if (w.lastMovedAt === undefined) return undefined;
      const until = w.lastMovedAt + ctx.cooldownMs;
      if (until <= ctx.now) return undefined;
      return `moved at ${new Date(w.lastMovedAt).toISOString()}, cooling down until ${new Date(until).toISOString()}`;
    },
  },
  {
    name: 'carbon-data-here',
    reject: ({ workload: w }, ctx) =>
      ctx.fresh(w.region) ? undefined : `no fresh carbon reading for its current region ${w.region}`,
  },
];

const rejection = (reason: KeepReason, detail: string | undefined): Rejection | undefined =>
  detail === undefined ? undefined : { reason, detail };

/** Filters that rule out one region for a workload, in the order they are asked. */
export const REGION_FILTERS: readonly RegionFilter[] = [
  {
    // A region whose cluster could not be read is unknown: nothing moves into it.
    name: 'region-unknown',
    reject: (_c, r, _k, ctx) => rejection('region-unknown', ctx.unavailable(r.name)),
  },
  {
    // Target, compliance and residency: the promise model's rules decide, and say why.
    name: 'region-rules',
    reject: ({ terms }, r, k) => {
      const out = ruledOutBy(terms, r, k);
      return out && { reason: out.kind, detail: out.detail };
    },
  },
  {
    name: 'carbon-data',
    reject: (_c, r, _k, ctx) =>
      rejection('carbon-data', ctx.fresh(r.name) ? undefined : `no fresh carbon reading for ${r.zone}`),
  },
  {
    name: 'max-intensity',
    reject: ({ terms }, r, _k, ctx) => {
      const i = ctx.intensity(r.name);
      if (terms.maxIntensity === undefined || i === undefined || i <= terms.maxIntensity) return undefined;
      return rejection('max-intensity', `${r.zone} at ${i} gCO2eq/kWh is above the ${terms.maxIntensity} allowed`);
    },
  },
  {
    name: 'latency',
    reject: (c, r, _k, ctx) => {
      for (const [other, at, maxMs] of ctx.fixedNeighbours(c.index)) {
        const l = ctx.latency(r.name, at);
        if (l === undefined) return rejection('latency', `${other} in ${at} would be unreachable`);
        if (l > maxMs) return rejection('latency', `${other} in ${at} would be ${l} ms away (max ${maxMs})`);
      }
      return undefined;
    },
  },
];
