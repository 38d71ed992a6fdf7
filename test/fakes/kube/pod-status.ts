// The status a fake kubelet reports for a Deployment's pod, per behaviour:
//   normal       Running and Ready
//   never-ready  Running, containers started but never Ready (Available stays False)
//   crash-loop   Running, containers waiting in CrashLoopBackOff; restartCount grows per crash
//   no-capacity  Pending: PodScheduled False, reason Unschedulable (no node, no containers)

import { createHash } from 'node:crypto';
import { isRecord, meta, type KubeObject } from './objects.js';

export type Behaviour = 'normal' | 'never-ready' | 'crash-loop' | 'no-capacity';
export const BEHAVIOURS: readonly Behaviour[] = ['normal', 'never-ready', 'crash-loop', 'no-capacity'];

export const FAKE_NODE = 'fake-node-1';

const condition = (type: string, ok: boolean, at: string, reason?: string, message?: string): KubeObject => ({
  type,
  status: ok ? 'True' : 'False',
  lastProbeTime: null,
  lastTransitionTime: at,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});

/** A stable pod IP in 10.244.0.0/16 derived from the pod's uid. */
function podIp(pod: KubeObject): string {
  const h = createHash('sha256')
    .update(meta(pod).uid ?? '')
    .digest();
  return `10.244.${h[0]!}.${(h[1]! % 253) + 1}`;
}

function containerNames(pod: KubeObject): { name: string; image: string }[] {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const containers = Array.isArray(spec.containers) ? spec.containers.filter(isRecord) : [];
  return containers.map((c) => ({ name: String(c.name), image: String(c.image) }));
}

function restartsOf(pod: KubeObject, name: string): number {
  const status = isRecord(pod.status) ? pod.status : {};
  const statuses = Array.isArray(status.containerStatuses) ? status.containerStatuses.filter(isRecord) : [];
  const found = statuses.find((s) => s.name === name);
  return typeof found?.restartCount === 'number' ? found.restartCount : 0;
}

function containerStatus(
  pod: KubeObject,
  c: { name: string; image: string },
  behaviour: Behaviour,
  at: string,
  crashed: boolean,
): KubeObject {
  const base = {
    name: c.name,
    image: c.image,
    imageID: `docker.io/library/${c.image}@sha256:fake`,
    containerID: `containerd://${c.name}`,
  };
  if (behaviour === 'crash-loop') {
    return {
      ...base,
      ready: false,
      started: false,
      restartCount: restartsOf(pod, c.name) + (crashed ? 1 : 0),
      state: {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off 10s restarting failed container=${c.name} pod=${meta(pod).name ?? ''}`,
        },
      },
      lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: at, finishedAt: at } },
    };
  }
  return {
    ...base,
    ready: behaviour === 'normal',
    started: true,
    restartCount: 0,
    state: { running: { startedAt: at } },
  };
}

/** The pod's status (and nodeName) under `behaviour`; `crashed` counts one more crash. */
export function podStatus(
  pod: KubeObject,
  behaviour: Behaviour,
  crashed = false,
): { status: KubeObject; nodeName?: string } {
  const at = meta(pod).creationTimestamp ?? '';
  if (behaviour === 'no-capacity') {
    const message =
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.';
    return {
      status: {
        phase: 'Pending',
        qosClass: 'BestEffort',
        conditions: [condition('PodScheduled', false, at, 'Unschedulable', message)],
      },
    };
  }
  const ready = behaviour === 'normal';
  const notReady = ready ? undefined : 'ContainersNotReady';
  const names = containerNames(pod).map((c) => c.name);
  const notReadyMessage = ready ? undefined : `containers with unready status: [${names.join(' ')}]`;
  return {
    nodeName: FAKE_NODE,
    status: {
      phase: 'Running',
      conditions: [
        condition('PodReadyToStartContainers', true, at),
        condition('Initialized', true, at),
        condition('Ready', ready, at, notReady, notReadyMessage),
        condition('ContainersReady', ready, at, notReady, notReadyMessage),
        condition('PodScheduled', true, at),
      ],
      hostIP: '10.0.0.1',
      hostIPs: [{ ip: '10.0.0.1' }],
      podIP: podIp(pod),
      podIPs: [{ ip: podIp(pod) }],
      startTime: at,
      qosClass: 'BestEffort',
      containerStatuses: containerNames(pod).map((c) => containerStatus(pod, c, behaviour, at, crashed)),
    },
  };
}

export function isPodReady(pod: KubeObject): boolean {
  const status = isRecord(pod.status) ? pod.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}
