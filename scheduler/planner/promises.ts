import type { Intent, Placement } from '../intent/model.js';
import { coveringIntents, effectivePlacement } from '../inventory/coverage.js';
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
 * Combines intents per workload (`promises[i]` is for `workloads[i]`) and collects the
 * dependency edges with their latency bounds: from the inventory's depends_on and intents'
 * depends_on(...) / `to` patterns; a network_latency constraint with `to` bounds those
 * dependencies, one without bounds all.
 */
export function resolvePromises(
  intents: readonly Intent[],
  workloads: readonly Workload[],
): { promises: WorkloadPromises[]; edges: DependencyEdge[] } {
  const coverOf = coveringIntents(intents);
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
  const promises: WorkloadPromises[] = [];
  const edges: DependencyEdge[] = [];
  // Workloads covered by the same intents share one combined object (and planners may key
  // on its identity).
  const combined = new Map<string, WorkloadPromises>();
  // Workloads with the same intents and inventory dependencies have the same bounds: work
  // them out once per such kind ([to, maxMs] sorted by name; self-edges dropped when used).
  const boundsOf = new Map<string, [string, number][]>();
  for (const w of workloads) {
    const covering = coverOf(w);
    const key = covering.length === 1 ? (covering[0] as Intent).name : covering.map((i) => i.name).join('\u0000');
    let p = combined.get(key);
    if (!p) combined.set(key, (p = combine(covering)));
    promises.push(p);
    const kind = w.dependsOn.length === 0 ? key : `${key}\u0001${w.dependsOn.map((d) => d.value).join('\u0000')}`;
    let bounds = boundsOf.get(kind);
    if (!bounds)
      boundsOf.set(
        kind,
        (bounds = boundsFor(
          covering,
          w.dependsOn.map((d) => d.value),
          matching,
        )),
      );
    for (const [to, maxMs] of bounds) if (to !== w.name) edges.push({ from: w.name, to, maxMs });
  }
  return { promises, edges };
}

/** Dependencies with their tightest latency bound: first every dependency, then the bounds (a bound without `to` covers all of them). */
function boundsFor(
  covering: readonly Intent[],
  dependsOn: readonly string[],
  matching: (pattern: string) => string[],
): [string, number][] {
  const bound = new Map<string, number>();
  const add = (to: string, maxMs: number): void => {
    bound.set(to, Math.min(bound.get(to) ?? Infinity, maxMs));
  };
  for (const d of dependsOn) add(d, Infinity);
  for (const i of covering) for (const p of i.dependsOn) for (const d of matching(p.value)) add(d, Infinity);
  for (const i of covering)
    for (const l of i.latency) for (const p of l.to) for (const d of matching(p.value)) add(d, l.maxMs);
  for (const i of covering)
    for (const l of i.latency) if (l.to.length === 0) for (const d of [...bound.keys()]) add(d, l.maxMs);
  return [...bound].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
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
