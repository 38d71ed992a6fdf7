/**
 * The HTTP API on a real server on 127.0.0.1 over the real embedded store and verdict board:
 * every route without a token, with the wrong one, with the wrong scope; malformed, invalid
 * and 10 MB bodies; unknown routes and methods; what the read routes return; verdicts
 * recorded; and a store that has gone away, answered as a JSON error with its code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordRun, type RunRecord } from '../../db/record-run.js';
import { openStore, type Store } from '../../db/store.js';
import { startApiServer, type ApiServer } from '../../scheduler/api/server.js';
import { ServiceMetrics } from '../../scheduler/api/metrics.js';
import type { ServicePort } from '../../scheduler/api/service-port.js';
import { ROUTES } from '../../scheduler/api/routes.js';
import { Secret } from '../../scheduler/config/secret.js';
import { VerdictBoard } from '../../scheduler/gate/verdict-board.js';

const READ = 'read-token-3f9a';
const WRITE = 'write-token-77c1';
const AT = new Date('2026-12-03T12:00:00Z');

let store: Store;
let server: ApiServer;
let ready: string | undefined;
const board = new VerdictBoard((node) => (node.startsWith('osaka-') ? 'region-osaka-01' : undefined));

const RUN: RunRecord = {
  trigger: 'cron',
  startedAt: AT,
  finishedAt: AT,
  fleet: 'fleet.yaml',
  carbonSource: 'static',
  carbon: { fresh: 2, zones: 2, notFresh: [] },
  emissionsBefore: 10,
  emissionsAfter: 4,
  lowerBound: 4,
  gap: 0,
  verdict: 'proven',
  status: 'planned',
  timings: {},
  moves: [{ workload: 'batch/etl', from: 'region-osaka-01', to: 'region-finland-01', savingGPerH: 6 }],
  order: [[{ workload: 'batch/etl', from: 'region-osaka-01', to: 'region-finland-01' }]],
  inputs: { files: [], carbon: '0'.repeat(64) },
  audited: new Map(),
  kept: [{ workload: 'batch/report', region: 'region-osaka-01', reason: 'cooldown', detail: 'moved 2 h ago' }],
  readings: [{ zone: 'FI', datetime: AT, intensity: 40, estimated: false, source: 'static' }],
  exceptions: [{ kind: 'stale-feed', concerns: 'JP-TK', detail: { zone: 'JP-TK', status: 'stale' } }],
};

/**
 * What the routes ask of the running service, answered as it answers (the service itself, over
 * fake clusters, is test/serve/serve.e2e.test.ts's): a run starts once, then one is going.
 */
const triggered: string[] = [];
const service: ServicePort = {
  trigger: () => {
    triggered.push('run');
    return triggered.length === 1
      ? { started: true }
      : { started: false, code: 'RUN_IN_PROGRESS', message: 'a run is still going' };
  },
  preview: () => Promise.resolve({ plan: { outcome: 'proven', recorded: false } }),
  node: (name) =>
    name === 'osaka-1'
      ? { node: name, region: 'region-osaka-01', workloads: [] }
      : `node "${name}" is in no region's cluster as last read`,
};

beforeAll(async () => {
  store = await openStore({ kind: 'pglite' });
  await recordRun(store, RUN);
  server = await startApiServer(
    {
      store,
      board,
      now: Date.now,
      notReady: () => Promise.resolve(ready),
      metrics: new ServiceMetrics(
        store,
        () => ['region-osaka-01', 'region-finland-01'],
        () => AT.getTime() + 90_000,
      ),
      service,
    },
    {
      host: '127.0.0.1',
      port: 0,
      tokens: { read: [new Secret(READ, 'SHISA_API_READ_TOKEN')], write: [new Secret(WRITE, 'SHISA_API_WRITE_TOKEN')] },
    },
  );
}, 120_000);
afterAll(async () => {
  await server?.close();
  await store?.close();
});

async function call(method: string, path: string, o: { token?: string; body?: string; type?: string } = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      ...(o.body !== undefined ? { 'content-type': o.type ?? 'application/json' } : {}),
    },
    ...(o.body !== undefined ? { body: o.body } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: (res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : {}) as Record<
      string,
      unknown
    >,
    text,
  };
}

const verdicts = (node: string, state = 'holds') =>
  JSON.stringify({
    node,
    changes: [
      {
        at: AT.toISOString(),
        from: 'unknown',
        verdict: { key: 'batch/etl>db@batch#0', workload: 'batch/etl', state, reason: 'p99 12 ms', maxMs: 50 },
      },
    ],
  });

