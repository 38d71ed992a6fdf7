/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   These tests read parsed JSON replies (typed any); the assertions are what check their shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from '../fakes/kube/fake-cluster.js';
import { call } from './client.js';

let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await startFakeCluster();
});
afterAll(() => cluster.close());

describe('discovery', () => {
  it('answers /version as Kubernetes 1.32 (the gcloud kubectl dispatcher picks kubectl.1.32 from it)', async () => {
    const r = await call(cluster, 'GET', '/version');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.json).toMatchObject({ major: '1', minor: '32' });
    expect(r.json.gitVersion).toMatch(/^v1\.32\./);
  });

  it("lists the core version, the groups and each group-version's resources", async () => {
    expect((await call(cluster, 'GET', '/api')).json).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = await call(cluster, 'GET', '/apis');
    expect(groups.json.kind).toBe('APIGroupList');
    expect(groups.json.groups.map((g: { name: string }) => g.name)).toEqual(
      expect.arrayContaining(['apps', 'batch', 'coordination.k8s.io', 'security.istio.io']),
    );
    const apps = await call(cluster, 'GET', '/apis/apps/v1');
    expect(apps.json).toMatchObject({ kind: 'APIResourceList', groupVersion: 'apps/v1' });
    const deployments = apps.json.resources.find((r: { name: string }) => r.name === 'deployments');
    expect(deployments).toMatchObject({ kind: 'Deployment', namespaced: true, shortNames: ['deploy'] });
    expect(deployments.verbs).toEqual(expect.arrayContaining(['get', 'list', 'watch', 'create', 'patch', 'delete']));
    expect(apps.json.resources.map((r: { name: string }) => r.name)).toEqual(
      expect.arrayContaining(['deployments/status', 'deployments/scale']),
    );
    const core = await call(cluster, 'GET', '/api/v1');
    expect(core.json.resources.find((r: { name: string }) => r.name === 'namespaces')).toMatchObject({
      namespaced: false,
    });
  });

  it('answers 404 Status for unknown groups and paths', async () => {
    for (const path of ['/apis/nope.example.com', '/apis/apps/v2', '/api/v1/widgets', '/nothing']) {
      const r = await call(cluster, 'GET', path);
      expect(r.status, path).toBe(404);
      expect(r.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
    }
  });
});

describe('authentication', () => {
  it('serves /version to anonymous clients but nothing else', async () => {
    expect((await call(cluster, 'GET', '/version', { token: null })).status).toBe(200);
    const r = await call(cluster, 'GET', '/api/v1/namespaces', { token: null });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
  });

  it('refuses a wrong token everywhere, /version included', async () => {
    expect((await call(cluster, 'GET', '/version', { token: 'wrong' })).status).toBe(401);
    expect((await call(cluster, 'GET', '/api/v1/namespaces', { token: 'wrong' })).status).toBe(401);
    expect((await call(cluster, 'GET', '/api/v1/namespaces')).status).toBe(200);
  });

  it('gives each cluster its own token', async () => {
    const other = await startFakeCluster();
    try {
      expect(other.token).not.toBe(cluster.token);
      expect((await call(other, 'GET', '/api/v1/namespaces', { token: cluster.token })).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('answers 401 from the moment a token is revoked', async () => {
    const revoked = await startFakeCluster();
    try {
      expect((await call(revoked, 'GET', '/api/v1/namespaces')).status).toBe(200);
      revoked.revokeToken();
      expect((await call(revoked, 'GET', '/api/v1/namespaces')).status).toBe(401);
      expect(revoked.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v1/namespaces', status: 401 });
    } finally {
      await revoked.close();
    }
  });
});
