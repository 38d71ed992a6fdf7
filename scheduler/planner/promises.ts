import type { Intent, Placement } from '../intent/model.js';
import { coverage, effectivePlacement } from '../inventory/coverage.js';
import type { Workload } from '../inventory/model.js';
import { workloadMatcher } from '../inventory/pattern.js';

/** What all the intents covering one workload promise, combined (every promise holds). */
export interface WorkloadPromises {
  readonly placement: Placement;
  readonly intents: readonly string[];
  /** Certifications the region must hold (union over intents). */
  readonly compliance: readonly string[];
  /** Countries allowed (intersection of allow lists), or undefined for any. */
  readonly allowCountries?: ReadonlySet<string>;
  readonly denyCountries: ReadonlySet<string>;
  /** Regions pinned by `target nodes(...)` (intersection), or undefined for any. */
  readonly targets?: ReadonlySet<string>;
  /** gCO2eq/kWh cap on where it may move (the lowest over intents). */
  readonly maxIntensity?: number;
  /** Percent a move must save (the highest over intents), if an intent sets it. */
  readonly minSavingPercent?: number;
}

/** `from` calls `to`; they must stay reachable and, if `maxMs` is finite, that close. */
export interface DependencyEdge {
  readonly from: string;
  readonly to: string;
  readonly maxMs: number;
}

/**
 * Combines intents per workload and collects the dependency edges with their latency
 * bounds: from the inventory's depends_on and intents' depends_on(...) / `to` patterns;
 * a network_latency constraint with `to` bounds those dependencies, one without bounds all.
 */
export function resolvePromises(intents: readonly Intent[], workloads: readonly Workload[]): { promises: Map<string, WorkloadPromises>; edges: DependencyEdge[] } {
  const cover = coverage(intents, workloads);
  const names = workloads.map((w) => w.name);
  const matchCache = new Map<string, string[]>();
  const matching = (pattern: string): string[] => {
    let hit = matchCache.get(pattern);
    if (!hit) {
      const m = workloadMatcher(pattern);
      hit = names.filter(m);
      matchCache.set(pattern, hit);
    }
    return hit;
  };
  const promises = new Map<string, WorkloadPromises>();
  const edges: DependencyEdge[] = [];
  // Workloads covered by the same intents share one combined object (and planners may key
  // on its identity).
  const combined = new Map<string, WorkloadPromises>();
  for (const w of workloads) {
    const covering = cover.get(w.name) ?? [];
    const key = covering.map((i) => i.name).join('\u0000');
    let p = combined.get(key);
    if (!p) combined.set(key, (p = combine(covering)));
    promises.set(w.name, p);
    const bound = new Map<string, number>();
    const add = (to: string, maxMs: number): void => {
      if (to === w.name) return;
      bound.set(to, Math.min(bound.get(to) ?? Infinity, maxMs));
    };
    // First every dependency, then the bounds: a bound without `to` covers all of them.
    for (const d of w.dependsOn) add(d.value, Infinity);
    for (const i of covering) for (const p of i.dependsOn) for (const d of matching(p.value)) add(d, Infinity);
    for (const i of covering) for (const l of i.latency) for (const p of l.to) for (const d of matching(p.value)) add(d, l.maxMs);
    for (const i of covering) for (const l of i.latency) if (l.to.length === 0) for (const d of [...bound.keys()]) add(d, l.maxMs);
    for (const [to, maxMs] of [...bound].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) edges.push({ from: w.name, to, maxMs });
  }
  return { promises, edges };
}

function combine(covering: readonly Intent[]): WorkloadPromises {
  const compliance = new Set<string>();
  let allow: Set<string> | undefined;
  const deny = new Set<string>();
  let targets: Set<string> | undefined;
  let maxIntensity: number | undefined;
  let minSaving: number | undefined;
  for (const i of covering) {
    for (const l of i.compliance?.levels ?? []) compliance.add(l.value);
    const a = i.residency?.allow;
    if (a) {
      const next = new Set(a.map((c) => c.value));
      allow = allow ? new Set([...allow].filter((c) => next.has(c))) : next;
    }
    for (const d of i.residency?.deny ?? []) deny.add(d.value);
    if (i.target) {
      const next = new Set(i.target.regions.map((r) => r.value));
      targets = targets ? new Set([...targets].filter((r) => next.has(r))) : next;
    }
    if (i.carbon?.maxIntensity !== undefined) maxIntensity = Math.min(maxIntensity ?? Infinity, i.carbon.maxIntensity);
    if (i.carbon?.minSavingPercent !== undefined) minSaving = Math.max(minSaving ?? 0, i.carbon.minSavingPercent);
  }
  return {
    placement: effectivePlacement(covering),
    intents: covering.map((i) => i.name),
    compliance: [...compliance].sort(),
    ...(allow ? { allowCountries: allow } : {}),
    denyCountries: deny,
    ...(targets ? { targets } : {}),
    ...(maxIntensity !== undefined ? { maxIntensity } : {}),
    ...(minSaving !== undefined ? { minSavingPercent: minSaving } : {}),
  };
}
