import { diagnostic, sortDiagnostics, type Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import { CLUSTER_CODES } from './codes.js';
import { selectorMatches } from '../label-selector.js';
import { clusterMesh } from '../mesh/cluster-mesh.js';
import { identify, labelsOf, type Identified } from './identify.js';
import { isObject } from './json.js';
import type { ClusterObjects, ClusterReading, ClusterWorkload, PodUse } from './model.js';
import { countNodes } from './nodes.js';
import { indexIntermediates, ownerOfPod } from './owners.js';
import { readPodFacts } from './pod-facts.js';
import { readWorkload, type WorkloadContext } from './read-workload.js';
import { KIND_RULES, ruleOf } from './workload-kinds.js';

/**
 * Everything one cluster says, read into values: its workloads (sized, with intent and
 * dependencies, or kept with a reason), its running and pending pods and whose they are,
 * and its nodes' room. Pure: the same objects give the same reading, whatever their order.
 */
export function readCluster(objects: ClusterObjects): ClusterReading {
  const out: Diagnostic[] = [];
  const { pods, bare } = readPods(objects, out);
  const meshOut: Diagnostic[] = [];
  const ctx: WorkloadContext = {
    region: objects.region,
    cluster: objects.cluster,
    podsOf: podCounter(pods),
    out,
    meshOut,
  };
  const lists = {
    Deployment: objects.deployments,
    CronJob: objects.cronJobs,
    StatefulSet: objects.statefulSets,
    DaemonSet: objects.daemonSets,
  } as const;
  const workloads: ClusterWorkload[] = [];
  for (const [kind, items] of Object.entries(lists) as [keyof typeof lists, readonly unknown[] | undefined][]) {
    (items ?? []).forEach((item, i) => {
      const id = identify(item, kind, i, objects.cluster, out);
      if (id) workloads.push(readWorkload(id, ruleOf(kind), ctx));
    });
  }
  for (const id of bare) workloads.push(readWorkload(id, ruleOf('Pod'), ctx));
  return {
    region: objects.region,
    cluster: objects.cluster,
    workloads: settleNameClashes(workloads.sort(byNameThenKind), out),
    pods: pods.sort((a, b) => compare(a.name, b.name)),
    nodes: countNodes(objects.nodes ?? [], objects.cluster, out),
    diagnostics: sortDiagnostics(out),
    mesh: clusterMesh(objects.cluster, objects.peerAuthentications ?? [], meshOut),
  };
}

/** Running and pending pods with their owners and requests; bare ones are also workloads. */
function readPods(objects: ClusterObjects, out: Diagnostic[]): { pods: PodUse[]; bare: Identified[] } {
  const intermediates = indexIntermediates(objects.replicaSets ?? [], objects.jobs ?? []);
  const facts = objects.podFacts ?? (objects.pods ?? []).map((item, i) => readPodFacts(item, i, objects.cluster));
  const pods: PodUse[] = [];
  const bare: Identified[] = [];
  for (const f of facts) {
    if (f.state === 'finished') continue;
    if (f.state === 'unnamed') {
      out.push(...f.diagnostics);
      continue;
    }
    const { namespace, name } = f.ref;
    const owner = ownerOfPod(f.controller, namespace ?? '', name, intermediates);
    if (f.bare && inScope(f.bare.object, namespace ?? '', objects.bareScope)) bare.push(f.bare);
    if (owner === undefined) out.push(...f.problems);
    pods.push({
      name: f.name,
      ...(owner ? { owner } : {}),
      ...(f.node ? { node: f.node } : {}),
      requests: f.requests,
    });
  }
  return { pods, bare };
}

function inScope(item: unknown, namespace: string, scope: ClusterObjects['bareScope']): boolean {
  if (!scope) return true;
  if (scope.namespaces.length > 0 && !scope.namespaces.includes(namespace)) return false;
  if (!scope.selector) return true;
  const labels = isObject(item) ? labelsOf(item) : undefined;
  return selectorMatches(scope.selector, labels ?? {});
}

function podCounter(pods: readonly PodUse[]): (kind: string, name: string) => number {
  // By kind, then name: no key to build for each of a cluster's pods.
  const counts = new Map<string, Map<string, number>>();
  for (const p of pods) {
    if (!p.owner) continue;
    let ofKind = counts.get(p.owner.kind);
    if (ofKind === undefined) counts.set(p.owner.kind, (ofKind = new Map<string, number>()));
    ofKind.set(p.owner.name, (ofKind.get(p.owner.name) ?? 0) + 1);
  }
  return (kind, name) => counts.get(kind)?.get(name) ?? 0;
}

/**
 * Two kinds with one namespace/name in one cluster (a Deployment and a StatefulSet both
 * `shop/web`) cannot both be the workload `shop/web`: each is kept, and reported at the later.
 * `sorted` is by name, so a clash is a run of neighbours.
 */
function settleNameClashes(sorted: ClusterWorkload[], out: Diagnostic[]): ClusterWorkload[] {
  let first = 0;
  return sorted.map((w, i) => {
    if (i > 0 && sorted[i - 1]?.name !== w.name) first = i;
    const head = sorted[first] as ClusterWorkload;
    const other = i === first ? sorted[i + 1] : head;
    if (other === undefined || other.name !== w.name) return w;
    if (i !== first) {
      out.push(
        diagnostic({
          code: CLUSTER_CODES.nameClash,
          message: `${w.kind} and ${head.kind} are both "${w.name}" in this cluster; neither is moved`,
          span: w.span,
          related: [{ message: `the ${head.kind}`, span: head.span }],
        }),
      );
    }
    const reason = `a ${other.kind} in the same cluster is also "${w.name}"`;
    return { ...w, kept: [...w.kept, { code: 'name-clash' as const, reason }] };
  });
}

const KIND_ORDER = new Map(KIND_RULES.map((r, i) => [r.kind, i]));

export function byNameThenKind(a: ClusterWorkload, b: ClusterWorkload): number {
  return compare(a.name, b.name) || (KIND_ORDER.get(a.kind) ?? 0) - (KIND_ORDER.get(b.kind) ?? 0);
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
