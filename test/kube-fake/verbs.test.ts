/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   These tests read parsed JSON replies (typed any); the assertions are what check their shape. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from '../fakes/kube/fake-cluster.js';
import { call, configMap, deployment, eventually } from './client.js';

let cluster: FakeCluster;
beforeEach(async () => {
  // The controller is slowed right down: these tests are about the store, not about pods.
  cluster = await startFakeCluster({ controllerDelayMs: 60_000 });
});
afterEach(() => cluster.close());

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

describe('create and get', () => {
  it('sets uid, creationTimestamp, resourceVersion and generation, and reads back what was stored', async () => {
    const created = await call(cluster, 'POST', DEPLOYMENTS, { body: deployment('web') });
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe('application/json');
    const m = created.json.metadata;
    expect(m.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(m.resourceVersion)).toBeGreaterThan(0);
    expect(m.generation).toBe(1);
    const got = await call(cluster, 'GET', `${DEPLOYMENTS}/web`);
    expect(got.status).toBe(200);
    expect(got.json).toEqual(created.json);
    expect(cluster.get('Deployment', 'default', 'web')?.metadata).toEqual(m);
  });

  it('answers 404 NotFound with details for a missing object', async () => {
    const r = await call(cluster, 'GET', `${DEPLOYMENTS}/nope`);
    expect(r.status).toBe(404);
    expect(r.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', group: 'apps', kind: 'deployments' },
      code: 404,
    });
  });

  it('refuses a create in a namespace that does not exist (404), a duplicate (409) and an invalid object (422)', async () => {
    const noNs = await call(cluster, 'POST', '/apis/apps/v1/namespaces/ghost/deployments', {
      body: deployment('web', { namespace: 'ghost' }),
    });
    expect(noNs.status).toBe(404);
    expect(noNs.json).toMatchObject({ reason: 'NotFound', message: 'namespaces "ghost" not found' });
    expect((await call(cluster, 'POST', DEPLOYMENTS, { body: deployment('web') })).status).toBe(201);
    const dup = await call(cluster, 'POST', DEPLOYMENTS, { body: deployment('web') });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({
      reason: 'AlreadyExists',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
    });
    const bad = deployment('Bad_Name');
    const invalid = await call(cluster, 'POST', DEPLOYMENTS, { body: bad });
    expect(invalid.status).toBe(422);
    expect(invalid.json).toMatchObject({
      reason: 'Invalid',
      details: { kind: 'Deployment', causes: [{ field: 'metadata.name' }] },
    });
    const mismatched = deployment('m');
    mismatched.spec.template.metadata.labels = { app: 'other' };
    expect((await call(cluster, 'POST', DEPLOYMENTS, { body: mismatched })).json.details.causes[0].field).toBe(
      'spec.template.metadata.labels',
    );
  });

  it('answers 400 BadRequest for bad JSON and a namespace that contradicts the URL, 405 for a verb the path does not take', async () => {
    expect((await call(cluster, 'POST', DEPLOYMENTS, { body: '{not json' })).json).toMatchObject({
      code: 400,
      reason: 'BadRequest',
    });
    const wrongNs = await call(cluster, 'POST', DEPLOYMENTS, { body: deployment('web', { namespace: 'kube-system' }) });
    expect(wrongNs.status).toBe(400);
    const r = await call(cluster, 'POST', `${DEPLOYMENTS}/web`, { body: deployment('web') });
    expect(r.status).toBe(405);
    expect(r.json).toMatchObject({ reason: 'MethodNotAllowed', code: 405 });
  });

  it('creates namespaces as Active, and a generateName gets a random suffix', async () => {
    const ns = await call(cluster, 'POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
    });
    expect(ns.json.status).toEqual({ phase: 'Active' });
    const cm = await call(cluster, 'POST', '/api/v1/namespaces/team-a/configmaps', {
      body: { metadata: { generateName: 'cfg-' } },
    });
    expect(cm.status).toBe(201);
    expect(cm.json.metadata.name).toMatch(/^cfg-[a-z0-9]{5}$/);
  });
});

