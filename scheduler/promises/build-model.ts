import type { Fleet } from '../../regions/fleet/model.js';
import type { Intent } from '../intent/model.js';
import type { Workload } from '../inventory/model.js';
import { workloadMatcher } from '../inventory/pattern.js';
import type { ConstraintRef } from '../verify/proof.js';
import { coveringIntents, effectivePlacement } from './coverage.js';
import { boundedBy, dependencyEdges } from './dependencies.js';
import type { DependencyEdge, PromiseModel, RegionRule, Terms } from './model.js';
import { regionRulesOf } from './region-rules.js';

/** Reads fleet, intents and inventory into the one model of what the intents promise. */
export function buildPromiseModel(
  fleet: Fleet,
  intents: readonly Intent[],
  workloads: readonly Workload[],
): PromiseModel {
  const regions = fleet.regions;
  const regionIndex = new Map(regions.map((r, i) => [r.name, i]));
  const indexOf = new Map(workloads.map((w, i) => [w.name, i]));
  const matching = patternMatcher(workloads);
  const coverOf = coveringIntents(intents);
  const covering = workloads.map(coverOf);
  const coverKey = covering.map((c) => (c.length === 1 ? c[0]!.name : c.map((i) => i.name).join('\u0000')));
  const terms = termsOf(covering, coverKey, regions);
  const edges = dependencyEdges(workloads, covering, coverKey, (n) => indexOf.get(n), matching);
  const out: DependencyEdge[][] = workloads.map(() => []);
  for (const e of edges) out[e.from]!.push(e);
  const names = regions.map((r) => r.name);
  const capacity = regions.map((r): ConstraintRef => ({
    id: `capacity:${r.name}`,
    kind: 'capacity',
    text: `${r.name} capacity ${r.capacity.cpu} cpu, ${r.capacity.memoryGib} GiB`,
    span: r.span,
  }));
  // Frozen at the top: its parts are built here and typed read-only.
  const model: PromiseModel = {
    fleet,
    workloads,
    current: Int32Array.from(workloads, (w) => regionIndex.get(w.region) ?? -1),
    covering,
    terms,
    critical: Uint8Array.from(terms, (t) => (t.placement === 'critical' ? 1 : 0)),
    rules: terms.map((t) => t.rules),
    edges,
    out,
    capacity,
    latencyMs: (a, b) => fleet.latency.get(names[a]!, names[b]!),
    indexOf: (name) => indexOf.get(name),
    matching,
    latencyTargets: (w, l) => boundedBy(l, w, () => out[w]!.map((e) => e.to), matching),
    located: (w, region) => {
      const wl = workloads[w]!;
      const at = region === undefined ? wl.region : names[region]!;
      return { id: `located:${wl.name}@${at}`, kind: 'located', text: `${wl.name} runs in ${at}`, span: wl.span };
    },
  };
  return Object.freeze(model);
}

/** Matches each pattern against the inventory once. */
function patternMatcher(workloads: readonly Workload[]): (pattern: string) => readonly number[] {
  const cache = new Map<string, number[]>();
  return (pattern) => {
    let hit = cache.get(pattern);
    if (!hit) {
      const m = workloadMatcher(pattern);
      hit = [];
      for (let i = 0; i < workloads.length; i++) if (m(workloads[i]!.name)) hit.push(i);
      cache.set(pattern, hit);
    }
    return hit;
  };
}

/** Combined terms per workload; workloads covered by the same intents share one frozen object. */
function termsOf(
  covering: readonly (readonly Intent[])[],
  coverKey: readonly string[],
  regions: Fleet['regions'],
): Terms[] {
  const rulesOf = new Map<Intent, RegionRule[]>();
  const rulesFor = (i: Intent): RegionRule[] => {
    let rules = rulesOf.get(i);
    if (!rules) rulesOf.set(i, (rules = regionRulesOf(i, regions)));
    return rules;
  };
  const byKey = new Map<string, Terms>();
  return covering.map((c, w) => {
    let t = byKey.get(coverKey[w]!);
    if (!t) byKey.set(coverKey[w]!, (t = combine(c, c.flatMap(rulesFor))));
    return t;
  });
}

function combine(covering: readonly Intent[], rules: readonly RegionRule[]): Terms {
  let maxIntensity: number | undefined;
  let minSaving: number | undefined;
  for (const i of covering) {
    if (i.carbon?.maxIntensity !== undefined) maxIntensity = Math.min(maxIntensity ?? Infinity, i.carbon.maxIntensity);
    if (i.carbon?.minSavingPercent !== undefined) minSaving = Math.max(minSaving ?? 0, i.carbon.minSavingPercent);
  }
  return Object.freeze({
    placement: effectivePlacement(covering),
    intents: covering.map((i) => i.name),
    rules: Object.freeze(rules),
    ...(maxIntensity !== undefined ? { maxIntensity } : {}),
    ...(minSaving !== undefined ? { minSavingPercent: minSaving } : {}),
    auditedBy: Object.freeze(covering.filter((i) => i.compliance?.audit === true).map((i) => i.name)),
  });
}
