/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call --
   These tests read parsed JSON replies (typed any); the assertions are what check their shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from '../fakes/kube/fake-cluster.js';
import { call, configMap } from './client.js';

let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await startFakeCluster({ controllerDelayMs: 60_000 });
  cluster.seed([
    configMap('a', { app: 'web', tier: 'front' }),
    configMap('b', { app: 'web', tier: 'back' }),
    configMap('c', { app: 'db' }),
    configMap('d', {}),
    configMap('e', { app: 'web' }, 'kube-system'),
  ]);
});
afterAll(() => cluster.close());

const names = (r: { json: { items: { metadata: { name: string } }[] } }): string[] =>
  r.json.items.map((i) => i.metadata.name);
const select = async (query: string, path = '/api/v1/namespaces/default/configmaps'): Promise<string[]> => {
  const r = await call(cluster, 'GET', `${path}?${query}`);
  expect(r.status, `${query}: ${r.text}`).toBe(200);
  return names(r);
};

describe('label selectors', () => {
  it.each([
    ['app=web', ['a', 'b']],
    ['app==web', ['a', 'b']],
    ['app!=web', ['c', 'd']],
    ['app in (web,db)', ['a', 'b', 'c']],
    ['app notin (web)', ['c', 'd']],
    ['tier', ['a', 'b']],
    ['!tier', ['c', 'd']],
    ['app=web,tier=back', ['b']],
    ['app in (web), !tier', []],
    ['', ['a', 'b', 'c', 'd']],
  ])('%s', async (selector, expected) => {
    expect(await select(`labelSelector=${encodeURIComponent(selector)}`)).toEqual(expected);
  });

  it('answers 400 BadRequest to a selector it cannot parse', async () => {
    const r = await call(
      cluster,
      'GET',
      `/api/v1/namespaces/default/configmaps?labelSelector=${encodeURIComponent('app in web')}`,
    );
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
  });
});

describe('field selectors', () => {
  it('select by metadata.name and metadata.namespace, with = and !=', async () => {
    expect(await select('fieldSelector=metadata.name%3Db')).toEqual(['b']);
    expect(await select('fieldSelector=metadata.name!%3Db')).toEqual(['a', 'c', 'd']);
    expect(await select('fieldSelector=metadata.namespace%3Dkube-system', '/api/v1/configmaps')).toEqual(['e']);
  });

  it('select pods by spec.nodeName and status.phase, and refuse fields the type does not index', async () => {
    const pod = (name: string, node: string, phase: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'i' }] },
      status: { phase },
    });
    cluster.seed([pod('p1', 'n1', 'Running'), pod('p2', 'n2', 'Pending'), pod('p3', 'n1', 'Pending')]);
    const pods = '/api/v1/namespaces/default/pods';
    expect(await select('fieldSelector=spec.nodeName%3Dn1', pods)).toEqual(['p1', 'p3']);
    expect(await select('fieldSelector=status.phase%3DPending,spec.nodeName%3Dn1', pods)).toEqual(['p3']);
    const r = await call(cluster, 'GET', '/api/v1/namespaces/default/configmaps?fieldSelector=status.phase%3DRunning');
    expect(r.status).toBe(400);
    expect(r.json.message).toBe('field label not supported: status.phase');
  });
});

describe('cluster-wide lists and paging', () => {
  it('lists a namespaced type across namespaces, with the list resourceVersion', async () => {
    const r = await call(cluster, 'GET', '/api/v1/configmaps?labelSelector=app%3Dweb');
    expect(
      r.json.items.map(
        (i: { metadata: { namespace: string; name: string } }) => `${i.metadata.namespace}/${i.metadata.name}`,
      ),
    ).toEqual(['default/a', 'default/b', 'kube-system/e']);
    expect(r.json.metadata.resourceVersion).toBe(String(cluster.resourceVersion));
  });

  it('pages with limit and continue tokens, each page consistent with the first', async () => {
    const first = await call(cluster, 'GET', '/api/v1/configmaps?limit=2');
    expect(names(first)).toEqual(['a', 'b']);
    expect(first.json.metadata.remainingItemCount).toBe(3);
    const token = first.json.metadata.continue as string;
    expect(token).toBeTruthy();
    const second = await call(cluster, 'GET', `/api/v1/configmaps?limit=2&continue=${encodeURIComponent(token)}`);
    expect(names(second)).toEqual(['c', 'd']);
    expect(second.json.metadata.resourceVersion).toBe(first.json.metadata.resourceVersion);
    const third = await call(
      cluster,
      'GET',
      `/api/v1/configmaps?limit=2&continue=${encodeURIComponent(second.json.metadata.continue as string)}`,
    );
    expect(names(third)).toEqual(['e']);
    expect(third.json.metadata.continue).toBeUndefined();
  });

  it('answers 400 to a forged continue token and 410 Expired to one from before compaction', async () => {
    expect((await call(cluster, 'GET', '/api/v1/configmaps?limit=1&continue=garbage')).status).toBe(400);
    const first = await call(cluster, 'GET', '/api/v1/configmaps?limit=1');
    cluster.seed([configMap('f')]);
    cluster.compact();
    const r = await call(
      cluster,
      'GET',
      `/api/v1/configmaps?limit=1&continue=${encodeURIComponent(first.json.metadata.continue as string)}`,
    );
    expect(r.status).toBe(410);
    expect(r.json).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
  });
});
