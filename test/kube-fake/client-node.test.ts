// The fake through @kubernetes/client-node 1.4, the library shisa's cluster client is built on:
// TLS with the fake's CA, the token, typed reads, ApiException on errors, server-side apply
// under application/apply-patch+yaml with a JSON body, and Watch.

import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type V1Deployment,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigText, startFakeCluster, type FakeCluster } from '../fakes/kube/fake-cluster.js';
import { deployment, eventually } from './client.js';

let cluster: FakeCluster;
let config: KubeConfig;
beforeAll(async () => {
  cluster = await startFakeCluster({ controllerDelayMs: 20 });
  config = new KubeConfig();
  config.loadFromString(kubeconfigText([{ context: 'fake', cluster }]));
});
afterAll(() => cluster.close());

describe('@kubernetes/client-node against the fake', () => {
  it('lists, reads, and gets ApiException 404 with the Status body', async () => {
    cluster.seed([deployment('web', { replicas: 2 })]);
    const seeded = cluster.resourceVersion;
    const apps = config.makeApiClient(AppsV1Api);
    const list = await apps.listNamespacedDeployment({ namespace: 'default' });
    expect(list.items.map((d) => d.metadata?.name)).toEqual(['web']);
    // The list is as of some moment after the seed; the controller may have written since.
    const listed = Number(list.metadata?.resourceVersion);
    expect(listed).toBeGreaterThanOrEqual(seeded);
    expect(listed).toBeLessThanOrEqual(cluster.resourceVersion);
    const read = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
    expect(read.spec?.replicas).toBe(2);
    const missing = await apps
      .readNamespacedDeployment({ name: 'nope', namespace: 'default' })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiException);
    expect((missing as ApiException<string>).code).toBe(404);
    expect(JSON.parse((missing as ApiException<string>).body) as unknown).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
    });
  });

  it('applies server-side with a JSON body under apply-patch+yaml, creating then updating', async () => {
    const apps = config.makeApiClient(AppsV1Api);
    const body = deployment('ssa', { replicas: 1 }) as V1Deployment;
    const options = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
    const created = await apps.patchNamespacedDeployment(
      { name: 'ssa', namespace: 'default', body, fieldManager: 'shisa', force: true },
      options,
    );
    expect(created.metadata?.uid).toBeTruthy();
    const scaled = deployment('ssa', { replicas: 3 }) as V1Deployment;
    const updated = await apps.patchNamespacedDeployment(
      { name: 'ssa', namespace: 'default', body: scaled, fieldManager: 'shisa', force: true },
      options,
    );
    expect(updated.spec?.replicas).toBe(3);
    expect(updated.metadata?.managedFields?.map((f) => f.manager)).toContain('shisa');
  });

  it('watches pods appear as the controller makes them', async () => {
    const seen: string[] = [];
    const core = config.makeApiClient(CoreV1Api);
    const rv = (await core.listNamespacedPod({ namespace: 'default' })).metadata?.resourceVersion;
    const request = await new Watch(config).watch(
      '/api/v1/namespaces/default/pods',
      { resourceVersion: rv, labelSelector: 'app=watched' },
      (type: string, obj: { metadata?: { name?: string } }) => seen.push(`${type} ${obj.metadata?.name ?? ''}`),
      () => undefined,
    );
    try {
      cluster.seed([deployment('watched', { replicas: 2 })]);
      await eventually(() => (seen.filter((s) => s.startsWith('ADDED watched-')).length === 2 ? true : undefined));
    } finally {
      request.abort();
    }
  });

  it('gets 401 with a wrong token', async () => {
    const bad = new KubeConfig();
    bad.loadFromString(kubeconfigText([{ context: 'bad', cluster, token: 'wrong' }]));
    const err = await bad
      .makeApiClient(CoreV1Api)
      .listNamespace()
      .catch((e: unknown) => e);
    expect((err as ApiException<unknown>).code).toBe(401);
  });
});
