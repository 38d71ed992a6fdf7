/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument --
   These tests read parsed JSON replies (typed any); the assertions are what check their shape. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from '../fakes/kube/fake-cluster.js';
import { call, deployment } from './client.js';

let cluster: FakeCluster;
beforeEach(async () => {
  cluster = await startFakeCluster({ controllerDelayMs: 60_000 });
});
afterEach(() => cluster.close());

const WEB = '/apis/apps/v1/namespaces/default/deployments/web';
const JSON_PATCH = 'application/json-patch+json';
const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const APPLY = 'application/apply-patch+yaml';

function twoContainers() {
  const d = deployment('web');
  d.spec.template.spec.containers.push({ name: 'sidecar', image: 'envoy:1' });
  return d;
}

describe('PATCH', () => {
  it('applies a JSON patch and bumps resourceVersion and generation', async () => {
    const [before] = cluster.seed([deployment('web')]);
    const r = await call(cluster, 'PATCH', WEB, {
      contentType: JSON_PATCH,
      body: [{ op: 'replace', path: '/spec/replicas', value: 4 }],
    });
    expect(r.status).toBe(200);
    expect(r.json.spec.replicas).toBe(4);
    expect(Number(r.json.metadata.resourceVersion)).toBeGreaterThan(Number(before!.metadata.resourceVersion));
    expect(r.json.metadata.generation).toBe(2);
  });

  it('a JSON merge patch replaces lists whole; a strategic merge patch merges containers by name', async () => {
    cluster.seed([twoContainers()]);
    const strategic = await call(cluster, 'PATCH', WEB, {
      contentType: STRATEGIC,
      body: { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.28' }] } } } },
    });
    expect(strategic.json.spec.template.spec.containers).toEqual([
      { name: 'main', image: 'nginx:1.28' },
      { name: 'sidecar', image: 'envoy:1' },
    ]);
    const merge = await call(cluster, 'PATCH', WEB, {
      contentType: MERGE,
      body: { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.29' }] } } } },
    });
    expect(merge.json.spec.template.spec.containers).toEqual([{ name: 'main', image: 'nginx:1.29' }]);
  });

  it('answers 404 for a missing object, 415 for an unknown patch type, 400 for a malformed patch', async () => {
    expect((await call(cluster, 'PATCH', WEB, { contentType: MERGE, body: {} })).status).toBe(404);
    cluster.seed([deployment('web')]);
    const unknown = await call(cluster, 'PATCH', WEB, { contentType: 'text/plain', body: 'x' });
    expect(unknown.status).toBe(415);
    expect(unknown.json).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType' });
    expect((await call(cluster, 'PATCH', WEB, { contentType: MERGE, body: '{nope' })).json).toMatchObject({
      code: 400,
      reason: 'BadRequest',
    });
  });

  it('answers 409 when the patch carries a stale resourceVersion, 422 when the result is invalid', async () => {
    const [d] = cluster.seed([deployment('web')]);
    await call(cluster, 'PATCH', WEB, { contentType: MERGE, body: { spec: { replicas: 2 } } });
    const stale = await call(cluster, 'PATCH', WEB, {
      contentType: MERGE,
      body: { metadata: { resourceVersion: d!.metadata.resourceVersion }, spec: { replicas: 3 } },
    });
    expect(stale.status).toBe(409);
    expect(stale.json.reason).toBe('Conflict');
    const invalid = await call(cluster, 'PATCH', WEB, { contentType: MERGE, body: { spec: { replicas: -1 } } });
    expect(invalid.status).toBe(422);
    expect(cluster.get('Deployment', 'default', 'web')?.spec).toMatchObject({ replicas: 2 });
  });

  it('patches the status and scale subresources', async () => {
    cluster.seed([deployment('web')]);
    const status = await call(cluster, 'PATCH', `${WEB}/status`, {
      contentType: MERGE,
      body: { status: { replicas: 9 }, spec: { replicas: 5 } },
    });
    expect(status.json.status).toEqual({ replicas: 9 });
    expect(status.json.spec.replicas).toBe(1);
    const scale = await call(cluster, 'PATCH', `${WEB}/scale`, { contentType: MERGE, body: { spec: { replicas: 6 } } });
    expect(scale.json).toMatchObject({ kind: 'Scale', spec: { replicas: 6 } });
    expect(cluster.get('Deployment', 'default', 'web')?.spec).toMatchObject({ replicas: 6 });
  });
});

describe('server-side apply', () => {
  it('creates a missing object with 201 and records the manager in managedFields', async () => {
    const r = await call(cluster, 'PATCH', `${WEB}?fieldManager=shisa`, {
      contentType: APPLY,
      body: deployment('web', { replicas: 2 }),
    });
    expect(r.status).toBe(201);
    expect(r.json.metadata.uid).toBeTruthy();
    expect(r.json.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'shisa', operation: 'Apply', apiVersion: 'apps/v1' }),
    ]);
    const again = await call(cluster, 'PATCH', `${WEB}?fieldManager=shisa`, {
      contentType: APPLY,
      body: deployment('web', { replicas: 3 }),
    });
    expect(again.status).toBe(200);
    expect(again.json.spec.replicas).toBe(3);
  });

  it('accepts YAML bodies too', async () => {
    const yaml = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: cfg', 'data:', '  greeting: hello'].join(
      '\n',
    );
    const r = await call(cluster, 'PATCH', '/api/v1/namespaces/default/configmaps/cfg?fieldManager=yaml-user', {
      contentType: APPLY,
      body: yaml,
    });
    expect(r.status).toBe(201);
    expect(r.json.data).toEqual({ greeting: 'hello' });
  });

  it('answers 409 Conflict with FieldManagerConflict causes when another manager owns the field, unless forced', async () => {
    await call(cluster, 'PATCH', `${WEB}?fieldManager=first`, {
      contentType: APPLY,
      body: deployment('web', { replicas: 2 }),
    });
    const conflict = await call(cluster, 'PATCH', `${WEB}?fieldManager=second&force=false`, {
      contentType: APPLY,
      body: deployment('web', { replicas: 5 }),
    });
    expect(conflict.status).toBe(409);
    expect(conflict.json).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });
    expect(conflict.json.details.causes).toEqual(
      expect.arrayContaining([
        { reason: 'FieldManagerConflict', message: 'conflict with "first"', field: '.spec.replicas' },
      ]),
    );
    expect(cluster.get('Deployment', 'default', 'web')?.spec).toMatchObject({ replicas: 2 });
    const forced = await call(cluster, 'PATCH', `${WEB}?fieldManager=second&force=true`, {
      contentType: APPLY,
      body: deployment('web', { replicas: 5 }),
    });
    expect(forced.status).toBe(200);
    expect(forced.json.spec.replicas).toBe(5);
  });

  it('requires a fieldManager (422) and refuses to create in a missing namespace (404)', async () => {
    expect((await call(cluster, 'PATCH', WEB, { contentType: APPLY, body: deployment('web') })).status).toBe(422);
    const r = await call(cluster, 'PATCH', '/apis/apps/v1/namespaces/ghost/deployments/web?fieldManager=m', {
      contentType: APPLY,
      body: deployment('web', { namespace: 'ghost' }),
    });
    expect(r.status).toBe(404);
    expect(r.json.message).toBe('namespaces "ghost" not found');
  });
});

describe('OpenAPI', () => {
  it('serves the v3 index, each document it points to, and 404 for v2', async () => {
    const index = await call(cluster, 'GET', '/openapi/v3');
    expect(index.status).toBe(200);
    const apps = index.json.paths['apis/apps/v1'];
    expect(apps.serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=/);
    const doc = await call(cluster, 'GET', apps.serverRelativeURL);
    expect(doc.status).toBe(200);
    expect(doc.headers['content-type']).toBe('application/json');
    expect(Object.keys(doc.json.paths)).toContain('/apis/apps/v1/namespaces/{namespace}/deployments/{name}');
    expect((await call(cluster, 'GET', '/openapi/v3/apis/nope/v1')).status).toBe(404);
    expect((await call(cluster, 'GET', '/openapi/v2')).status).toBe(404);
  });
});
