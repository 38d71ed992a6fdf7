/**
 * The three-cluster example (regions/examples/clusters/) end to end: `shisa inventory`, run as
 * an operator runs it, reads from three fake clusters seeded with manifests/ exactly the
 * workloads that inventory.yaml lists for the same fleet, keeps the StatefulSet and the
 * DaemonSet with their reasons, and reports each cluster's capacity next to the fleet's; with
 * one cluster down it still exits 0, marks that cluster unknown and lists the others.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkspace } from '../../scheduler/workspace/load-workspace.js';
import {
  EXAMPLE_FLEET,
  EXAMPLE_FLEET_FROM_FILE,
  REPO_ROOT,
  runShisa,
  startExampleClusters,
  type ExampleClusters,
} from './example-clusters.js';

const dir = mkdtempSync(join(tmpdir(), 'shisa-example-clusters-'));
const kubeconfig = join(dir, 'kubeconfig');
let example: ExampleClusters;

interface Demand {
  cpu: number;
  memoryGib: number;
}
interface InventoryJson {
  clusters: { region: string; context: string; server: string; state: string; fault?: { code: string } }[];
  capacity: {
    region: string;
    cluster: string;
    nodes: { counted: string[]; excluded: { name: string; reason: string }[]; allocatable: Demand };
    unaccounted: Demand;
    clusterCapacity: Demand;
    fleetCapacity?: Demand;
    effective: Demand;
  }[];
  workloads: {
    name: string;
    region: string;
    cpu: number;
    memoryGib: number;
    intent?: string;
    dependsOn: string[];
    pinned: boolean;
  }[];
  kept: {
    name: string;
    kind: string;
    region: string;
    cluster: string;
    reasons: { code: string; reason: string }[];
    listed: boolean;
  }[];
  duplicates: unknown[];
  diagnostics: unknown[];
}

/** The fields both sources give, in one shape. */
interface Listed {
  name: string;
  region: string;
  cpu: number;
  memoryGib: number;
  intent: string | null;
  dependsOn: string[];
}

const shisa = (...args: string[]) => runShisa(dir, args);

async function inventoryFromClusters(): Promise<{ code: number | null; stderr: string; json: InventoryJson }> {
  const r = await shisa('inventory', '--config', EXAMPLE_FLEET, '--kubeconfig', kubeconfig, '--json');
  expect(r.code, r.stderr).toBe(0);
  return { code: r.code, stderr: r.stderr, json: JSON.parse(r.stdout) as InventoryJson };
}

