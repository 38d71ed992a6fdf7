/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment --
   These tests read parsed JSON replies (typed any); the assertions are what check their shape. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster, type StoredObject } from '../fakes/kube/fake-cluster.js';
import { call, deployment, eventually } from './client.js';

let cluster: FakeCluster;
beforeEach(async () => {
  cluster = await startFakeCluster({ controllerDelayMs: 20, crashIntervalMs: 50 });
});
afterEach(() => cluster.close());

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
interface Condition {
  type: string;
  status: string;
  reason?: string;
}
const statusOf = (name: string): Record<string, unknown> =>
  (cluster.get('Deployment', 'default', name)?.status ?? {}) as Record<string, unknown>;
const condition = (name: string, type: string): Condition | undefined =>
  ((statusOf(name).conditions ?? []) as Condition[]).find((c) => c.type === type);
const podsOf = (app: string): StoredObject[] =>
  cluster.list('Pod', 'default').filter((p) => p.metadata.labels?.app === app);
const until = (check: () => boolean, timeoutMs = 3000): Promise<true> =>
  eventually(() => (check() ? true : undefined), timeoutMs);

describe('Deployment controller', () => {
  it('creates a ReplicaSet and pods owned down the chain, labelled from the template, and a full status', async () => {
    const created = (await call(cluster, 'POST', DEPLOYMENTS, { body: deployment('web', { replicas: 3 }) })).json;
    await until(() => statusOf('web').availableReplicas === 3);
    const [rs, ...otherRs] = cluster.list('ReplicaSet', 'default');
    expect(otherRs).toEqual([]);
    expect(rs!.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Deployment', name: 'web', uid: created.metadata.uid, controller: true }),
    ]);
    const pods = podsOf('web');
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', uid: rs!.metadata.uid });
      expect(pod.metadata.labels?.['pod-template-hash']).toBe(rs!.metadata.labels?.['pod-template-hash']);
      expect(pod.status).toMatchObject({ phase: 'Running' });
    }
    expect(statusOf('web')).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      observedGeneration: 1,
    });
    expect(condition('web', 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(condition('web', 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
  });

  it('follows scaling up and down, and replaces a deleted pod', async () => {
    cluster.seed([deployment('web', { replicas: 2 })]);
    await until(() => podsOf('web').length === 2);
    const scale = (await call(cluster, 'GET', `${DEPLOYMENTS}/web/scale`)).json;
    await call(cluster, 'PUT', `${DEPLOYMENTS}/web/scale`, { body: { ...scale, spec: { replicas: 4 } } });
    await until(() => podsOf('web').length === 4 && statusOf('web').readyReplicas === 4);
    expect(statusOf('web').observedGeneration).toBe(2);
    const scale2 = (await call(cluster, 'GET', `${DEPLOYMENTS}/web/scale`)).json;
    await call(cluster, 'PUT', `${DEPLOYMENTS}/web/scale`, { body: { ...scale2, spec: { replicas: 1 } } });
    await until(() => podsOf('web').length === 1 && statusOf('web').replicas === 1);
    const [survivor] = podsOf('web');
    await call(cluster, 'DELETE', `/api/v1/namespaces/default/pods/${survivor!.metadata.name}`);
    await until(() => podsOf('web').length === 1 && podsOf('web')[0]!.metadata.name !== survivor!.metadata.name);
  });

  it('rolls a new template out to a new ReplicaSet and scales the old one to 0', async () => {
    const [d] = cluster.seed([deployment('web', { replicas: 2, image: 'v1' })]);
    await until(() => statusOf('web').availableReplicas === 2);
    const current = cluster.get('Deployment', 'default', 'web')!;
    const next = structuredClone(current) as ReturnType<typeof deployment> & StoredObject;
    next.spec.template.spec.containers[0]!.image = 'v2';
    expect((await call(cluster, 'PUT', `${DEPLOYMENTS}/web`, { body: next })).status).toBe(200);
    await until(
      () =>
        podsOf('web').length === 2 &&
        podsOf('web').every((p) => JSON.stringify(p.spec).includes('"v2"')) &&
        statusOf('web').updatedReplicas === 2,
    );
    const replicaSets = cluster.list('ReplicaSet', 'default');
    expect(replicaSets).toHaveLength(2);
    expect(replicaSets.map((rs) => (rs.spec as { replicas: number }).replicas).sort()).toEqual([0, 2]);
    expect(d!.metadata.uid).toBe(current.metadata.uid);
  });

  it('never-ready: pods Running but not Ready, Available False', async () => {
    cluster.seed([deployment('web', { replicas: 2 })]);
    cluster.setBehaviour('default', 'web', 'never-ready');
    await until(() => podsOf('web').length === 2 && condition('web', 'Available')?.status === 'False');
    expect(condition('web', 'Available')?.reason).toBe('MinimumReplicasUnavailable');
    for (const pod of podsOf('web')) {
      expect((pod.status as { phase: string }).phase).toBe('Running');
      expect((pod.status as { conditions: Condition[] }).conditions.find((c) => c.type === 'Ready')?.status).toBe(
        'False',
      );
    }
    expect(statusOf('web').readyReplicas).toBeUndefined();
  });

  it('crash-loop: containers wait in CrashLoopBackOff and restartCount keeps growing', async () => {
    cluster.seed([deployment('web')]);
    cluster.setBehaviour('default', 'web', 'crash-loop');
    const restarts = (): number => {
      const statuses =
        (podsOf('web')[0]?.status as { containerStatuses?: { restartCount: number; state: unknown }[] } | undefined)
          ?.containerStatuses ?? [];
      return statuses[0]?.restartCount ?? 0;
    };
    await until(() => restarts() >= 3);
    const cs = (podsOf('web')[0]!.status as { containerStatuses: { state: unknown; ready: boolean }[] })
      .containerStatuses[0]!;
    expect(cs.state).toMatchObject({ waiting: { reason: 'CrashLoopBackOff' } });
    expect(cs.ready).toBe(false);
    expect(condition('web', 'Available')?.status).toBe('False');
  });

  it('no-capacity: pods Pending and Unschedulable, on no node', async () => {
    cluster.seed([deployment('web', { replicas: 2 })]);
    cluster.setBehaviour('default', 'web', 'no-capacity');
    await until(
      () =>
        podsOf('web').length === 2 && podsOf('web').every((p) => (p.status as { phase: string }).phase === 'Pending'),
    );
    const pod = podsOf('web')[0]!;
    expect((pod.status as { conditions: Condition[] }).conditions).toEqual([
      expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }),
    ]);
    expect(pod.spec).not.toHaveProperty('nodeName');
    expect(condition('web', 'Available')?.status).toBe('False');
    const pending = await call(cluster, 'GET', '/api/v1/namespaces/default/pods?fieldSelector=status.phase%3DPending');
    expect(pending.json.items).toHaveLength(2);
  });

  it('a behaviour can be set by annotation, and recovers when set back to normal', async () => {
    const d = deployment('web');
    Object.assign(d.metadata, { annotations: { 'fake.kube/behaviour': 'never-ready' } });
    cluster.seed([d]);
    await until(() => condition('web', 'Available')?.status === 'False');
    cluster.setBehaviour('default', 'web', 'normal');
    await until(() => condition('web', 'Available')?.status === 'True');
  });

  it('deleting the Deployment removes its ReplicaSets and pods', async () => {
    cluster.seed([deployment('web', { replicas: 2 })]);
    await until(() => podsOf('web').length === 2);
    await call(cluster, 'DELETE', `${DEPLOYMENTS}/web`);
    await until(
      () => cluster.list('Pod', 'default').length === 0 && cluster.list('ReplicaSet', 'default').length === 0,
    );
  });

  it('follows a spec change only after the configured delay', async () => {
    const slow = await startFakeCluster({ controllerDelayMs: 400 });
    try {
      slow.seed([deployment('web')]);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(slow.list('Pod', 'default')).toEqual([]);
      await eventually(() => (slow.list('Pod', 'default').length === 1 ? true : undefined));
    } finally {
      await slow.close();
    }
  });
});
