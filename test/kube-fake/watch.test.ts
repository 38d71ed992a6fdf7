/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment --
   These tests read parsed JSON replies (typed any); the assertions are what check their shape. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from '../fakes/kube/fake-cluster.js';
import { call, configMap, WatchStream } from './client.js';

let cluster: FakeCluster;
const streams: WatchStream[] = [];
beforeEach(async () => {
  cluster = await startFakeCluster({ controllerDelayMs: 60_000, bookmarkIntervalMs: 0 });
});
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  await cluster.close();
});

const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
async function watch(query: string, path = CONFIGMAPS): Promise<WatchStream> {
  const s = await WatchStream.open(cluster, `${path}?${query}`);
  streams.push(s);
  return s;
}
const summary = (s: WatchStream): string[] => s.events.map((e) => `${e.type} ${e.object.metadata?.name ?? ''}`.trim());

describe('watch', () => {
  it('streams chunked JSON lines of ADDED, MODIFIED and DELETED after the given resourceVersion', async () => {
    cluster.seed([configMap('before')]);
    const rv = (await call(cluster, 'GET', CONFIGMAPS)).json.metadata.resourceVersion as string;
    const s = await watch(`watch=true&resourceVersion=${rv}`);
    expect(s.status).toBe(200);
    const created = (await call(cluster, 'POST', CONFIGMAPS, { body: configMap('x') })).json;
    await call(cluster, 'PUT', `${CONFIGMAPS}/x`, { body: { ...created, data: { k: 'v2' } } });
    await call(cluster, 'DELETE', `${CONFIGMAPS}/x`);
    await s.until((e) => e.length >= 3);
    expect(summary(s)).toEqual(['ADDED x', 'MODIFIED x', 'DELETED x']);
    expect(s.events[1]!.object.data).toEqual({ k: 'v2' });
    expect(Number(s.events[2]!.object.metadata.resourceVersion)).toBe(cluster.resourceVersion);
  });

  it('replays retained changes made between the list and the watch (watch=1 works too)', async () => {
    const rv = (await call(cluster, 'GET', CONFIGMAPS)).json.metadata.resourceVersion as string;
    cluster.seed([configMap('missed')]);
    const s = await watch(`watch=1&resourceVersion=${rv}`);
    await s.until((e) => e.length >= 1);
    expect(summary(s)).toEqual(['ADDED missed']);
  });

  it('starts with an ADDED event per existing object when no resourceVersion is given', async () => {
    cluster.seed([configMap('a'), configMap('b')]);
    const s = await watch('watch=true');
    await s.until((e) => e.length >= 2);
    expect(summary(s)).toEqual(['ADDED a', 'ADDED b']);
  });

  it('honours selectors: an object leaving the selection is DELETED for the watcher, one entering ADDED', async () => {
    const s = await watch(`watch=true&resourceVersion=${cluster.resourceVersion}&labelSelector=app%3Dweb`);
    const [other] = cluster.seed([configMap('m', { app: 'other' }), configMap('w', { app: 'web' })]);
    const moved = (
      await call(cluster, 'PUT', `${CONFIGMAPS}/m`, {
        body: { ...other, metadata: { ...other!.metadata, labels: { app: 'web' } } },
      })
    ).json;
    await call(cluster, 'PUT', `${CONFIGMAPS}/m`, {
      body: { ...moved, metadata: { ...moved.metadata, labels: { app: 'gone' } } },
    });
    await s.until((e) => e.length >= 3);
    expect(summary(s)).toEqual(['ADDED w', 'ADDED m', 'DELETED m']);
  });

  it('watches one object by fieldSelector=metadata.name, as kubectl delete and wait do', async () => {
    const s = await watch(`watch=true&resourceVersion=${cluster.resourceVersion}&fieldSelector=metadata.name%3Dtarget`);
    cluster.seed([configMap('other'), configMap('target')]);
    await s.until((e) => e.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(summary(s)).toEqual(['ADDED target']);
  });

  it('sends BOOKMARKs carrying only the resourceVersion when allowed and asked, and none otherwise', async () => {
    const withBookmarks = await watch(`watch=true&resourceVersion=${cluster.resourceVersion}&allowWatchBookmarks=true`);
    const without = await watch(`watch=true&resourceVersion=${cluster.resourceVersion}`);
    cluster.seed([configMap('a')]);
    await without.until((e) => e.length >= 1);
    cluster.bookmarkNow();
    await withBookmarks.until((e) => e.some((x) => x.type === 'BOOKMARK'));
    const bookmark = withBookmarks.events.find((e) => e.type === 'BOOKMARK')!;
    expect(bookmark.object).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(cluster.resourceVersion) },
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(without.events.map((e) => e.type)).toEqual(['ADDED']);
  });

  it('sends periodic BOOKMARKs at the configured interval', async () => {
    const periodic = await startFakeCluster({ bookmarkIntervalMs: 40 });
    try {
      const s = await WatchStream.open(
        periodic,
        `${CONFIGMAPS}?watch=true&resourceVersion=${periodic.resourceVersion}&allowWatchBookmarks=true`,
      );
      streams.push(s);
      await s.until((e) => e.filter((x) => x.type === 'BOOKMARK').length >= 2, 2000);
    } finally {
      await periodic.close();
    }
  });

  it('ends the stream cleanly after timeoutSeconds', async () => {
    const started = Date.now();
    const s = await watch(`watch=true&resourceVersion=${cluster.resourceVersion}&timeoutSeconds=1`);
    await s.until((_e, ended) => ended, 3000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(s.aborted).toBe(false);
    expect(cluster.openWatches).toBe(0);
  });

  it('answers a resourceVersion older than the retained window with an ERROR event carrying 410 Expired', async () => {
    const rv = cluster.resourceVersion;
    cluster.seed([configMap('a')]);
    cluster.compact();
    const s = await watch(`watch=true&resourceVersion=${rv}`);
    await s.until((_e, ended) => ended);
    expect(s.events).toHaveLength(1);
    expect(s.events[0]!.type).toBe('ERROR');
    expect(s.events[0]!.object).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    expect(s.events[0]!.object.message).toMatch(/^too old resource version: \d+/);
    // The current resourceVersion is still watchable.
    const fresh = await watch(`watch=true&resourceVersion=${cluster.resourceVersion}`);
    cluster.seed([configMap('b')]);
    await fresh.until((e) => e.length >= 1);
  });

  it('drops events beyond maxRetainedEvents, so a watch from before them gets 410', async () => {
    const small = await startFakeCluster({ maxRetainedEvents: 3 });
    try {
      const rv = small.resourceVersion;
      small.seed([configMap('a'), configMap('b'), configMap('c'), configMap('d')]);
      const s = await WatchStream.open(small, `${CONFIGMAPS}?watch=true&resourceVersion=${rv}`);
      await s.until((_e, ended) => ended);
      expect(s.events[0]!.object.code).toBe(410);
      const recent = await WatchStream.open(small, `${CONFIGMAPS}?watch=true&resourceVersion=${rv + 2}`);
      streams.push(recent);
      await recent.until((e) => e.length >= 2);
      expect(summary(recent)).toEqual(['ADDED c', 'ADDED d']);
    } finally {
      await small.close();
    }
  });

  it('answers 400 to a watch with a bad selector', async () => {
    const r = await call(cluster, 'GET', `${CONFIGMAPS}?watch=true&labelSelector=${encodeURIComponent('a in b')}`);
    expect(r.status).toBe(400);
  });
});
