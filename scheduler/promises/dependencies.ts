import type { Intent, LatencyConstraint } from '../intent/model.js';
import type { Workload } from '../inventory/model.js';
import type { ConstraintRef } from '../verify/proof.js';
import type { DependencyEdge } from './model.js';

/** Workloads (by index) a pattern selects; patterns are matched once each. */
export type Matching = (pattern: string) => readonly number[];

/**
 * The dependencies (by index) a latency constraint of w bounds: those its `to` names, or
 * without `to` every dependency w has (docs/intent-language.md §4.9). Never w itself.
 */
export function boundedBy(l: LatencyConstraint, w: number, dependencies: () => Iterable<number>, matching: Matching) {
  const targets = l.to.length ? new Set(l.to.flatMap((t) => matching(t.value))) : new Set(dependencies());
  targets.delete(w);
  return [...targets];
}

/** One dependency of a kind of workload before it is tied to a workload. */
interface Dependency {
  /** Where it is declared: the j-th inventory depends_on entry, or an intent constraint. */
  readonly dependsOn: number | ConstraintRef;
  readonly maxMs: number;
  readonly bound?: ConstraintRef;
  readonly boundNames?: boolean;
}

/**
 * The dependency edges of every workload, with their latency bounds: from the inventory's
 * depends_on and the intents' depends_on(...) and network_latency `to`. A bound without `to`
 * applies to every dependency, whichever order the constraints are written in. Workloads with
 * the same intents and inventory dependencies share the work.
 */
export function dependencyEdges(
  workloads: readonly Workload[],
  covering: readonly (readonly Intent[])[],
  coverKey: readonly string[],
  indexOf: (name: string) => number | undefined,
  matching: Matching,
): DependencyEdge[] {
  const byKind = new Map<string, Map<number, Dependency>>();
  const edges: DependencyEdge[] = [];
  workloads.forEach((w, from) => {
    const kind = w.dependsOn.length
      ? `${coverKey[from]}\u0001${w.dependsOn.map((d) => d.value).join('\u0000')}`
      : coverKey[from]!;
    let deps = byKind.get(kind);
    if (!deps) byKind.set(kind, (deps = dependenciesOf(w, covering[from]!, indexOf, matching)));
    for (const [to, d] of deps) {
      if (to === from) continue;
      const dependsOn = typeof d.dependsOn === 'number' ? inventoryRef(w, d.dependsOn) : d.dependsOn;
      const bounded = d.bound ? { bound: d.bound, boundNames: d.boundNames === true } : {};
      edges.push({ from, to, maxMs: d.maxMs, dependsOn, ...bounded });
    }
  });
  return edges;
}

function inventoryRef(w: Workload, j: number): ConstraintRef {
  const d = w.dependsOn[j]!;
  return {
    id: `depends-on:${w.name}>${d.value}`,
    kind: 'depends-on',
    text: `${w.name} depends on ${d.value}`,
    span: d.span,
  };
}

/** A kind's dependencies, by target index, sorted; may include the workload itself (dropped by the caller). */
function dependenciesOf(
  w: Workload,
  covering: readonly Intent[],
  indexOf: (name: string) => number | undefined,
  matching: Matching,
) {
  const deps = new Map<number, Dependency>();
  const add = (to: number | undefined, dependsOn: number | ConstraintRef): void => {
    if (to !== undefined && !deps.has(to)) deps.set(to, { dependsOn, maxMs: Infinity });
  };
  w.dependsOn.forEach((d, j) => add(indexOf(d.value), j));
  for (const i of covering) {
    for (const p of i.dependsOn) {
      const ref: ConstraintRef = {
        id: `depends-on:${i.name}:${p.value}`,
        kind: 'depends-on',
        text: `intent "${i.name}": depends_on("${p.value}")`,
        span: p.span,
      };
      for (const to of matching(p.value)) add(to, ref);
    }
  }
  // Bounds with `to` first (they may add dependencies), then those without, which bound
  // every dependency: the order the constraints are written in does not matter.
  const latencies = covering.flatMap((i) => i.latency.map((l, k) => ({ i, l, k })));
  const ordered = [...latencies.filter((x) => x.l.to.length > 0), ...latencies.filter((x) => x.l.to.length === 0)];
  for (const { i, l, k } of ordered) {
    const ref = latencyRef(i, l, k);
    // No self-exclusion here: the kind is shared by workloads with different indices.
    for (const to of boundedBy(l, -1, () => deps.keys(), matching)) {
      add(to, ref);
      const d = deps.get(to)!;
      if (l.maxMs < d.maxMs) deps.set(to, { ...d, maxMs: l.maxMs, bound: ref, boundNames: l.to.length > 0 });
    }
  }
  return new Map([...deps].sort(([a], [b]) => a - b));
}

export function latencyRef(i: Intent, l: LatencyConstraint, k: number): ConstraintRef {
  const to = l.to.length ? ` to ${l.to.map((t) => t.value).join(', ')}` : '';
  return {
    id: `latency:${i.name}:${k}`,
    kind: 'latency',
    text: `intent "${i.name}": network_latency max ${l.maxMs} ms${to}`,
    span: l.span,
  };
}
