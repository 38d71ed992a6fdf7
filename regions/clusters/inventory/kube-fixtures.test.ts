// The package's index does not export its serializer; its file does (the package has no exports map).
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { describe, expect, it } from 'vitest';

/**
 * Objects as `kubectl get -o json` shows them, trimmed to what the inventory reads, for the
 * tests of this folder. Each builder takes what a test varies and fills in the rest the way
 * an API server would (uids, creation timestamps, status). A test file itself (so the build
 * leaves it out): its own test checks every builder against the Kubernetes models.
 */

type Json = Record<string, unknown>;

export interface ContainerInit {
  readonly name?: string;
  readonly requests?: Record<string, unknown>;
  readonly limits?: Record<string, unknown>;
  readonly restartPolicy?: 'Always';
}

export function container(c: ContainerInit = {}): Json {
  const resources: Json = {};
  if (c.requests) resources.requests = c.requests;
  if (c.limits) resources.limits = c.limits;
  return {
    name: c.name ?? 'app',
    image: 'registry.example.com/app:1.4.2',
    resources,
    ...(c.restartPolicy ? { restartPolicy: c.restartPolicy } : {}),
    terminationMessagePath: '/dev/termination-log',
    imagePullPolicy: 'IfNotPresent',
  };
}

export interface PodSpecInit {
  readonly containers?: readonly Json[];
  readonly initContainers?: readonly Json[];
  readonly overhead?: Record<string, unknown>;
}

export function podSpec(s: PodSpecInit = {}): Json {
  return {
    containers: s.containers ?? [container({ requests: { cpu: '500m', memory: '512Mi' } })],
    ...(s.initContainers ? { initContainers: s.initContainers } : {}),
    ...(s.overhead ? { overhead: s.overhead } : {}),
    restartPolicy: 'Always',
    dnsPolicy: 'ClusterFirst',
    schedulerName: 'default-scheduler',
  };
}

export interface MetaInit {
  readonly labels?: Record<string, unknown>;
  readonly annotations?: Record<string, unknown>;
  readonly owner?: { kind: string; name: string };
}

let uid = 0;

export function metadata(namespace: string | undefined, name: string, m: MetaInit = {}): Json {
  uid++;
  return {
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    uid: `4f6c1d2e-0000-4000-8000-${String(uid).padStart(12, '0')}`,
    resourceVersion: String(1000 + uid),
    creationTimestamp: '2026-11-30T08:00:00Z',
    labels: { app: name, ...m.labels },
    ...(m.annotations ? { annotations: m.annotations } : {}),
    ...(m.owner
      ? {
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: m.owner.kind,
              name: m.owner.name,
              uid: 'x',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        }
      : {}),
  };
}

export function deployment(ns: string, name: string, o: MetaInit & PodSpecInit & { replicas?: unknown } = {}): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(ns, name, o),
    spec: {
      ...(o.replicas !== undefined ? { replicas: o.replicas } : {}),
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: podSpec(o) },
    },
    status: { replicas: 1, readyReplicas: 1 },
  };
}

export function statefulSet(ns: string, name: string, o: MetaInit & PodSpecInit & { replicas?: unknown } = {}): Json {
  const d = deployment(ns, name, o);
  return { ...d, kind: 'StatefulSet', spec: { ...(d.spec as Json), serviceName: name } };
}

export function daemonSet(ns: string, name: string, o: MetaInit & PodSpecInit & { desired?: number } = {}): Json {
  const d = deployment(ns, name, o);
  const { replicas: _r, ...spec } = d.spec as Json;
  return {
    ...d,
    kind: 'DaemonSet',
    spec,
    status: o.desired !== undefined ? { desiredNumberScheduled: o.desired, numberReady: o.desired } : {},
  };
}

