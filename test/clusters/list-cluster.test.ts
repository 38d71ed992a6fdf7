/**
 * The cluster client against fake API servers (test/fakes/kube/): kubeconfig contexts per
 * region, paginated lists of every kind shisa reads, and what a cluster that cannot be read
 * looks like — each through exactly the client code production uses.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCluster } from '../../regions/clusters/client/list-cluster.js';
import { kubeconfigPaths, readKubeconfigs } from '../../regions/clusters/client/kubeconfig-files.js';
import { regionClusters, type RegionCluster } from '../../regions/clusters/client/region-kubeconfig.js';
import type { RetryPolicy, RetryPorts } from '../../regions/clusters/client/with-retries.js';
import type { Region } from '../../regions/fleet/model.js';
import { environmentFrom } from '../../scheduler/config/environment.js';
import { renderDiagnostic } from '../../scheduler/diagnostics/render.js';
import { SourceFile } from '../../scheduler/diagnostics/source-file.js';
import { startFakeCluster, type FakeCluster } from '../fakes/kube/fake-cluster.js';
import { writeKubeconfig } from '../fakes/kube/kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'shisa-cluster-reader-'));
let tokyo: FakeCluster;
let osaka: FakeCluster;
const kubeconfig = join(dir, 'kubeconfig');

function region(name: string, cluster: string, line = 1): Region {
  return {
    name,
    zone: 'JP-TK',
    country: 'JP',
    compliance: [],
    cluster,
    clusterSpan: { file: 'fleet.yaml', start: 0, end: cluster.length, line, col: 14 },
    capacity: { cpu: 100, memoryGib: 400 },
    labels: {},
    span: { file: 'fleet.yaml', start: 0, end: 0, line, col: 1 },
  };
}

async function clustersFor(regions: readonly Region[], path = kubeconfig) {
  const files = await readKubeconfigs(kubeconfigPaths(path, environmentFrom({}), dir), dir);
  expect(files.diagnostics).toEqual([]);
  return regionClusters(regions, files.files, () => undefined);
}

const deployment = (namespace: string, name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { namespace, name, labels: { app: name, ...labels } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          { name: 'main', image: 'example/app:1', resources: { requests: { cpu: '250m', memory: '256Mi' } } },
        ],
      },
    },
  },
});

/** Retries without real waiting: the schedule is recorded instead. */
const instant = (): RetryPorts & { slept: number[] } => {
  const slept: number[] = [];
  return { slept, now: () => Date.now(), random: () => 0.5, sleep: (ms) => (slept.push(ms), Promise.resolve()) };
};
const quick: RetryPolicy = { attempts: 3, baseMs: 10, capMs: 50, timeoutMs: 2_000, maxRetryAfterMs: 5_000 };

