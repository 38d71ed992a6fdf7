/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return --
   These tests read parsed JSON replies (typed any); the assertions are what check their shape. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from '../fakes/kube/fake-cluster.js';
import { call, configMap, WatchStream } from './client.js';

let cluster: FakeCluster;
beforeEach(async () => {
  cluster = await startFakeCluster({ controllerDelayMs: 60_000 });
});
afterEach(() => cluster.close());

const NAMESPACES = '/api/v1/namespaces';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const statuses = async (n: number, path = NAMESPACES): Promise<number[]> => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await call(cluster, 'GET', path)).status);
  return out;
};

describe('fault injection', () => {
  it('fails the next N requests with a 5xx Status, then serves normally', async () => {
    cluster.faults.fail(503, { times: 2 });
    const first = await call(cluster, 'GET', NAMESPACES);
    expect(first.json).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
    expect([first.status, ...(await statuses(2))]).toEqual([503, 503, 200]);
    expect(cluster.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('fails only requests under a path prefix', async () => {
    cluster.faults.fail(500, { pathPrefix: '/apis/apps' });
    expect((await call(cluster, 'GET', '/apis/apps/v1/namespaces/default/deployments')).json).toMatchObject({
      reason: 'InternalError',
      code: 500,
    });
    expect(await statuses(1)).toEqual([200]);
    cluster.faults.clear();
    expect((await call(cluster, 'GET', '/apis/apps/v1/namespaces/default/deployments')).status).toBe(200);
  });

  it('fails only requests with a given method, and leaves the others alone', async () => {
    cluster.faults.fail(500, { method: 'DELETE', times: 1 });
    expect(await statuses(1)).toEqual([200]);
    expect((await call(cluster, 'DELETE', `${NAMESPACES}/nothing-here`)).status).toBe(500);
    expect((await call(cluster, 'DELETE', `${NAMESPACES}/nothing-here`)).status).toBe(404);
  });

  it('throttles with 429 TooManyRequests and Retry-After', async () => {
    cluster.faults.throttle(7, { times: 1 });
    const r = await call(cluster, 'GET', NAMESPACES);
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('7');
    expect(r.json).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 7 } });
    expect(await statuses(1)).toEqual([200]);
  });

  it('slows responses down by the given delay', async () => {
    cluster.faults.slow(300, { times: 1 });
    const started = Date.now();
    expect(await statuses(1)).toEqual([200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const again = Date.now();
    await statuses(1);
    expect(Date.now() - again).toBeLessThan(250);
  });

  it('cuts a watch mid-stream after N events', async () => {
    cluster.faults.cutWatch(2, { times: 1 });
    const s = await WatchStream.open(cluster, `${CONFIGMAPS}?watch=true&resourceVersion=${cluster.resourceVersion}`);
    cluster.seed([configMap('a'), configMap('b'), configMap('c')]);
    await s.until((_e, ended) => ended);
    expect(s.events.map((e) => e.object.metadata.name)).toEqual(['a', 'b']);
    expect(cluster.openWatches).toBe(0);
    // The fault is used up: the next watch runs on.
    const next = await WatchStream.open(cluster, `${CONFIGMAPS}?watch=true&resourceVersion=0`);
    await next.until((e) => e.length >= 3);
    expect(next.ended).toBe(false);
    next.close();
  });

  it('goes down (connections refused, open watches dropped) and comes back on the same port with its state', async () => {
    cluster.seed([configMap('kept')]);
    const url = cluster.url;
    const s = await WatchStream.open(cluster, `${CONFIGMAPS}?watch=true&resourceVersion=${cluster.resourceVersion}`);
    await cluster.down();
    await s.until((_e, ended) => ended);
    await expect(call(cluster, 'GET', NAMESPACES)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await cluster.up();
    expect(cluster.url).toBe(url);
    expect((await call(cluster, 'GET', `${CONFIGMAPS}/kept`)).status).toBe(200);
  });

  it('a revoked token gets 401 even where faults would apply', async () => {
    cluster.faults.fail(500);
    cluster.revokeToken();
    expect(await statuses(1)).toEqual([401]);
  });
});