const concrete = (path: string) => path.replace('{id}', '1').replace('{node}', 'osaka-1');

describe('the API', () => {
  it('answers the probes without a token; /readyz says why it is not ready', async () => {
    expect(await call('GET', '/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await call('GET', '/readyz')).toMatchObject({ status: 200, json: { status: 'ready' } });
    ready = 'no configuration is loaded yet';
    expect(await call('GET', '/readyz')).toMatchObject({
      status: 503,
      json: { error: { code: 'NOT_READY', message: 'no configuration is loaded yet' } },
    });
    ready = undefined;
  });

  it.each(ROUTES.filter((r) => r.scope !== 'none').map((r) => [r.method, r.path, r.scope] as const))(
    '%s %s: 401 without a token or with a wrong one, 403 with too small a scope',
    async (method, path, scope) => {
      const body = method === 'POST' ? verdicts('osaka-1') : undefined;
      const missing = await call(method, concrete(path), { ...(body ? { body } : {}) });
      expect(missing).toMatchObject({ status: 401, json: { error: { code: 'AUTH_MISSING' } } });
      const wrong = await call(method, concrete(path), { token: 'not-a-token', ...(body ? { body } : {}) });
      expect(wrong).toMatchObject({ status: 401, json: { error: { code: 'AUTH_INVALID' } } });
      expect(wrong.text).not.toContain('not-a-token');
      const read = await call(method, concrete(path), { token: READ, ...(body ? { body } : {}) });
      if (scope === 'write') expect(read).toMatchObject({ status: 403, json: { error: { code: 'AUTH_SCOPE' } } });
      else expect(read.status).toBe(200);
      expect((await call(method, concrete(path), { token: WRITE, ...(body ? { body } : {}) })).status).toBeLessThan(
        300,
      );
    },
  );

  it('starts a run once and answers 409 while it goes; previews; knows nodes', async () => {
    // The auth check above started the one run; another is refused while it goes.
    expect(await call('POST', '/v1/runs', { token: WRITE })).toMatchObject({
      status: 409,
      json: { error: { code: 'RUN_IN_PROGRESS' } },
    });
    expect(await call('GET', '/v1/plan', { token: READ })).toMatchObject({ status: 200, json: { recorded: false } });
    expect(await call('GET', '/v1/nodes/lisbon-1', { token: READ })).toMatchObject({
      status: 404,
      json: { error: { code: 'NODE_UNKNOWN' } },
    });
    expect(await call('GET', '/v1/nodes/Not_A_Node', { token: READ })).toMatchObject({
      status: 400,
      json: { error: { code: 'PATH_INVALID' } },
    });
  });

  it('refuses malformed, invalid, mistyped and 10 MB bodies, saying why, and records nothing of them', async () => {
    const post = (body: string, type?: string) =>
      call('POST', '/v1/verdicts', { token: WRITE, body, ...(type ? { type } : {}) });
    expect(await post('{"node":')).toMatchObject({ status: 400, json: { error: { code: 'BODY_INVALID_JSON' } } });
    const invalid = await post('{"node":"osaka-1","changes":"x"}');
    expect(invalid).toMatchObject({ status: 422, json: { error: { code: 'VERDICTS_INVALID' } } });
    expect(invalid.text).toContain('changes');
    expect(await post(verdicts('osaka-1'), 'text/plain')).toMatchObject({
      status: 415,
      json: { error: { code: 'BODY_MEDIA_TYPE' } },
    });
    expect(await post(verdicts('lisbon-1'))).toMatchObject({
      status: 422,
      json: { error: { code: 'VERDICTS_REFUSED' } },
    });
    const huge = JSON.stringify({ node: 'osaka-9', changes: [], pad: 'x'.repeat(10 * 1024 * 1024) });
    expect(await post(huge)).toMatchObject({ status: 413, json: { error: { code: 'BODY_TOO_LARGE' } } });
    expect(board.history('region-osaka-01', 'batch/etl>db@batch#0', 0).every((e) => e.node === 'osaka-1')).toBe(true);
  });

  it('records a verdict report on the board, by the region of its node', async () => {
    const before = board.history('region-osaka-01', 'batch/etl>db@batch#0', 0).length;
    expect(await call('POST', '/v1/verdicts', { token: WRITE, body: verdicts('osaka-2', 'violated') })).toMatchObject({
      status: 202,
      json: { accepted: 1 },
    });
    const after = board.history('region-osaka-01', 'batch/etl>db@batch#0', 0);
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)).toMatchObject({ node: 'osaka-2', state: 'violated', maxMs: 50 });
  });

  it('returns runs, a run with its moves, kept reasons and migrations, the journal and the exceptions', async () => {
    const runs = await call('GET', '/v1/runs?limit=5', { token: READ });
    expect(runs.json.runs).toHaveLength(1);
    expect((runs.json.runs as unknown[])[0]).toMatchObject({ id: 1, verdict: 'proven', emissionsBefore: 10 });
    const run = await call('GET', '/v1/runs/1', { token: READ });
    expect(run.json.moves).toMatchObject([{ workload: 'batch/etl', toRegion: 'region-finland-01', savingGPerH: 6 }]);
    expect(run.json.kept).toMatchObject([{ workload: 'batch/report', reason: 'cooldown' }]);
    expect(run.json.migrations).toMatchObject([{ workload: 'batch/etl', state: 'planned' }]);
    expect((await call('GET', '/v1/migrations', { token: READ })).json.migrations).toHaveLength(1);
    const stale = await call('GET', '/v1/exceptions?kind=stale-feed', { token: READ });
    expect(stale.json.exceptions).toMatchObject([{ kind: 'stale-feed', concerns: 'JP-TK' }]);
    expect((await call('GET', '/v1/exceptions?kind=rollback', { token: READ })).json.exceptions).toEqual([]);
  });

  it('exports the metrics: the figures of the store read at the scrape, and the API requests by route and code', async () => {
    await call('GET', '/v1/runs', { token: READ });
    await call('GET', '/v1/runs/abc', { token: READ });
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${READ}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const line of [
      'shisa_api_requests_total{route="/v1/runs",method="GET",code="200"}',
      'shisa_api_requests_total{route="/v1/runs/{id}",method="GET",code="400"}',
      'shisa_runs{verdict="proven"} 1',
      'shisa_migrations{state="planned"} 1',
      'shisa_carbon_staleness_seconds{zone="FI"} 90',
      'shisa_cluster_reachable{region="region-osaka-01"} 1',
      'shisa_emissions_saved_g_per_h 6',
      'shisa_optimality_gap 0',
    ])
      expect(text).toContain(line);
    expect(text).not.toContain(READ);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
  });

  it('answers bad paths, queries and methods with their codes', async () => {
    expect(await call('GET', '/v1/runs/999', { token: READ })).toMatchObject({
      status: 404,
      json: { error: { code: 'RUN_UNKNOWN' } },
    });
    expect(await call('GET', '/v1/runs/abc', { token: READ })).toMatchObject({
      status: 400,
      json: { error: { code: 'PATH_INVALID' } },
    });
    expect(await call('GET', '/v1/runs?limit=0', { token: READ })).toMatchObject({
      status: 400,
      json: { error: { code: 'QUERY_INVALID' } },
    });
    expect(await call('GET', '/v1/runs/%E0', { token: READ })).toMatchObject({
      status: 400,
      json: { error: { code: 'PATH_INVALID' } },
    });
    expect(await call('GET', '/v1/nothing', { token: READ })).toMatchObject({
      status: 404,
      json: { error: { code: 'ROUTE_UNKNOWN' } },
    });
    const wrongMethod = await call('DELETE', '/v1/runs', { token: WRITE });
    expect(wrongMethod).toMatchObject({ status: 405, json: { error: { code: 'METHOD_NOT_ALLOWED' } } });
  });

  it('answers 503 with the store error code once the store has gone, and no stack', async () => {
    const gone = await openStore({ kind: 'pglite' });
    const api = await startApiServer(
      {
        store: gone,
        board,
        now: Date.now,
        notReady: () => Promise.resolve(undefined),
        metrics: new ServiceMetrics(gone, () => []),
      },
      { host: '127.0.0.1', port: 0, tokens: { read: [new Secret(READ, 'R')], write: [] } },
    );
    try {
      await gone.close();
      const res = await fetch(`${api.url}/v1/runs`, { headers: { authorization: `Bearer ${READ}` } });
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status).toBe(503);
      expect(body.error.code).toBe('STORE_READ_FAILED');
      expect(body.error.message).not.toMatch(/\n\s+at /);
    } finally {
      await api.close();
    }
  });
});