/** The same fleet's workloads from inventory.yaml, through the product's own loader. */
async function fromFile() {
  const loaded = await loadWorkspace(EXAMPLE_FLEET_FROM_FILE, { cwd: REPO_ROOT });
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const ws = loaded.workspace!;
  const workloads = ws.workloads
    .map((w) => listed({ ...w, dependsOn: w.dependsOn.map((d) => d.value) }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return { workloads, regions: ws.fleet.regions };
}

function listed(w: Omit<Listed, 'intent'> & { intent?: string }): Listed {
  return {
    name: w.name,
    region: w.region,
    cpu: w.cpu,
    memoryGib: w.memoryGib,
    intent: w.intent ?? null,
    dependsOn: [...w.dependsOn],
  };
}

beforeAll(async () => {
  example = await startExampleClusters(kubeconfig);
  // The Deployments' pods come from the fakes' controllers shortly after seeding.
  await example.whenPodsReady(15_000);
  expect(example.podsReady()).toBe(true);
}, 60_000);

afterAll(async () => {
  await example?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the three-cluster example', () => {
  it('reads from the clusters the workloads inventory.yaml lists, keeps what never moves, reports capacity', async () => {
    const { json, stderr } = await inventoryFromClusters();
    expect(stderr).toBe('');
    expect(json.diagnostics).toEqual([]);
    expect(json.duplicates).toEqual([]);
    expect(json.clusters.map((c) => [c.region, c.context, c.server, c.state])).toEqual(
      example.clusters.map((c) => [c.region, c.context, c.fake.url, 'read']),
    );

    const file = await fromFile();
    expect(file.workloads).toHaveLength(12);
    expect(json.workloads.map(listed)).toEqual(file.workloads);
    // Every kind the example seeds is in it: a CronJob, a StatefulSet, a DaemonSet, Deployments.
    expect(file.workloads.map((w) => w.name)).toEqual(
      expect.arrayContaining(['batch/nightly-report', 'payments/ledger-db', 'observability/log-agent']),
    );

    const dsReason = /^a DaemonSet: it runs on the nodes of its own cluster; shisa reads it, never moves it$/;
    const stsReason = /^a StatefulSet: its pods keep volumes and identities in their cluster; .*never moves it$/;
    expect(json.kept.map((k) => [k.name, k.kind, k.region, k.cluster, k.listed, k.reasons.map((r) => r.code)])).toEqual(
      [
        ['observability/log-agent', 'DaemonSet', 'region-tokyo-01', 'gke-tokyo-01', true, ['not-movable-kind']],
        ['payments/ledger-db', 'StatefulSet', 'region-tokyo-01', 'gke-tokyo-01', true, ['not-movable-kind']],
      ],
    );
    expect(json.kept[0]?.reasons[0]?.reason).toMatch(dsReason);
    expect(json.kept[1]?.reasons[0]?.reason).toMatch(stsReason);
    // Kept, and still listed (they count against Tokyo's capacity), pinned whatever the intents say.
    expect(json.workloads.filter((w) => w.pinned).map((w) => w.name)).toEqual([
      'observability/log-agent',
      'payments/ledger-db',
    ]);

    // Nodes: 4 × 15.89 cores / 58 GiB (Tokyo), 3 × the same (Osaka), 3 × 31.85 / 120 GiB and a
    // cordoned fourth (Finland). Unaccounted: each Japanese cluster's kube-proxy static pod.
    const fleetCapacity = (region: string) => file.regions.find((r) => r.name === region)?.capacity;
    const report = (region: string) => json.capacity.find((c) => c.region === region);
    expect(json.capacity.map((c) => c.region).sort()).toEqual(example.clusters.map((c) => c.region).sort());
    expect(report('region-tokyo-01')).toEqual({
      region: 'region-tokyo-01',
      cluster: 'gke-tokyo-01',
      nodes: {
        counted: [1, 2, 3, 4].map((i) => `gke-tokyo-01-pool-a-${i}`),
        excluded: [],
        allocatable: { cpu: 63.56, memoryGib: 232 },
      },
      unaccounted: { cpu: 0.1, memoryGib: 0.25 },
      clusterCapacity: { cpu: 63.46, memoryGib: 231.75 },
      fleetCapacity: { cpu: 64, memoryGib: 232 },
      effective: { cpu: 63.46, memoryGib: 231.75 },
    });
    expect(report('region-osaka-01')).toMatchObject({
      nodes: { counted: [1, 2, 3].map((i) => `gke-osaka-01-pool-a-${i}`), excluded: [] },
      unaccounted: { cpu: 0.1, memoryGib: 0.25 },
      clusterCapacity: { cpu: 47.57, memoryGib: 173.75 },
      fleetCapacity: { cpu: 48, memoryGib: 174 },
      effective: { cpu: 47.57, memoryGib: 173.75 },
    });
    expect(report('region-finland-01')).toMatchObject({
      nodes: {
        counted: [1, 2, 3].map((i) => `gke-finland-01-pool-a-${i}`),
        excluded: [{ name: 'gke-finland-01-pool-a-4', reason: 'cordoned (spec.unschedulable)' }],
        allocatable: { cpu: 95.55, memoryGib: 360 },
      },
      unaccounted: { cpu: 0, memoryGib: 0 },
      clusterCapacity: { cpu: 95.55, memoryGib: 360 },
      fleetCapacity: { cpu: 96, memoryGib: 360 },
      effective: { cpu: 95.55, memoryGib: 360 },
    });
    for (const c of json.capacity) expect(c.fleetCapacity).toEqual(fleetCapacity(c.region));
  });

  it('prints the same as text: clusters read, capacity, workloads and what stays', async () => {
    const r = await shisa('inventory', '--config', EXAMPLE_FLEET, '--kubeconfig', kubeconfig);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Clusters {4}3 read$/m);
    expect(r.stdout).toMatch(/^ {2}region-tokyo-01 +63\.46 +231\.75 +64 +232 +63\.46 CPU, 231\.75 GiB$/m);
    expect(r.stdout).toMatch(/^Workloads {3}12 workloads, 10 of them movable/m);
    expect(r.stdout).toMatch(/^ {2}payments\/ledger-db \(stays\) +region-tokyo-01 +12 +48 +payments-core +-$/m);
    expect(r.stdout).toMatch(/^Kept {8}2 workloads stay where they are$/m);
  });

  it('plans from inventory.yaml: batch to Finland, risk scoring only as far as Osaka (12 ms from the ledger)', async () => {
    const r = await shisa('plan', '--config', EXAMPLE_FLEET_FROM_FILE, '--no-record', '--json');
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      moves: { workload: string; from: string; to: string }[];
      verification: { applicable: boolean };
    };
    expect(plan.moves.map((m) => [m.workload, m.from, m.to]).sort()).toEqual([
      ['batch/etl-orders', 'region-tokyo-01', 'region-finland-01'],
      ['batch/image-resize', 'region-osaka-01', 'region-finland-01'],
      ['batch/nightly-report', 'region-tokyo-01', 'region-finland-01'],
      ['risk/scoring', 'region-tokyo-01', 'region-osaka-01'],
    ]);
    expect(plan.verification.applicable).toBe(true);
  });

  it('with one cluster down: exit 0, that cluster unknown (unreachable), the others still listed', async () => {
    const osaka = example.cluster('region-osaka-01');
    await osaka.fake.down();
    try {
      const { json } = await inventoryFromClusters();
      expect(json.clusters.map((c) => [c.region, c.state, c.fault?.code])).toEqual([
        ['region-tokyo-01', 'read', undefined],
        ['region-osaka-01', 'unknown', 'CLUSTER_UNREACHABLE'],
        ['region-finland-01', 'read', undefined],
      ]);
      const expected = (await fromFile()).workloads.filter((w) => w.region !== 'region-osaka-01');
      expect(expected).toHaveLength(9);
      expect(json.workloads.map(listed)).toEqual(expected);
      expect(json.capacity.map((c) => c.region).sort()).toEqual(['region-finland-01', 'region-tokyo-01']);
    } finally {
      await osaka.fake.up();
    }
  });
});
