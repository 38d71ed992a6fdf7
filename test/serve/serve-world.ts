/**
 * A world for `shisa serve`: three regions whose zones the shipped 2022 traces cover —
 * Madrid (ES), Oslo (NO) and São Paulo (BR) — each its own fake Kubernetes API server with one
 * node; the fake Electricity Maps server replaying those traces as this week's readings; the
 * fake Slack with a hook for the `sre` channel (everything) and one for `ops` (migrations). Batch work and two API workloads start in
 * Madrid; Oslo is the cleanest, so the first run moves them there. `api/feed` undoes its move
 * when it drifts (on_drift auto-remediate). The API workloads bound
 * their latency to `api/db` (pinned in Madrid) with `verify_via: ebpf_probe`, so their moves
 * wait for the enforcers' verdicts from Oslo. Test code: the product never imports it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeElectricityMaps } from '../fakes/electricity-maps-server.js';
import { startFakeCluster, type FakeCluster, type KubeObject } from '../fakes/kube/fake-cluster.js';
import { writeKubeconfig } from '../fakes/kube/kubeconfig.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import { workloadObjects } from '../apply/apply-world.js';
import { REPO_ROOT } from '../clusters/example-clusters.js';

export const MADRID = 'region-madrid-01';
export const OSLO = 'region-oslo-01';
export const SAO_PAULO = 'region-saopaulo-01';
export const REGIONS = [MADRID, OSLO, SAO_PAULO] as const;
const ZONES: Readonly<Record<string, readonly [string, string]>> = {
  [MADRID]: ['ES', 'ES'],
  [OSLO]: ['NO', 'NO'],
  [SAO_PAULO]: ['BR', 'BR'],
};
export const contextOf = (region: string) => `kube-${region.replace(/^region-|-01$/g, '')}`;
export const nodeOf = (region: string) => `${contextOf(region)}-node-1`;

/** The checks the enforcers report on, by the key the scheduler waits for. */
export const WEB_CHECK = 'api/web>api/db@web#0';
export const WORKER_CHECK = 'api/worker>api/db@worker#0';
export const FEED_CHECK = 'api/feed>api/db@feed#0';

export const EM_TOKEN = 'em-test-token';
export const READ_TOKEN = 'read-token-for-tests';
export const WRITE_TOKEN = 'write-token-for-tests';

export interface ServeWorldOptions {
  /** policy.schedule (default every 4 seconds). */
  readonly schedule?: string;
  /** policy.verify_window (default 3s). */
  readonly verifyWindow?: string;
  /** Batch workloads in Madrid (default 3). */
  readonly batch?: number;
}

export interface ServeWorld {
  readonly dir: string;
  readonly fleet: string;
  readonly kubeconfig: string;
  readonly clusters: ReadonlyMap<string, FakeCluster>;
  readonly carbon: FakeElectricityMaps;
  readonly slack: FakeSlack;
  /** The environment `shisa serve` runs with: tokens, the webhook, the Electricity Maps token. */
  readonly env: Readonly<Record<string, string>>;
  /** The regions whose cluster has each Deployment, with its ready replicas. */
  placement(): Map<string, { region: string; ready: number }[]>;
  close(): Promise<void>;
}

function fleetYaml(o: Required<ServeWorldOptions>, carbonUrl: string): string {
  const region = (name: string) =>
    `  - name: ${name}\n    zone: ${ZONES[name]![0]}\n    country: ${ZONES[name]![1]}\n    compliance: [ISO-27001]\n` +
    `    cluster: ${contextOf(name)}\n    capacity: { cpu: 40, memory_gib: 256 }\n`;
  return [
    'version: 1',
    'name: serve-world',
    'regions:',
    REGIONS.map(region).join(''),
    'latency_ms:',
    `  ${MADRID}: { ${OSLO}: 35, ${SAO_PAULO}: 190 }`,
    `  ${OSLO}: { ${SAO_PAULO}: 210 }`,
    'carbon:',
    '  source: electricitymaps',
    '  max_staleness: 3h',
    `  electricitymaps: { base_url: "${carbonUrl}", token_env: SHISA_TEST_EM_TOKEN, retries: 0, timeout: 2s }`,
    'policy:',
    `  schedule: "${o.schedule}"`,
    '  migration_budget: 100',
    '  min_saving: 1%',
    '  cooldown: 6h',
    '  ready_timeout: 20s',
    `  verify_window: ${o.verifyWindow}`,
    '  max_parallel: 10',
    'notify:',
    '  sre: { webhook_env: SHISA_TEST_SLACK_SRE }',
    '  ops: { webhook_env: SHISA_TEST_SLACK_OPS, events: [migrations] }',
    'intents: [intents/]',
    'inventory: { source: clusters }',
    '',
  ].join('\n');
}