export function cronJob(
  ns: string,
  name: string,
  o: MetaInit & PodSpecInit & { parallelism?: unknown; completions?: number } = {},
): Json {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: metadata(ns, name, o),
    spec: {
      schedule: '0 3 * * *',
      concurrencyPolicy: 'Forbid',
      jobTemplate: {
        spec: {
          ...(o.parallelism !== undefined ? { parallelism: o.parallelism } : {}),
          ...(o.completions !== undefined ? { completions: o.completions } : {}),
          template: { spec: { ...podSpec(o), restartPolicy: 'OnFailure' } },
        },
      },
    },
  };
}

/** A controller between a workload and its pods: a ReplicaSet of a Deployment, a Job of a CronJob. */
export function owned(
  kind: 'ReplicaSet' | 'Job',
  ns: string,
  name: string,
  owner?: { kind: string; name: string },
): Json {
  return {
    apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1',
    kind,
    metadata: metadata(ns, name, owner ? { owner } : {}),
  };
}

export function pod(
  ns: string,
  name: string,
  o: MetaInit & PodSpecInit & { node?: string; phase?: string } = {},
): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: metadata(ns, name, o),
    spec: { ...podSpec(o), ...(o.node ? { nodeName: o.node } : {}) },
    status: { phase: o.phase ?? 'Running', qosClass: 'Burstable' },
  };
}

export interface NodeInit {
  readonly cpu?: unknown;
  readonly memory?: unknown;
  readonly ready?: boolean;
  readonly unschedulable?: boolean;
  readonly taints?: readonly Json[];
}

export function node(name: string, n: NodeInit = {}): Json {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: metadata(undefined, name, { labels: { 'kubernetes.io/hostname': name } }),
    spec: {
      ...(n.unschedulable ? { unschedulable: true } : {}),
      ...(n.taints ? { taints: n.taints } : {}),
    },
    status: {
      capacity: { cpu: '8', memory: '32884432Ki', pods: '110' },
      allocatable: {
        ...(n.cpu !== null ? { cpu: n.cpu ?? '7910m' } : {}),
        ...(n.memory !== null ? { memory: n.memory ?? '29700000Ki' } : {}),
        pods: '110',
      },
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
        { type: 'Ready', status: n.ready === false ? 'False' : 'True', reason: 'KubeletReady' },
      ],
    },
  };
}

describe('fixtures', () => {
  // The client's serializer keeps only the fields its model knows: a misspelt or invented field
  // would not survive the round trip, so the fixtures are objects an API server could send.
  // (Dates come back with milliseconds, and absent fields as undefined; JSON has neither.)
  const roundTrip = (o: Json, type: string): unknown => {
    const back: unknown = ObjectSerializer.serialize(ObjectSerializer.deserialize(o, type), type);
    return JSON.parse(JSON.stringify(back).replaceAll(':00.000Z"', ':00Z"'));
  };
  const requests = { requests: { cpu: '250m', memory: '64Mi' } };
  const sidecar = container({ name: 'mesh', ...requests, restartPolicy: 'Always' });
  const full = { replicas: 2, initContainers: [sidecar], overhead: { cpu: '10m' }, annotations: { a: 'b' } };
  const owner = { kind: 'ReplicaSet', name: 'web-1' };

  it.each([
    ['V1Deployment', deployment('shop', 'web', full)],
    ['V1StatefulSet', statefulSet('shop', 'db', full)],
    ['V1DaemonSet', daemonSet('shop', 'agent', { desired: 3 })],
    ['V1CronJob', cronJob('batch', 'nightly', { parallelism: 2, completions: 4 })],
    ['V1ReplicaSet', owned('ReplicaSet', 'shop', 'web-1', { kind: 'Deployment', name: 'web' })],
    ['V1Job', owned('Job', 'batch', 'nightly-1', { kind: 'CronJob', name: 'nightly' })],
    ['V1Pod', pod('shop', 'web-1-a', { node: 'n1', owner, containers: [container({ limits: { cpu: '1' } })] })],
    ['V1Node', node('n1', { unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] })],
  ])('%s is an object the Kubernetes model knows field for field', (type, o) => {
    expect(roundTrip(o, type)).toEqual(o);
  });
});
