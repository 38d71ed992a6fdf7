/**
 * `npm run bench:clusters`: reading the whole inventory from three clusters. Starts three fake
 * API servers (test/fakes/kube/, real HTTPS on 127.0.0.1) holding 5,000 Deployments (with their
 * ReplicaSets) and 15,000 Pods each, then times, wall clock, best of 3:
 *
 *   shisa   node bin/shisa.js inventory --config F --kubeconfig K --json   (all three clusters)
 *   kubectl kubectl get deployments,pods -A -o json, one per cluster, the three at once
 *
 * and prints the requests each made per cluster. Target: shisa reads the 15,000 workloads in
 * at most 2 s, and no slower than kubectl's dump of the same objects.
 * `npm run bench:clusters -- 1000` runs another number of Deployments per cluster.
 * `BENCH_CPU_PROF=dir` runs the shisa child with --cpu-prof, its profiles in dir.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeCluster, type FakeCluster } from '../test/fakes/kube/fake-cluster.js';
import { writeKubeconfig } from '../test/fakes/kube/kubeconfig.js';

const ROOT = new URL('..', import.meta.url).pathname;
const DEPLOYMENTS = Number(process.argv[2] ?? 5_000);
const REPLICAS = 3;
const NAMESPACES = 25;
const NODES = 60;
const TARGET_S = 2;
const REGIONS = ['region-tokyo-01', 'region-osaka-01', 'region-finland-01'];

function run(
  cmd: string,
  args: readonly string[],
): Promise<{ code: number | null; seconds: number; bytes: number; err: string }> {
  const started = process.hrtime.bigint();
  return new Promise((done) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let err = '';
    c.stdout.on('data', (d: Buffer) => (bytes += d.length));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('close', (code) => done({ code, seconds: Number(process.hrtime.bigint() - started) / 1e9, bytes, err }));
  });
}

/** One cluster's state as a real one would hold it: Deployments, their ReplicaSets and Pods, Nodes. */
function seed(cluster: FakeCluster, region: number): void {
  const objects: Record<string, unknown>[] = [];
  for (let n = 0; n < NAMESPACES; n++)
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `team-${n}` } });
  for (let n = 0; n < NODES; n++)
    objects.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `node-${region}-${n}` },
      status: {
        allocatable: { cpu: '64', memory: '256Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    });
  for (let i = 0; i < DEPLOYMENTS; i++) {
    const namespace = `team-${i % NAMESPACES}`;
    const name = `svc-r${region}-${i}`;
    const labels = { app: name, 'shisa.io/intent': i % 3 ? 'nightly-batch' : 'customer-web' };
    const template = {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          { name: 'main', image: 'registry.example/app:1', resources: { requests: { cpu: '250m', memory: '512Mi' } } },
        ],
      },
    };
    const dUid = `d-${region}-${i}`;
    const rsUid = `rs-${region}-${i}`;
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        namespace,
        name,
        uid: dUid,
        labels,
        annotations: i % 5 ? {} : { 'shisa.io/depends-on': `team-1/svc-r${region}-1` },
      },
      spec: { replicas: REPLICAS, selector: { matchLabels: { app: name } }, template },
      status: { replicas: REPLICAS, readyReplicas: REPLICAS, availableReplicas: REPLICAS },
    });
    const owner = (kind: string, uid: string, n: string) => [
      { apiVersion: 'apps/v1', kind, name: n, uid, controller: true },
    ];
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        namespace,
        name: `${name}-7d9f`,
        uid: rsUid,
        labels: { app: name },
        ownerReferences: owner('Deployment', dUid, name),
      },
      spec: { replicas: REPLICAS, selector: { matchLabels: { app: name } }, template },
    });
    for (let r = 0; r < REPLICAS; r++)
      objects.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          namespace,
          name: `${name}-7d9f-${r}`,
          labels: { app: name },
          ownerReferences: owner('ReplicaSet', rsUid, `${name}-7d9f`),
        },
        spec: { nodeName: `node-${region}-${(i * REPLICAS + r) % NODES}`, containers: template.spec.containers },
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      });
  }
  cluster.seed(objects);
}