const INTENTS = `// Batch work may run anywhere.
intent "batch" {
  workloads("batch/*")
  placement(flexible)
}

// The database stays in Madrid.
intent "db" {
  workloads("api/db")
  placement(critical)
}

// The API may move as long as the database stays within reach; the enforcers measure it.
intent "web" {
  workloads("api/web")
  placement(flexible)
  depends_on("api/db")
  constraint network_latency { max: 60ms, to: "api/db", verify_via: ebpf_probe, percentile: p99 }
}

// When the feed drifts after a move, the move is undone.
intent "feed" {
  workloads("api/feed")
  placement(flexible)
  depends_on("api/db")
  constraint network_latency { max: 60ms, to: "api/db", verify_via: ebpf_probe, percentile: p99 }
  on_drift(action: "auto-remediate", notify: "sre")
}

intent "worker" {
  workloads("api/worker")
  placement(flexible)
  depends_on("api/db")
  constraint network_latency { max: 60ms, to: "api/db", verify_via: ebpf_probe, percentile: p99 }
}
`;

function node(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: {
      capacity: { cpu: '64', memory: '512Gi', pods: '1000' },
      allocatable: { cpu: '64', memory: '512Gi', pods: '1000' },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

/** The 2022 traces as this week's readings: shifted by whole weeks so that now falls in 2022. */
function shiftToThisWeek(now: number): number {
  const week = 7 * 24 * 3600_000;
  const target = Date.UTC(2022, 5, 15);
  return Math.floor((now - target) / week) * week;
}

export async function startServeWorld(dir: string, options: ServeWorldOptions = {}): Promise<ServeWorld> {
  const o: Required<ServeWorldOptions> = { schedule: '*/4 * * * * *', verifyWindow: '3s', batch: 3, ...options };
  const traces = ['ES', 'NO', 'BR'].map((z) => join(REPO_ROOT, 'regions', 'data', 'hourly', `${z}_2022.csv`));
  const carbon = await FakeElectricityMaps.start({
    token: EM_TOKEN,
    traceFiles: traces,
    now: Date.now(),
    wallClock: true,
    shiftMs: shiftToThisWeek(Date.now()),
  });
  const slack = await FakeSlack.start();
  const hook = slack.addHook('sre');
  const ops = slack.addHook('ops');
  mkdirSync(join(dir, 'intents'), { recursive: true });
  const fleet = join(dir, 'fleet.yaml');
  writeFileSync(fleet, fleetYaml(o, carbon.baseUrl));
  writeFileSync(join(dir, 'intents', 'world.intent'), INTENTS);
  const madrid: KubeObject[] = [
    ...workloadObjects('api', 'db', 1),
    ...workloadObjects('api', 'web', 1),
    ...workloadObjects('api', 'worker', 1),
    ...workloadObjects('api', 'feed', 1),
  ];
  for (let i = 1; i <= o.batch; i++) madrid.push(...workloadObjects('batch', `job-${String(i).padStart(3, '0')}`, 1));
  const clusters = new Map<string, FakeCluster>();
  for (const region of REGIONS) {
    const fake = await startFakeCluster({ name: contextOf(region), controllerDelayMs: 20 });
    clusters.set(region, fake);
    fake.seed([node(nodeOf(region)), ...(region === MADRID ? madrid : [])]);
  }
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(
    kubeconfig,
    REGIONS.map((r) => ({ context: contextOf(r), cluster: clusters.get(r)! })),
  );
  return {
    dir,
    fleet,
    kubeconfig,
    clusters,
    carbon,
    slack,
    env: {
      SHISA_TEST_EM_TOKEN: EM_TOKEN,
      SHISA_TEST_SLACK_SRE: hook,
      SHISA_TEST_SLACK_OPS: ops,
      SHISA_API_READ_TOKEN: READ_TOKEN,
      SHISA_API_WRITE_TOKEN: WRITE_TOKEN,
    },
    placement: () => {
      const out = new Map<string, { region: string; ready: number }[]>();
      for (const [region, fake] of clusters)
        for (const d of fake.list('deployments')) {
          const name = `${d.metadata.namespace}/${d.metadata.name}`;
          const ready = ((d.status ?? {}) as { readyReplicas?: number }).readyReplicas ?? 0;
          out.set(name, [...(out.get(name) ?? []), { region, ready }]);
        }
      return out;
    },
    close: async () => {
      await Promise.all([...clusters.values()].map((c) => c.close()));
      await carbon.close();
      await slack.close();
    },
  };
}