beforeAll(async () => {
  tokyo = await startFakeCluster({ name: 'tokyo', controllerDelayMs: 10 });
  osaka = await startFakeCluster({ name: 'osaka', controllerDelayMs: 10 });
  await writeKubeconfig(kubeconfig, [
    { context: 'gke-tokyo', cluster: tokyo },
    { context: 'gke-osaka', cluster: osaka },
  ]);
  tokyo.seed([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } },
    ...Array.from({ length: 21 }, (_, i) => deployment('web', `frontend-${i}`, i % 2 ? { tier: 'edge' } : {})),
    deployment('payments', 'ledger', { tier: 'core' }),
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-a' },
      status: { allocatable: { cpu: '16', memory: '64Gi' }, conditions: [{ type: 'Ready', status: 'True' }] },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { namespace: 'payments', name: 'default' },
      spec: { mtls: { mode: 'STRICT' } },
    },
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([tokyo?.close(), osaka?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('the cluster client', () => {
  it('gives each region its own KubeConfig from its context', async () => {
    const { clusters, diagnostics } = await clustersFor([
      region('tokyo-1', 'gke-tokyo'),
      region('osaka-1', 'gke-osaka'),
    ]);
    expect(diagnostics).toEqual([]);
    expect(clusters.map((c) => [c.region, c.context, c.server])).toEqual([
      ['tokyo-1', 'gke-tokyo', tokyo.url],
      ['osaka-1', 'gke-osaka', osaka.url],
    ]);
    expect(clusters[0]!.kubeconfig).not.toBe(clusters[1]!.kubeconfig);
  });

  it('reads every kind, page by page, and waits for the pods the controller makes', async () => {
    const [cluster] = (await clustersFor([region('tokyo-1', 'gke-tokyo')])).clusters;
    // The controller gives every Deployment its two pods shortly after seeding.
    await expect.poll(() => tokyo.list('pods').length, { timeout: 20_000 }).toBe(22 * 2);
    const before = tokyo.requests.length;
    const read = await listCluster(cluster!, { namespaces: [] }, { pageSize: 10 });
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.objects.deployments).toHaveLength(22);
    expect(read.objects.pods).toHaveLength(44);
    expect(read.objects.nodes.map((n) => n.metadata?.name)).toEqual(['node-a']);
    expect(read.objects.peerAuthentications).toHaveLength(1);
    expect(
      read.objects.deployments.find((d) => d.metadata?.name === 'ledger')?.spec?.template.spec?.containers[0]?.resources
        ?.requests,
    ).toEqual({
      cpu: '250m',
      memory: '256Mi',
    });
    const lists = tokyo.requests.slice(before).filter((r) => r.method === 'GET');
    const deploymentPages = lists.filter((r) => r.path === '/apis/apps/v1/deployments');
    expect(deploymentPages.map((r) => r.query.limit)).toEqual(['10', '10', '10']);
    expect(deploymentPages.filter((r) => r.query.continue).length).toBe(2);
    expect(read.stats.requests).toBe(lists.length);
    // ReplicaSets and Jobs are only followed to their owners: metadata alone is asked for and read.
    const owners = lists.filter((r) => r.path === '/apis/apps/v1/replicasets' || r.path === '/apis/batch/v1/jobs');
    expect(new Set(owners.map((r) => r.path)).size).toBe(2);
    for (const r of owners)
      expect(r.accept).toMatch(/^application\/json;as=PartialObjectMetadataList;g=meta\.k8s\.io;v=v1,/);
    expect(read.objects.replicaSets.length).toBeGreaterThan(0);
    for (const rs of read.objects.replicaSets)
      expect(rs).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: rs.metadata });
    expect(lists.filter((r) => r.path === '/api/v1/pods').every((r) => r.accept === 'application/json')).toBe(true);
  }, 60_000);

  it('reads only the namespaces and labels the fleet asks for (pods and nodes stay cluster-wide)', async () => {
    const [cluster] = (await clustersFor([region('tokyo-1', 'gke-tokyo')])).clusters;
    const read = await listCluster(cluster!, { namespaces: ['payments'], selector: 'tier in (core)' });
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.objects.deployments.map((d) => `${d.metadata?.namespace}/${d.metadata?.name}`)).toEqual([
      'payments/ledger',
    ]);
    expect(read.objects.nodes).toHaveLength(1);
    expect(read.objects.pods.length).toBeGreaterThan(2);
  });

  it('retries 5xx and 429 (waiting what Retry-After says) and then reads', async () => {
    const [cluster] = (await clustersFor([region('osaka-1', 'gke-osaka')])).clusters;
    osaka.faults.fail(503, { times: 2, pathPrefix: '/api/v1/nodes' });
    osaka.faults.throttle(2, { times: 1, pathPrefix: '/apis/apps/v1/deployments' });
    const ports = instant();
    const read = await listCluster(cluster!, { namespaces: [] }, { retry: quick, ports });
    expect(read.ok).toBe(true);
    expect(ports.slept.sort((a, b) => a - b)).toEqual([5, 10, 2_000]);
    osaka.faults.clear();
  });

  it('is a value, not an exception, when the cluster refuses the token, and never says the token', async () => {
    const wrong = join(dir, 'wrong-token');
    const badToken = 'eyJhbGciOiJSUzI1NiJ9.c2hpc2EtdGVzdC10b2tlbi1wYXlsb2Fk.c2lnbmF0dXJlLXBhcnQ';
    await writeKubeconfig(wrong, [{ context: 'gke-tokyo', cluster: tokyo, token: badToken }]);
    const [cluster] = (await clustersFor([region('tokyo-1', 'gke-tokyo')], wrong)).clusters;
    const read = await listCluster(cluster!, { namespaces: [] }, { retry: quick, ports: instant() });
    expect(read).toMatchObject({ ok: false, fault: { code: 'CLUSTER_UNAUTHORIZED', status: 401, retryable: false } });
    expect(JSON.stringify(read.ok ? {} : read.fault)).not.toContain(badToken);
    expect(JSON.stringify(read.ok ? {} : read.fault)).not.toContain(tokyo.token);
  });

  it('says a cluster that is down is unreachable, after its retries', async () => {
    const [cluster] = (await clustersFor([region('osaka-1', 'gke-osaka')])).clusters;
    await osaka.down();
    try {
      const ports = instant();
      const read = await listCluster(cluster!, { namespaces: [] }, { retry: quick, ports });
      expect(read).toMatchObject({ ok: false, fault: { code: 'CLUSTER_UNREACHABLE', retryable: true } });
      expect(ports.slept.length).toBeGreaterThanOrEqual(2);
    } finally {
      await osaka.up();
    }
  });

  it('times out a request that takes too long, and says so', async () => {
    const [cluster] = (await clustersFor([region('osaka-1', 'gke-osaka')])).clusters;
    osaka.faults.slow(3_000, { pathPrefix: '/api/v1/nodes' });
    try {
      const read = await listCluster(
        cluster!,
        { namespaces: [] },
        {
          retry: { ...quick, attempts: 2, timeoutMs: 300 },
          ports: instant(),
        },
      );
      expect(read).toMatchObject({ ok: false, fault: { code: 'CLUSTER_TIMEOUT', message: 'no answer within 300 ms' } });
    } finally {
      osaka.faults.clear();
    }
  });
});

