import type { ClusterReading } from './inventory/model.js';

/** One node of a region's cluster and the workloads whose pods are bound to it. */
export interface NodePlacement {
  readonly region: string;
  readonly node: string;
  /** `namespace/name` of each workload with a pod there, sorted. */
  readonly workloads: readonly string[];
}

/**
 * Which nodes each region's cluster has and what runs on them, as its reading says: the
 * scheduler takes an enforcer's verdicts for the region its node is in (never a guess), and
 * tells an enforcer which workloads it should measure on its node.
 */
export function nodePlacements(readings: readonly ClusterReading[]): NodePlacement[] {
  const out: NodePlacement[] = [];
  for (const r of readings) {
    const names = [...r.nodes.counted, ...r.nodes.excluded.map((e) => e.name)];
    const onNode = new Map<string, Set<string>>(names.map((n) => [n, new Set()]));
    for (const pod of r.pods) {
      if (!pod.node || !pod.owner) continue;
      let set = onNode.get(pod.node);
      if (!set) onNode.set(pod.node, (set = new Set()));
      set.add(pod.owner.name);
    }
    for (const [node, set] of onNode) out.push({ region: r.region, node, workloads: [...set].sort() });
  }
  return out.sort((a, b) => (a.region + '\0' + a.node < b.region + '\0' + b.node ? -1 : 1));
}
