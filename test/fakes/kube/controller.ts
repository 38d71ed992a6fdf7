// A Deployment controller and kubelet in one, so Deployments behave as in a cluster: `delayMs`
// after a Deployment changes, it has a ReplicaSet `<name>-<template hash>` (owned by it) and
// that ReplicaSet has `spec.replicas` pods (owned by the ReplicaSet, labelled with the template
// labels plus pod-template-hash), whose status follows the Deployment's behaviour (see
// pod-status.ts). ReplicaSets of older templates are scaled to 0 and lose their pods. The
// Deployment's status (replicas, updatedReplicas, readyReplicas, availableReplicas,
// observedGeneration, conditions Available and Progressing) is written from the pods.
//
// The behaviour of a Deployment is set with `setBehaviour`, or with the annotation
// `fake.kube/behaviour` on the Deployment; `setBehaviour` wins. In crash-loop, every pod
// crashes again (restartCount + 1) every `crashIntervalMs`. Deleted pods are replaced; deleting
// the Deployment leaves the rest to garbage collection (ownerReferences).

import { createHash } from 'node:crypto';
import { isRecord, kubeTime, meta, randomSuffix, stableJson, type KubeObject, type OwnerReference } from './objects.js';
import { BEHAVIOURS, isPodReady, podStatus, type Behaviour } from './pod-status.js';
import { RESOURCE_TYPES, type ResourceType } from './resource-types.js';
import type { Store, StoreEvent } from './store.js';

const typeOf = (kind: string): ResourceType => RESOURCE_TYPES.find((t) => t.kind === kind)!;
const DEPLOYMENT = typeOf('Deployment');
const REPLICA_SET = typeOf('ReplicaSet');
const POD = typeOf('Pod');
export const BEHAVIOUR_ANNOTATION = 'fake.kube/behaviour';

const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;
const record = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

