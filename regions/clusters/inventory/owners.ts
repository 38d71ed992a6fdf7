import { arrayAt, at, isObject, stringAt } from './json.js';
import type { WorkloadKind } from './model.js';

/** The controller of an object, from `metadata.ownerReferences` (the one with `controller: true`). */
export interface OwnerRef {
  readonly kind: string;
  readonly name: string;
}

export function controllerOf(item: unknown): OwnerRef | undefined {
  for (const ref of arrayAt(item, 'metadata', 'ownerReferences')) {
    const kind = stringAt(ref, 'kind');
    const name = stringAt(ref, 'name');
    if (at(ref, 'controller') === true && kind !== undefined && name !== undefined) return { kind, name };
  }
  return undefined;
}

/**
 * Of a ReplicaSet or Job, what indexIntermediates reads and nothing else: its namespace, name
 * and owner references, as they are (a field of the wrong type stays so, to read as absent).
 */
export function ownerFields(item: unknown): { metadata?: Record<string, unknown> } {
  const metadata = at(item, 'metadata');
  if (!isObject(metadata)) return {};
  const kept: Record<string, unknown> = {};
  for (const key of ['namespace', 'name', 'ownerReferences'])
    if (Object.prototype.hasOwnProperty.call(metadata, key)) kept[key] = metadata[key];
  return { metadata: kept };
}

/** The intermediate controllers, by `namespace/name`: ReplicaSets (of Deployments) and Jobs (of CronJobs). */
export interface Intermediates {
  readonly replicaSets: ReadonlyMap<string, OwnerRef | undefined>;
  readonly jobs: ReadonlyMap<string, OwnerRef | undefined>;
}

export function indexIntermediates(replicaSets: readonly unknown[], jobs: readonly unknown[]): Intermediates {
  const index = (items: readonly unknown[]) =>
    new Map(
      items.map((i) => [`${stringAt(i, 'metadata', 'namespace')}/${stringAt(i, 'metadata', 'name')}`, controllerOf(i)]),
    );
  return { replicaSets: index(replicaSets), jobs: index(jobs) };
}

/**
 * The workload a pod belongs to, from its `controller` (controllerOf), following controllers
 * as Kubernetes sets them: Pod → ReplicaSet → Deployment, Pod → Job → CronJob, Pod →
 * StatefulSet or DaemonSet; a pod with no controller is its own (a bare pod). A pod of
 * anything else (a ReplicaSet or Job of its own, an operator's resource, a Node for static
 * pods) belongs to no workload of ours: undefined, and its requests count as unaccounted.
 */
export function ownerOfPod(
  controller: OwnerRef | undefined,
  namespace: string,
  podName: string,
  intermediates: Intermediates,
): { kind: WorkloadKind; name: string } | undefined {
  const c = controller;
  if (c === undefined) return { kind: 'Pod', name: `${namespace}/${podName}` };
  const up = (kind: WorkloadKind, via: ReadonlyMap<string, OwnerRef | undefined>) => {
    const top = via.get(`${namespace}/${c.name}`);
    return top?.kind === kind ? { kind, name: `${namespace}/${top.name}` } : undefined;
  };
  if (c.kind === 'ReplicaSet') return up('Deployment', intermediates.replicaSets);
  if (c.kind === 'Job') return up('CronJob', intermediates.jobs);
  if (c.kind === 'StatefulSet' || c.kind === 'DaemonSet') return { kind: c.kind, name: `${namespace}/${c.name}` };
  return undefined;
}