describe('update', () => {
  it('bumps resourceVersion on every write and generation only when the spec changes', async () => {
    const created = (await call(cluster, 'POST', DEPLOYMENTS, { body: deployment('web') })).json;
    const labelled = structuredClone(created);
    labelled.metadata.labels.tier = 'front';
    const r1 = (await call(cluster, 'PUT', `${DEPLOYMENTS}/web`, { body: labelled })).json;
    expect(Number(r1.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    expect(r1.metadata.generation).toBe(1);
    r1.spec.replicas = 3;
    const r2 = await call(cluster, 'PUT', `${DEPLOYMENTS}/web`, { body: r1 });
    expect(r2.status).toBe(200);
    expect(r2.json.metadata.generation).toBe(2);
    expect(r2.json.metadata.uid).toBe(created.metadata.uid);
  });

  it('answers 409 Conflict to an update carrying a stale resourceVersion', async () => {
    const created = (await call(cluster, 'POST', DEPLOYMENTS, { body: deployment('web') })).json;
    const first = structuredClone(created);
    first.spec.replicas = 2;
    expect((await call(cluster, 'PUT', `${DEPLOYMENTS}/web`, { body: first })).status).toBe(200);
    const stale = structuredClone(created);
    stale.spec.replicas = 5;
    const r = await call(cluster, 'PUT', `${DEPLOYMENTS}/web`, { body: stale });
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ reason: 'Conflict', code: 409, details: { name: 'web', kind: 'deployments' } });
    expect(r.json.message).toContain('the object has been modified');
    expect(cluster.get('deployments', 'default', 'web')?.spec).toMatchObject({ replicas: 2 });
  });

  it('keeps status on a main-resource PUT and changes only status through /status', async () => {
    const created = (await call(cluster, 'POST', DEPLOYMENTS, { body: deployment('web') })).json;
    const withStatus = { ...created, status: { replicas: 7 }, spec: { ...created.spec, replicas: 4 } };
    const viaStatus = (await call(cluster, 'PUT', `${DEPLOYMENTS}/web/status`, { body: withStatus })).json;
    expect(viaStatus.status).toEqual({ replicas: 7 });
    expect(viaStatus.spec.replicas).toBe(1);
    const main = { ...viaStatus, status: { replicas: 99 } };
    const viaMain = (await call(cluster, 'PUT', `${DEPLOYMENTS}/web`, { body: main })).json;
    expect(viaMain.status).toEqual({ replicas: 7 });
  });

  it('reads and writes the scale subresource', async () => {
    await call(cluster, 'POST', DEPLOYMENTS, { body: deployment('web', { replicas: 2 }) });
    const scale = await call(cluster, 'GET', `${DEPLOYMENTS}/web/scale`);
    expect(scale.json).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 2 },
      status: { selector: 'app=web' },
    });
    const put = await call(cluster, 'PUT', `${DEPLOYMENTS}/web/scale`, {
      body: { ...scale.json, spec: { replicas: 5 } },
    });
    expect(put.json.spec.replicas).toBe(5);
    expect(cluster.get('Deployment', 'default', 'web')?.spec).toMatchObject({ replicas: 5 });
  });
});

describe('delete', () => {
  /** A Deployment owning a ConfigMap owning another: a chain for garbage collection. */
  async function ownedChain(): Promise<void> {
    const owner = (await call(cluster, 'POST', DEPLOYMENTS, { body: deployment('web') })).json;
    const child = configMap('child');
    Object.assign(child.metadata, {
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: owner.metadata.uid }],
    });
    const childUid = (await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { body: child })).json
      .metadata.uid;
    const grandchild = configMap('grandchild');
    Object.assign(grandchild.metadata, {
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'child', uid: childUid }],
    });
    await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { body: grandchild });
  }
  const configMaps = (): string[] => cluster.list('configmaps', 'default').map((c) => c.metadata.name);

  it('Background: the owner goes at once, its dependents right after', async () => {
    await ownedChain();
    const r = await call(cluster, 'DELETE', `${DEPLOYMENTS}/web`, { body: { propagationPolicy: 'Background' } });
    expect(r.status).toBe(200);
    expect(r.json.metadata.name).toBe('web');
    expect((await call(cluster, 'GET', `${DEPLOYMENTS}/web`)).status).toBe(404);
    await eventually(() => (configMaps().length === 0 ? true : undefined));
  });

  it('Foreground: dependents, recursively, are gone by the time the answer comes', async () => {
    await ownedChain();
    await call(cluster, 'DELETE', `${DEPLOYMENTS}/web?propagationPolicy=Foreground`);
    expect(configMaps()).toEqual([]);
  });

  it('Orphan: dependents stay and lose their ownerReference', async () => {
    await ownedChain();
    await call(cluster, 'DELETE', `${DEPLOYMENTS}/web`, { body: { propagationPolicy: 'Orphan' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(configMaps()).toEqual(['child', 'grandchild']);
    expect(cluster.get('ConfigMap', 'default', 'child')?.metadata).not.toHaveProperty('ownerReferences');
    expect(cluster.get('ConfigMap', 'default', 'grandchild')?.metadata).toHaveProperty('ownerReferences');
  });

  it('answers 404 for a missing object and 409 when a precondition fails', async () => {
    expect((await call(cluster, 'DELETE', `${DEPLOYMENTS}/nope`)).status).toBe(404);
    await call(cluster, 'POST', DEPLOYMENTS, { body: deployment('web') });
    const r = await call(cluster, 'DELETE', `${DEPLOYMENTS}/web`, {
      body: { preconditions: { resourceVersion: '1' } },
    });
    expect(r.status).toBe(409);
    expect(cluster.get('Deployment', 'default', 'web')).toBeDefined();
  });

  it('deleting a namespace deletes what is in it', async () => {
    cluster.seed([configMap('a', {}, 'team'), configMap('b', {}, 'team'), configMap('keep')]);
    await call(cluster, 'DELETE', '/api/v1/namespaces/team');
    expect(cluster.list('ConfigMap', 'team')).toEqual([]);
    expect(cluster.list('ConfigMap').map((c) => c.metadata.name)).toEqual(['keep']);
    expect((await call(cluster, 'GET', '/api/v1/namespaces/team')).status).toBe(404);
  });
});

describe('metadata-only reads (PartialObjectMetadata)', () => {
  const LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

  it('lists each object as its metadata alone, paged as the full list is', async () => {
    cluster.seed([deployment('web', { replicas: 3 }), deployment('api')]);
    const r = await call(cluster, 'GET', `${DEPLOYMENTS}?limit=1`, { accept: LIST });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1' });
    expect(r.json.metadata.continue).toEqual(expect.any(String));
    expect(r.json.items).toHaveLength(1);
    expect(Object.keys(r.json.items[0] as object).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
    expect(r.json.items[0]).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'api' } });
  });

  it('gets one object as its metadata, and answers the whole object to a client that prefers it', async () => {
    cluster.seed([deployment('web')]);
    const one = await call(cluster, 'GET', `${DEPLOYMENTS}/web`, {
      accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
    });
    expect(one.json).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: expect.objectContaining({ name: 'web' }),
    });
    const whole = await call(cluster, 'GET', DEPLOYMENTS, { accept: `application/json,${LIST}` });
    expect(whole.json.kind).toBe('DeploymentList');
    expect(whole.json.items[0].spec.replicas).toBe(1);
  });
});