function ownerRef(owner: KubeObject): OwnerReference {
  const m = meta(owner);
  return {
    apiVersion: String(owner.apiVersion),
    kind: String(owner.kind),
    name: m.name ?? '',
    uid: m.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Kubernetes names ReplicaSets by a hash of the pod template; any stable short hash will do. */
function templateHash(template: unknown): string {
  return createHash('sha256').update(stableJson(template)).digest('hex').slice(0, 10);
}

export interface ControllerOptions {
  delayMs: number;
  crashIntervalMs: number;
}

export class DeploymentController {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly unsubscribe: () => void;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly options: ControllerOptions,
  ) {
    this.unsubscribe = store.subscribe((e) => this.onEvent(e));
  }

  setBehaviour(namespace: string, name: string, behaviour: Behaviour): void {
    if (!BEHAVIOURS.includes(behaviour)) throw new RangeError(`unknown behaviour ${String(behaviour)}`);
    this.behaviours.set(keyOf(namespace, name), behaviour);
    this.schedule(namespace, name, this.options.delayMs);
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }

  private behaviourOf(d: KubeObject): Behaviour {
    const m = meta(d);
    const set = this.behaviours.get(keyOf(m.namespace ?? '', m.name ?? ''));
    const annotated = m.annotations?.[BEHAVIOUR_ANNOTATION] as Behaviour | undefined;
    return set ?? (annotated !== undefined && BEHAVIOURS.includes(annotated) ? annotated : 'normal');
  }

  private onEvent(e: StoreEvent): void {
    const m = meta(e.object);
    if (e.resource === DEPLOYMENT && e.type !== 'DELETED')
      this.schedule(m.namespace ?? '', m.name ?? '', this.options.delayMs);
    if (e.resource === DEPLOYMENT && e.type === 'DELETED')
      this.behaviours.delete(keyOf(m.namespace ?? '', m.name ?? ''));
    if ((e.resource === POD || e.resource === REPLICA_SET) && e.type === 'DELETED') this.scheduleOwnerOf(e.object);
  }

  /** A deleted pod or ReplicaSet: reconcile the Deployment above it, so it is replaced. */
  private scheduleOwnerOf(o: KubeObject): void {
    const namespace = meta(o).namespace ?? '';
    for (const ref of meta(o).ownerReferences ?? []) {
      if (ref.kind === 'Deployment') this.schedule(namespace, ref.name, this.options.delayMs);
      if (ref.kind !== 'ReplicaSet') continue;
      const rs = this.store.get(REPLICA_SET, namespace, ref.name);
      const owner = rs && (meta(rs).ownerReferences ?? []).find((r) => r.kind === 'Deployment');
      if (owner) this.schedule(namespace, owner.name, this.options.delayMs);
    }
  }

  private schedule(namespace: string, name: string, delayMs: number, crashed = false): void {
    const key = keyOf(namespace, name);
    if (this.stopped || (this.pending.has(key) && !crashed)) return;
    clearTimeout(this.pending.get(key));
    const timer = setTimeout(() => {
      this.pending.delete(key);
      this.reconcile(namespace, name, crashed);
    }, delayMs);
    timer.unref();
    this.pending.set(key, timer);
  }

  private reconcile(namespace: string, name: string, crashed: boolean): void {
    if (this.stopped) return;
    const d = this.store.get(DEPLOYMENT, namespace, name);
    if (d === undefined || meta(d).deletionTimestamp !== undefined) return;
    const behaviour = this.behaviourOf(d);
    const rs = this.ensureReplicaSet(d);
    this.retireOldReplicaSets(d, meta(rs).name ?? '');
    const pods = this.ensurePods(rs, behaviour, crashed);
    this.writeReplicaSetStatus(rs, pods);
    this.writeDeploymentStatus(d, rs, pods);
    if (behaviour === 'crash-loop') this.schedule(namespace, name, this.options.crashIntervalMs, true);
  }

  private ensureReplicaSet(d: KubeObject): KubeObject {
    const m = meta(d);
    const spec = record(d.spec);
    const template = record(spec.template);
    const hash = templateHash(template);
    const rsName = `${m.name ?? ''}-${hash}`;
    const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const labels = { ...record(record(template.metadata).labels), 'pod-template-hash': hash } as Record<string, string>;
    const existing = this.store.get(REPLICA_SET, m.namespace, rsName);
    if (existing !== undefined) {
      if (record(existing.spec).replicas === replicas) return existing;
      const scaled = this.store.update(
        REPLICA_SET,
        { ...existing, spec: { ...record(existing.spec), replicas } },
        'main',
      );
      return scaled.ok ? scaled.object : existing;
    }
    const created = this.store.create(REPLICA_SET, {
      metadata: {
        name: rsName,
        namespace: m.namespace,
        labels,
        ownerReferences: [ownerRef(d)],
        annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas) },
      },
      spec: {
        replicas,
        selector: { matchLabels: { ...record(record(spec.selector).matchLabels), 'pod-template-hash': hash } },
        template: { ...template, metadata: { ...record(template.metadata), labels } },
      },
    });
    if (!created.ok)
      throw new Error(`fake controller: cannot create ReplicaSet ${rsName}: ${JSON.stringify(created.error.body)}`);
    return created.object;
  }

  private retireOldReplicaSets(d: KubeObject, current: string): void {
    const m = meta(d);
    for (const old of this.store.owned(REPLICA_SET, m.namespace, m.uid).filter((rs) => meta(rs).name !== current)) {
      for (const pod of this.podsOf(old)) this.store.remove(POD, m.namespace, meta(pod).name ?? '');
      if (record(old.spec).replicas !== 0)
        this.store.update(REPLICA_SET, { ...old, spec: { ...record(old.spec), replicas: 0 } }, 'main');
      const status = { replicas: 0, observedGeneration: meta(old).generation };
      if (stableJson(old.status ?? {}) !== stableJson(status))
        this.store.update(
          REPLICA_SET,
          { ...this.store.get(REPLICA_SET, m.namespace, meta(old).name ?? '')!, status },
          'status',
        );
    }
  }

  private podsOf(rs: KubeObject): KubeObject[] {
    return this.store.owned(POD, meta(rs).namespace, meta(rs).uid);
  }

  private ensurePods(rs: KubeObject, behaviour: Behaviour, crashed: boolean): KubeObject[] {
    const m = meta(rs);
    const desired = Number(record(rs.spec).replicas ?? 0);
    let pods = this.podsOf(rs).filter((p) => meta(p).deletionTimestamp === undefined);
    for (const extra of pods.slice(desired)) this.store.remove(POD, m.namespace, meta(extra).name ?? '');
    pods = pods.slice(0, desired);
    while (pods.length < desired) pods.push(this.createPod(rs));
    return pods.map((p) => this.writePodStatus(p, behaviour, crashed));
  }

  private createPod(rs: KubeObject): KubeObject {
    const m = meta(rs);
    const template = record(record(rs.spec).template);
    const created = this.store.create(POD, {
      metadata: {
        ...record(template.metadata),
        name: `${m.name ?? ''}-${randomSuffix()}`,
        namespace: m.namespace,
        ownerReferences: [ownerRef(rs)],
      },
      spec: { ...record(template.spec), restartPolicy: 'Always', schedulerName: 'default-scheduler' },
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    });
    if (!created.ok) throw new Error(`fake controller: cannot create pod: ${JSON.stringify(created.error.body)}`);
    return created.object;
  }

  private writePodStatus(pod: KubeObject, behaviour: Behaviour, crashed: boolean): KubeObject {
    const { status, nodeName } = podStatus(pod, behaviour, crashed);
    const spec = { ...record(pod.spec) };
    if (nodeName === undefined) delete spec.nodeName;
    else spec.nodeName = nodeName;
    if (stableJson(status) === stableJson(pod.status) && stableJson(spec) === stableJson(pod.spec)) return pod;
    const result = this.store.update(POD, { ...pod, spec, status }, 'all');
    return result.ok ? result.object : pod;
  }

  private writeReplicaSetStatus(rs: KubeObject, pods: KubeObject[]): void {
    const ready = pods.filter(isPodReady).length;
    const status = omitZeros({
      replicas: pods.length,
      fullyLabeledReplicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: meta(rs).generation,
    });
    const current = this.store.get(REPLICA_SET, meta(rs).namespace, meta(rs).name ?? '');
    if (current !== undefined && stableJson(current.status ?? {}) !== stableJson(status))
      this.store.update(REPLICA_SET, { ...current, status }, 'status');
  }

  private writeDeploymentStatus(d: KubeObject, rs: KubeObject, pods: KubeObject[]): void {
    const current = this.store.get(DEPLOYMENT, meta(d).namespace, meta(d).name ?? '');
    if (current === undefined) return;
    const status = deploymentStatus(current, meta(rs).name ?? '', pods, this.allPods(current));
    if (stableJson(status) !== stableJson(current.status ?? {}))
      this.store.update(DEPLOYMENT, { ...current, status }, 'status');
  }

  private allPods(d: KubeObject): number {
    const m = meta(d);
    return this.store.owned(REPLICA_SET, m.namespace, m.uid).flatMap((rs) => this.podsOf(rs)).length;
  }
}