function fleetFile(dir: string): string {
  const path = join(dir, 'fleet.yaml');
  const regions = REGIONS.map(
    (name, i) =>
      `  - { name: ${name}, zone: ${['JP-TK', 'JP-KN', 'FI'][i]}, country: ${['JP', 'JP', 'FI'][i]}, cluster: ctx-${i}, capacity: { cpu: 100000, memory_gib: 400000 } }`,
  );
  writeFileSync(path, ['regions:', ...regions, 'inventory: { source: clusters }', ''].join('\n'));
  return path;
}

async function best<T extends { seconds: number }>(times: number, f: () => Promise<T>): Promise<T> {
  let min: T | undefined;
  for (let k = 0; k < times; k++) {
    const r = await f();
    if (!min || r.seconds < min.seconds) min = r;
  }
  return min!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shisa-bench-clusters-'));
  const clusters = await Promise.all(REGIONS.map((name) => startFakeCluster({ name, controller: false })));
  try {
    const seeded = process.hrtime.bigint();
    clusters.forEach((c, i) => seed(c, i));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeKubeconfig(
      kubeconfig,
      clusters.map((cluster, i) => ({ context: `ctx-${i}`, cluster })),
    );
    const fleet = fleetFile(dir);
    console.log(`shisa cluster-read benchmark (Node ${process.versions.node}, ${process.arch})`);
    console.log(
      `3 fake clusters, each ${DEPLOYMENTS.toLocaleString('en-US')} Deployments, ${(DEPLOYMENTS * REPLICAS).toLocaleString('en-US')} Pods, ` +
        `${DEPLOYMENTS.toLocaleString('en-US')} ReplicaSets, ${NODES} Nodes (seeded in ${(Number(process.hrtime.bigint() - seeded) / 1e9).toFixed(1)} s)\n`,
    );
    const profDir = process.env.BENCH_CPU_PROF;
    const shisaArgs = [
      ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
      join(ROOT, 'bin', 'shisa.js'),
      'inventory',
      '--config',
      fleet,
      '--kubeconfig',
      kubeconfig,
      '--json',
    ];
    const before = clusters.map((c) => c.requests.length);
    const shisa = await best(3, () => run(process.execPath, shisaArgs));
    const shisaRequests = clusters.map((c, i) => (c.requests.length - before[i]!) / 3);
    const kubectlOne = (i: number) =>
      run('kubectl', [
        '--kubeconfig',
        kubeconfig,
        '--context',
        `ctx-${i}`,
        '--cache-dir',
        join(dir, `cache-${i}`),
        'get',
        'deployments,pods',
        '-A',
        '-o',
        'json',
      ]);
    await Promise.all(clusters.map((_, i) => kubectlOne(i))); // warm kubectl's discovery cache
    const mid = clusters.map((c) => c.requests.length);
    const kubectl = await best(3, async () => {
      const started = process.hrtime.bigint();
      const all = await Promise.all(clusters.map((_, i) => kubectlOne(i)));
      return {
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        code: all.find((r) => r.code !== 0)?.code ?? 0,
        bytes: all.reduce((n, r) => n + r.bytes, 0),
        err: all.map((r) => r.err).join(''),
      };
    });
    const kubectlRequests = clusters.map((c, i) => (c.requests.length - mid[i]!) / 3);
    const row = (name: string, r: { seconds: number; code: number | null; bytes: number }, requests: number[]) =>
      `${name.padEnd(8)} ${r.seconds.toFixed(2).padStart(6)} s  exit ${r.code}  ${(r.bytes / 1e6).toFixed(1).padStart(6)} MB out  requests per cluster ${requests.join(' / ')}`;
    console.log(row('shisa', shisa, shisaRequests));
    console.log(row('kubectl', kubectl, kubectlRequests));
    if (shisa.code !== 0) console.log(`\nshisa stderr:\n${shisa.err.slice(-3000)}`);
    if (kubectl.code !== 0) console.log(`\nkubectl stderr:\n${kubectl.err.slice(-3000)}`);
    const met = shisa.code === 0 && shisa.seconds <= TARGET_S && shisa.seconds <= kubectl.seconds;
    console.log(
      `\ntarget: shisa reads ${(3 * DEPLOYMENTS).toLocaleString('en-US')} workloads in <= ${TARGET_S} s and no slower than kubectl: ${met ? 'met' : 'NOT met'}`,
    );
    if (!met) process.exitCode = 1;
  } finally {
    await Promise.all(clusters.map((c) => c.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
