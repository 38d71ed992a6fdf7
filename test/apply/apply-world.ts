/**
 * A world for `shisa apply` on fake API servers: three regions (Tokyo, Osaka, Finland), each
 * its own fake cluster with one node, and flexible Deployments that a plan moves in two
 * batches — the `batch` namespace from Osaka to Finland, and the `jp` namespace (residency:
 * Japan only) from Tokyo into the room in Osaka those moves free (make-before-break: most of
 * them can start only once the first batch is done). Every workload has a ConfigMap, a
 * Secret and a Service of its own and shares one ConfigMap with its namespace, so a copy
 * carries what its pods need. Test code: the product never imports it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeCluster, type FakeCluster, type KubeObject } from '../fakes/kube/fake-cluster.js';
import { writeKubeconfig } from '../fakes/kube/kubeconfig.js';

export interface ApplyWorldOptions {
  /** Workloads in Osaka's `batch` namespace, bound for Finland (default 10). */
  readonly batch?: number;
  /** Workloads in Tokyo's `jp` namespace, bound for Osaka (default 12). */
  readonly jp?: number;
  /** Replicas per workload (default 1); each pod requests 1 core and 1 GiB. */
  readonly replicas?: number;
  /** How long the fakes' controllers take to make a Deployment's pods ready (default 20 ms). */
  readonly readinessDelayMs?: number;
  /** policy.verify_window (default "0s") and policy.ready_timeout (default "20s"). */
  readonly verifyWindow?: string;
  readonly readyTimeout?: string;
  readonly maxParallel?: number;
  readonly maxParallelPerCluster?: number;
}

export const TOKYO = 'region-tokyo-01';
export const OSAKA = 'region-osaka-01';
export const FINLAND = 'region-finland-01';
const CONTEXTS: Readonly<Record<string, string>> = {
  [TOKYO]: 'gke-tokyo-01',
  [OSAKA]: 'gke-osaka-01',
  [FINLAND]: 'gke-finland-01',
};
export const REGIONS = [TOKYO, OSAKA, FINLAND] as const;

export interface ApplyWorld {
  readonly dir: string;
  readonly fleet: string;
  readonly kubeconfig: string;
  /** The fake of each region. */
  readonly clusters: ReadonlyMap<string, FakeCluster>;
  /** Every workload (`namespace/name`) and the region it starts in. */
  readonly workloads: ReadonlyMap<string, string>;
  cluster(region: string): FakeCluster;
  /** Where each workload runs now: the regions whose cluster has its Deployment, with its ready replicas. */
  placement(): Map<string, { region: string; ready: number; labelled: string | undefined }[]>;
  /** Resolves once every seeded Deployment has all its replicas ready. */
  settled(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The fleet of three regions: the clusters' node gives 12.5 cores, the fleet allows `capacity` of them. */
function fleetYaml(o: Required<ApplyWorldOptions>, capacity: Readonly<Record<string, number>>): string {
  const region = (name: string, zone: string, country: string) =>
    `  - name: ${name}\n    zone: ${zone}\n    country: ${country}\n    compliance: [ISO-27001]\n` +
    `    cluster: ${CONTEXTS[name]}\n    capacity: { cpu: ${capacity[name]}, memory_gib: 256 }\n`;
  return [
    'version: 1',
    'name: apply-world',
    'regions:',
    region(TOKYO, 'JP-TK', 'JP') + region(OSAKA, 'JP-KN', 'JP') + region(FINLAND, 'FI', 'FI'),
    'latency_ms:',
    `  ${TOKYO}: { ${OSAKA}: 9, ${FINLAND}: 247 }`,
    `  ${OSAKA}: { ${FINLAND}: 256 }`,
    'carbon: { source: static, max_staleness: 2h }',
    'policy:',
    '  migration_budget: 1000',
    '  min_saving: 1%',
    '  cooldown: 6h',
    `  ready_timeout: ${o.readyTimeout}`,
    `  verify_window: ${o.verifyWindow}`,
    `  max_parallel: ${o.maxParallel}`,
    `  max_parallel_per_cluster: ${o.maxParallelPerCluster}`,
    'notify:',
    '  sre: { webhook_env: SHISA_TEST_SLACK_SRE }',
    'intents: [intents/]',
    'inventory: { source: clusters }',
    '',
  ].join('\n');
}

const INTENTS = `// Batch work may run anywhere; the jp namespace must stay in Japan.
intent "batch" {
  workloads("batch/*")
  placement(flexible)
}

intent "jp" {
  workloads("jp/*")
  placement(flexible)
  constraint residency { allow: ["JP"] }
}
`;

function node(name: string, cpu: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: {
      capacity: { cpu, memory: '512Gi', pods: '1000' },
      allocatable: { cpu, memory: '512Gi', pods: '1000' },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

/** A workload and what its pods need: its ConfigMap, Secret and Service, and its namespace's shared ConfigMap. */
export function workloadObjects(namespace: string, name: string, replicas: number): KubeObject[] {
  const labels = { app: name };
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-config`, namespace }, data: { mode: name } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${name}-secret`, namespace },
      type: 'Opaque',
      data: { token: Buffer.from(`token-of-${name}`).toString('base64') },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace },
      spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            volumes: [
              { name: 'config', configMap: { name: `${name}-config` } },
              { name: 'shared', configMap: { name: 'shared-config' } },
            ],
            containers: [
              {
                name: 'main',
                image: `example.com/${namespace}/${name}:1.0`,
                env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: `${name}-secret`, key: 'token' } } }],
                resources: { requests: { cpu: '1', memory: '1Gi' } },
              },
            ],
          },
        },
      },
    },
  ];
}