describe('Table output', () => {
  const TABLE =
    'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

  it('renders Deployments with the columns kubectl prints and PartialObjectMetadata rows', async () => {
    cluster.seed([deployment('web', { replicas: 3 })]);
    const r = await call(cluster, 'GET', `${DEPLOYMENTS}?limit=500`, { accept: TABLE });
    expect(r.json.kind).toBe('Table');
    expect(r.json.apiVersion).toBe('meta.k8s.io/v1');
    const names = r.json.columnDefinitions
      .filter((c: { priority: number }) => c.priority === 0)
      .map((c: { name: string }) => c.name);
    expect(names).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
    expect(r.json.rows).toHaveLength(1);
    expect(r.json.rows[0].cells.slice(0, 4)).toEqual(['web', '0/3', 0, 0]);
    expect(r.json.rows[0].cells[4]).toMatch(/^\d+s$/);
    expect(r.json.rows[0].object).toMatchObject({
      kind: 'PartialObjectMetadata',
      metadata: { name: 'web', namespace: 'default' },
    });
  });

  it('includes the whole object for includeObject=Object and none for None', async () => {
    cluster.seed([deployment('web')]);
    const whole = await call(cluster, 'GET', `${DEPLOYMENTS}?includeObject=Object`, { accept: TABLE });
    expect(whole.json.rows[0].object.spec.replicas).toBe(1);
    const none = await call(cluster, 'GET', `${DEPLOYMENTS}/web?includeObject=None`, { accept: TABLE });
    expect(none.json.rows[0]).not.toHaveProperty('object');
  });

  it('renders Pods with READY, STATUS and RESTARTS, and other kinds with NAME and AGE', async () => {
    cluster.seed([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'default' },
        spec: {
          containers: [
            { name: 'a', image: 'x' },
            { name: 'b', image: 'y' },
          ],
        },
        status: {
          phase: 'Running',
          containerStatuses: [
            { name: 'a', ready: true, restartCount: 2 },
            { name: 'b', ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } },
          ],
        },
      },
    ]);
    const pods = await call(cluster, 'GET', '/api/v1/namespaces/default/pods', { accept: TABLE });
    expect(pods.json.columnDefinitions.slice(0, 5).map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
    ]);
    expect(pods.json.rows[0].cells.slice(0, 4)).toEqual(['p', '1/2', 'CrashLoopBackOff', '3']);
    const leases = await call(cluster, 'GET', '/apis/security.istio.io/v1/namespaces/default/peerauthentications', {
      accept: TABLE,
    });
    expect(leases.json.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Age']);
  });

  it('answers plain JSON when the Accept header does not ask for a Table', async () => {
    cluster.seed([deployment('web')]);
    const r = await call(cluster, 'GET', DEPLOYMENTS);
    expect(r.json).toMatchObject({
      kind: 'DeploymentList',
      apiVersion: 'apps/v1',
      items: [{ metadata: { name: 'web' } }],
    });
  });
});
