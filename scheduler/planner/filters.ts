import type { Region } from '../../regions/fleet/model.js';
import type { Workload } from '../inventory/model.js';
import type { WorkloadPromises } from './promises.js';

/**
 * Why a workload may not go somewhere, as data. Workload-level reasons keep it where it is
 * whatever the region; region-level reasons rule out one region. `not-worth-it`,
 * `capacity`, `budget` and `dependency` come from the optimisation, not the filters.
 */
export type KeepReason =
  | 'critical'
  | 'cooldown'
  | 'carbon-data-here'
  | 'already-greenest'
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
  /** Current region of every workload, by name. */
  readonly regionOf: ReadonlyMap<string, string>;
  /** Whether a region's zone has a fresh reading. */
  fresh(region: string): boolean;
  intensity(region: string): number | undefined;
  latency(a: string, b: string): number | undefined;
  /** Dependency edges touching a workload whose other end stays put: [other, maxMs]. */
  fixedNeighbours(workload: string): readonly (readonly [string, number])[];
}

export interface WorkloadFilter {
  readonly name: KeepReason;
  reject(w: Workload, p: WorkloadPromises, ctx: FilterContext): string | undefined;
}

export interface RegionFilter {
  readonly name: KeepReason;
  reject(w: Workload, p: WorkloadPromises, region: Region, ctx: FilterContext): string | undefined;
}

/** A set spelled out sorted, once per set (filters ask for it per workload and region). */
const spelled = new WeakMap<ReadonlySet<string>, string>();
function listed(set: ReadonlySet<string>): string {
  let s = spelled.get(set);
  if (s === undefined) spelled.set(set, (s = [...set].sort().join(', ')));
  return s;
}

/** Filters that keep a workload where it is, in the order they are asked. */
export const WORKLOAD_FILTERS: readonly WorkloadFilter[] = [
  {
    name: 'critical',
    reject: (_w, p) =>
      p.placement === 'critical'
        ? p.intents.length
          ? `critical under ${p.intents.join(', ')}`
          : 'covered by no intent'
        : undefined,
  },
  {
    name: 'cooldown',
    reject: (w, _p, ctx) => {
      if (w.lastMovedAt === undefined) return undefined;
      const until = w.lastMovedAt + ctx.cooldownMs;
      return until > ctx.now
        ? `moved at ${new Date(w.lastMovedAt).toISOString()}, cooling down until ${new Date(until).toISOString()}`
        : undefined;
    },
  },
  {
    name: 'carbon-data-here',
    reject: (w, _p, ctx) =>
      ctx.fresh(w.region) ? undefined : `no fresh carbon reading for its current region ${w.region}`,
  },
];

/** Filters that rule out one region for a workload, in the order they are asked. */
export const REGION_FILTERS: readonly RegionFilter[] = [
  {
    name: 'target',
    reject: (_w, p, r) => (p.targets && !p.targets.has(r.name) ? `pinned to ${listed(p.targets)}` : undefined),
  },
  {
    name: 'compliance',
    reject: (_w, p, r) => {
      const missing = p.compliance.filter((c) => !r.compliance.includes(c));
      return missing.length ? `${r.name} does not hold ${missing.join(', ')}` : undefined;
    },
  },
  {
    name: 'residency',
    reject: (_w, p, r) =>
      p.denyCountries.has(r.country)
        ? `${r.country} is denied`
        : p.allowCountries && !p.allowCountries.has(r.country)
          ? `${r.country} is not among ${listed(p.allowCountries)}`
          : undefined,
  },
  {
    name: 'carbon-data',
    reject: (_w, _p, r, ctx) => (ctx.fresh(r.name) ? undefined : `no fresh carbon reading for ${r.zone}`),
  },
  {
    name: 'max-intensity',
    reject: (_w, p, r, ctx) => {
      const i = ctx.intensity(r.name);
      return p.maxIntensity !== undefined && i !== undefined && i > p.maxIntensity
        ? `${r.zone} at ${i} gCO2eq/kWh is above the ${p.maxIntensity} allowed`
        : undefined;
    },
  },
  {
    name: 'latency',
    reject: (w, _p, r, ctx) => {
      for (const [other, maxMs] of ctx.fixedNeighbours(w.name)) {
        const at = ctx.regionOf.get(other);
        if (at === undefined) continue;
        const l = ctx.latency(r.name, at);
        if (l === undefined) return `${other} in ${at} would be unreachable`;
        if (l > maxMs) return `${other} in ${at} would be ${l} ms away (max ${maxMs})`;
      }
      return undefined;
    },
  },
];