export async function startApplyWorld(dir: string, options: ApplyWorldOptions = {}): Promise<ApplyWorld> {
  const o: Required<ApplyWorldOptions> = {
    batch: 10,
    jp: 12,
    replicas: 1,
    readinessDelayMs: 20,
    verifyWindow: '0s',
    readyTimeout: '20s',
    maxParallel: 10,
    maxParallelPerCluster: 6,
    ...options,
  };
  // Osaka holds its batch work plus two cores; Finland exactly the batch work; Tokyo plenty.
  const capacity = {
    [TOKYO]: (o.batch + o.jp) * o.replicas + 8,
    [OSAKA]: (o.batch + 2) * o.replicas,
    [FINLAND]: o.batch * o.replicas,
  };
  mkdirSync(join(dir, 'intents'), { recursive: true });
  const fleet = join(dir, 'fleet.yaml');
  writeFileSync(fleet, fleetYaml(o, capacity));
  writeFileSync(join(dir, 'intents', 'world.intent'), INTENTS);
  const seeds: Record<string, KubeObject[]> = { [TOKYO]: [], [OSAKA]: [], [FINLAND]: [] };
  const workloads = new Map<string, string>();
  const place = (region: string, namespace: string, count: number) => {
    seeds[region]!.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'shared-config', namespace },
      data: { shared: namespace },
    });
    for (let i = 1; i <= count; i++) {
      const name = `${namespace}-${String(i).padStart(3, '0')}`;
      seeds[region]!.push(...workloadObjects(namespace, name, o.replicas));
      workloads.set(`${namespace}/${name}`, region);
    }
  };
  place(OSAKA, 'batch', o.batch);
  place(TOKYO, 'jp', o.jp);
  const clusters = new Map<string, FakeCluster>();
  try {
    for (const region of REGIONS) {
      const fake = await startFakeCluster({ name: CONTEXTS[region], controllerDelayMs: o.readinessDelayMs });
      clusters.set(region, fake);
      fake.seed([node(`${CONTEXTS[region]}-node-1`, String(capacity[region] + 0.5)), ...seeds[region]!]);
    }
  } catch (err) {
    await Promise.all([...clusters.values()].map((c) => c.close()));
    throw err;
  }
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(
    kubeconfig,
    REGIONS.map((r) => ({ context: CONTEXTS[r]!, cluster: clusters.get(r)! })),
  );
  const world: ApplyWorld = {
    dir,
    fleet,
    kubeconfig,
    clusters,
    workloads,
    cluster: (region) => {
      const c = clusters.get(region);
      if (!c) throw new Error(`no cluster for ${region}`);
      return c;
    },
    placement: () => placementOf(clusters),
    settled: async (timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      const ready = () =>
        [...workloads.keys()].every((w) => (placementOf(clusters).get(w) ?? []).some((p) => p.ready >= o.replicas));
      while (!ready()) {
        if (Date.now() > deadline) throw new Error(`the fakes did not make every workload ready in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: async () => {
      await Promise.all([...clusters.values()].map((c) => c.close()));
    },
  };
  return world;
}

function placementOf(clusters: ReadonlyMap<string, FakeCluster>) {
  const out = new Map<string, { region: string; ready: number; labelled: string | undefined }[]>();
  for (const [region, fake] of clusters)
    for (const d of fake.list('deployments')) {
      const name = `${d.metadata.namespace}/${d.metadata.name}`;
      const status = (d.status ?? {}) as { readyReplicas?: number };
      const labelled = d.metadata.labels?.['shisa.io/migration'];
      out.set(name, [...(out.get(name) ?? []), { region, ready: status.readyReplicas ?? 0, labelled }]);
    }
  return out;
}