describe('kubeconfig problems', () => {
  it('names a context no kubeconfig defines at the fleet line, with a suggestion', async () => {
    const files = await readKubeconfigs(kubeconfigPaths(kubeconfig, environmentFrom({}), dir), dir);
    const fleet = new SourceFile('fleet.yaml', 'regions:\n  - name: tokyo-1\n    cluster: gke-tokio\n');
    const r = regionClusters(
      [{ ...region('tokyo-1', 'gke-tokio', 3), clusterSpan: fleet.span(40, 49) }],
      files.files,
      (f) => (f === 'fleet.yaml' ? fleet : undefined),
    );
    expect(r.clusters).toEqual([]);
    expect(r.diagnostics.map(renderDiagnostic)).toEqual([
      [
        'fleet.yaml:3:14: error[kubeconfig/unknown-context]: region "tokyo-1" names the kubeconfig context "gke-tokio", which no kubeconfig defines',
        ' 3 |     cluster: gke-tokio',
        '   |              ^^^^^^^^^',
        '   = expected: one of the contexts: gke-tokyo, gke-osaka',
        '   = help: did you mean "gke-tokyo"?',
      ].join('\n'),
    ]);
  });

  it('locates a broken kubeconfig, a dangling cluster and a plain-http server in the kubeconfig', async () => {
    const broken = join(dir, 'broken');
    writeFileSync(broken, 'clusters:\n  - name: a\n    cluster: { server: 10.0.0.1 }\n');
    const r1 = await readKubeconfigs(kubeconfigPaths(broken, environmentFrom({}), dir), dir);
    expect(r1.diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.code}`)).toEqual([
      '3:24 kubeconfig/invalid-value',
    ]);
    const dangling = join(dir, 'dangling');
    writeFileSync(
      dangling,
      [
        'clusters: [{ name: plain, cluster: { server: "http://127.0.0.1:1" } }]',
        'users: [{ name: u, user: { token: not-quoted-back } }]',
        'contexts:',
        '  - { name: c1, context: { cluster: missing, user: u } }',
        '  - { name: c2, context: { cluster: plain, user: u } }',
        '',
      ].join('\n'),
    );
    const r2 = await readKubeconfigs(kubeconfigPaths(dangling, environmentFrom({}), dir), dir);
    expect(r2.diagnostics).toEqual([]);
    const made = regionClusters([region('r1', 'c1'), region('r2', 'c2')], r2.files, () => undefined);
    expect(made.diagnostics.map((d) => `${d.span.file}:${d.span.line}:${d.span.col} ${d.code}`)).toEqual([
      'dangling:4:37 kubeconfig/unknown-cluster',
      'dangling:1:46 kubeconfig/plain-http',
    ]);
    expect(made.diagnostics.map(renderDiagnostic).join('\n')).not.toContain('not-quoted-back');
  });

  it('says which kubeconfig is missing: the flag, every $KUBECONFIG entry, or ~/.kube/config', async () => {
    const flag = await readKubeconfigs(kubeconfigPaths('nope', environmentFrom({}), dir), dir);
    expect(flag.diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/the file --kubeconfig names does not exist \(.*nope\)/),
    ]);
    const env = await readKubeconfigs(
      kubeconfigPaths(undefined, environmentFrom({ KUBECONFIG: `${dir}/x:${dir}/y` }), dir),
      dir,
    );
    expect(env.diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/none of the files \$KUBECONFIG lists exists/),
    ]);
    // $KUBECONFIG entries that exist are used; missing ones are skipped, as kubectl does.
    const mixed = await readKubeconfigs(
      kubeconfigPaths(undefined, environmentFrom({ KUBECONFIG: `${dir}/x:${kubeconfig}` }), dir),
      dir,
    );
    expect([mixed.diagnostics, mixed.files.length]).toEqual([[], 1]);
    const home = await readKubeconfigs(kubeconfigPaths(undefined, environmentFrom({ HOME: dir }), dir), dir);
    expect(home.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/there is no ~\/\.kube\/config/)]);
  });
});

export type { RegionCluster };
