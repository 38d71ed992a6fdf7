import type { Fleet } from '../../regions/fleet/model.js';
import type { Intent } from '../intent/model.js';
import { coveringIntents, effectivePlacement } from '../inventory/coverage.js';
import type { Workload } from '../inventory/model.js';
import { workloadMatcher } from '../inventory/pattern.js';
import type { ConstraintRef } from './proof.js';

/** A constraint that limits where a workload may run: the regions (by index) it allows. */
export interface RegionRule {
  readonly ref: ConstraintRef;
  readonly allowed: ReadonlySet<number>;
}

/** `from` calls `to` (workload indices): they must stay reachable and, if bounded, that close. */
export interface MeshEdge {
  readonly from: number;
  readonly to: number;
  /** Infinity when no latency constraint bounds it. */
  readonly maxMs: number;
  /** Where the dependency is declared (inventory depends_on or an intent's depends_on / to). */
  readonly dependsOn: ConstraintRef;
  /** The network_latency constraint that bounds it, if any. */
  readonly bound?: ConstraintRef;
  /** The bound names this dependency in its `to`, so it declares the dependency by itself. */
  readonly boundNames?: boolean;
}

/** What makes an edge a constraint: its bound alone when the bound names it, else where it is declared (and the bound). */
export function edgeRefs(e: MeshEdge, dependsOn: ConstraintRef = e.dependsOn): ConstraintRef[] {
  if (e.bound && e.boundNames) return [e.bound];
  return [dependsOn, ...(e.bound ? [e.bound] : [])];
}

/**
 * The workloads, the intents' promises about them and the dependency graph, with every
 * constraint traced to its source: what all three proofs are built from.
 */
export interface Mesh {
  readonly fleet: Fleet;
  readonly workloads: readonly Workload[];
  /** Region index each workload runs in now (−1: a region the fleet does not list). */
  readonly current: Int32Array;
  readonly covering: readonly (readonly Intent[])[];
  readonly critical: Uint8Array;
  /** Compliance, residency and target rules per workload, from the intents covering it. */
  readonly rules: readonly (readonly RegionRule[])[];
  readonly edges: readonly MeshEdge[];
  /** Outgoing edges per workload. */
  readonly out: readonly (readonly MeshEdge[])[];
  /** The capacity of each region, as a constraint. */
  readonly capacity: readonly ConstraintRef[];
  latencyMs(a: number, b: number): number | undefined;
  indexOf(name: string): number | undefined;
  /** "w runs in R", from the inventory entry. */
  located(w: number, region?: number): ConstraintRef;
}