function omitZeros(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0 && v !== undefined));
}

/** maxUnavailable of a RollingUpdate strategy (default 25%, rounded down), as a pod count. */
function maxUnavailable(spec: Record<string, unknown>, desired: number): number {
  const value = record(record(spec.strategy).rollingUpdate).maxUnavailable ?? '25%';
  if (typeof value === 'number') return value;
  const percent = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  return percent ? Math.floor((desired * Number(percent[1])) / 100) : 0;
}

function deploymentStatus(
  d: KubeObject,
  rsName: string,
  pods: KubeObject[],
  totalPods: number,
): Record<string, unknown> {
  const spec = record(d.spec);
  const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const available = pods.filter(isPodReady).length;
  const isAvailable = available >= desired - maxUnavailable(spec, desired);
  const complete = pods.length === desired && available === desired && totalPods === desired;
  const previous = Array.isArray(record(d.status).conditions) ? (record(d.status).conditions as KubeObject[]) : [];
  const conditions = [
    isAvailable
      ? cond(previous, 'Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
      : cond(
          previous,
          'Available',
          'False',
          'MinimumReplicasUnavailable',
          'Deployment does not have minimum availability.',
        ),
    complete
      ? cond(
          previous,
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `ReplicaSet "${rsName}" has successfully progressed.`,
        )
      : cond(previous, 'Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`),
  ];
  return {
    ...omitZeros({
      replicas: totalPods,
      updatedReplicas: pods.length,
      readyReplicas: available,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, desired - available),
    }),
    observedGeneration: meta(d).generation,
    conditions,
  };
}

/** A condition, keeping the previous timestamps while its status and reason are unchanged. */
function cond(previous: KubeObject[], type: string, status: string, reason: string, message: string): KubeObject {
  const before = previous.find((c) => c.type === type);
  const now = kubeTime();
  const same = before?.status === status && before.reason === reason;
  return {
    type,
    status,
    lastUpdateTime: same ? before.lastUpdateTime : now,
    lastTransitionTime: before?.status === status ? before.lastTransitionTime : now,
    reason,
    message,
  };
}