export function buildMesh(fleet: Fleet, intents: readonly Intent[], workloads: readonly Workload[]): Mesh {
  const regions = fleet.regions;
  const regionIndex = new Map(regions.map((r, i) => [r.name, i]));
  const indexOf = new Map(workloads.map((w, i) => [w.name, i]));
  const names = workloads.map((w) => w.name);
  const coverOf = coveringIntents(intents);
  const covering = workloads.map(coverOf);
  const critical = Uint8Array.from(covering, (c) => (effectivePlacement(c) === 'critical' ? 1 : 0));
  const matchCache = new Map<string, number[]>();
  const matching = (pattern: string): number[] => {
    let hit = matchCache.get(pattern);
    if (!hit) {
      const m = workloadMatcher(pattern);
      hit = [];
      names.forEach((n, i) => m(n) && hit!.push(i));
      matchCache.set(pattern, hit);
    }
    return hit;
  };

  // One rule per intent constraint, shared by every workload the intent covers.
  const rulesOf = new Map<Intent, RegionRule[]>();
  const rulesFor = (i: Intent): RegionRule[] => {
    let rules = rulesOf.get(i);
    if (rules) return rules;
    rules = [];
    const all = regions.map((_r, k) => k);
    if (i.compliance) {
      const levels = i.compliance.levels.map((l) => l.value);
      rules.push({
        ref: {
          id: `compliance:${i.name}`,
          kind: 'compliance',
          text: `intent "${i.name}": compliance ${levels.join(', ')}`,
          span: i.compliance.span,
        },
        allowed: new Set(all.filter((k) => levels.every((l) => regions[k]!.compliance.includes(l)))),
      });
    }
    if (i.residency) {
      const allow = i.residency.allow?.map((c) => c.value);
      const deny = new Set(i.residency.deny.map((c) => c.value));
      const words = [
        ...(allow ? [`allow ${allow.join(', ')}`] : []),
        ...(deny.size ? [`deny ${[...deny].join(', ')}`] : []),
      ].join('; ');
      rules.push({
        ref: {
          id: `residency:${i.name}`,
          kind: 'residency',
          text: `intent "${i.name}": residency ${words}`,
          span: i.residency.span,
        },
        allowed: new Set(
          all.filter((k) => !deny.has(regions[k]!.country) && (!allow || allow.includes(regions[k]!.country))),
        ),
      });
    }
    if (i.target) {
      const pinned = i.target.regions.map((r) => r.value);
      rules.push({
        ref: {
          id: `target:${i.name}`,
          kind: 'target',
          text: `intent "${i.name}": target nodes(${pinned.join(', ')})`,
          span: i.target.span,
        },
        allowed: new Set(pinned.map((p) => regionIndex.get(p)).filter((k): k is number => k !== undefined)),
      });
    }
    rulesOf.set(i, rules);
    return rules;
  };
  const rules = covering.map((c) => c.flatMap(rulesFor));

  const edges: MeshEdge[] = [];
  workloads.forEach((w, from) => {
    const deps = new Map<
      number,
      { dependsOn: ConstraintRef; maxMs: number; bound?: ConstraintRef; boundNames?: boolean }
    >();
    const add = (to: number | undefined, dependsOn: ConstraintRef): void => {
      if (to === undefined || to === from || deps.has(to)) return;
      deps.set(to, { dependsOn, maxMs: Infinity });
    };
    for (const d of w.dependsOn)
      add(indexOf.get(d.value), {
        id: `depends-on:${w.name}>${d.value}`,
        kind: 'depends-on',
        text: `${w.name} depends on ${d.value}`,
        span: d.span,
      });
    for (const i of covering[from]!) {
      for (const p of i.dependsOn)
        for (const to of matching(p.value))
          add(to, {
            id: `depends-on:${i.name}:${p.value}`,
            kind: 'depends-on',
            text: `intent "${i.name}": depends_on("${p.value}")`,
            span: p.span,
          });
    }
    // Bounds with `to` first (they may add dependencies), then those without, which bound
    // every dependency: the order the constraints are written in does not matter.
    const latencies = covering[from]!.flatMap((i) => i.latency.map((l, k) => ({ i, l, k })));
    for (const { i, l, k } of [
      ...latencies.filter((x) => x.l.to.length > 0),
      ...latencies.filter((x) => x.l.to.length === 0),
    ]) {
      {
        const ref: ConstraintRef = {
          id: `latency:${i.name}:${k}`,
          kind: 'latency',
          text: `intent "${i.name}": network_latency max ${l.maxMs} ms${l.to.length ? ` to ${l.to.map((t) => t.value).join(', ')}` : ''}`,
          span: l.span,
        };
        const targets = l.to.length ? l.to.flatMap((t) => matching(t.value)) : [...deps.keys()];
        for (const to of targets) {
          if (to === from) continue;
          add(to, ref);
          const d = deps.get(to)!;
          if (l.maxMs < d.maxMs) deps.set(to, { ...d, maxMs: l.maxMs, bound: ref, boundNames: l.to.length > 0 });
        }
      }
    }
    for (const [to, d] of [...deps].sort(([a], [b]) => a - b))
      edges.push({
        from,
        to,
        maxMs: d.maxMs,
        dependsOn: d.dependsOn,
        ...(d.bound ? { bound: d.bound, boundNames: d.boundNames === true } : {}),
      });
  });
  const out: MeshEdge[][] = workloads.map(() => []);
  for (const e of edges) out[e.from]!.push(e);

  const capacity = regions.map((r): ConstraintRef => ({
    id: `capacity:${r.name}`,
    kind: 'capacity',
    text: `${r.name} capacity ${r.capacity.cpu} cpu, ${r.capacity.memoryGib} GiB`,
    span: r.span,
  }));
  const names2 = regions.map((r) => r.name);
  return {
    fleet,
    workloads,
    current: Int32Array.from(workloads, (w) => regionIndex.get(w.region) ?? -1),
    covering,
    critical,
    rules,
    edges,
    out,
    capacity,
    latencyMs: (a, b) => fleet.latency.get(names2[a]!, names2[b]!),
    indexOf: (name) => indexOf.get(name),
    located: (w, region) => {
      const wl = workloads[w]!;
      const at = region === undefined ? wl.region : names2[region]!;
      return { id: `located:${wl.name}@${at}`, kind: 'located', text: `${wl.name} runs in ${at}`, span: wl.span };
    },
  };
}
