import { describe, expect, it } from 'vitest';
import { renderDiagnostic } from '../../../scheduler/diagnostics/render.js';
import { clusterInventory } from './cluster-inventory.js';
import { container, daemonSet, deployment, node, owned, pod, statefulSet } from './kube-fixtures.test.js';
import type { ClusterObjects, InFlightMigration } from './model.js';
import { readCluster } from './read-cluster.js';

const TOKYO = { region: 'region-tokyo-01', cluster: 'gke-tokyo-01' };
const OSAKA = { region: 'region-osaka-01', cluster: 'gke-osaka-01' };
const REGIONS = [
  { name: 'region-tokyo-01', capacity: { cpu: 768, memoryGib: 3072 } },
  { name: 'region-osaka-01', capacity: { cpu: 4, memoryGib: 3072 } },
];
type Objects = Omit<ClusterObjects, 'region' | 'cluster'>;

const inventory = (tokyo: Objects, osaka: Objects = {}, inFlight: readonly InFlightMigration[] = []) =>
  clusterInventory([readCluster({ ...TOKYO, ...tokyo }), readCluster({ ...OSAKA, ...osaka })], {
    regions: REGIONS,
    inFlight,
  });

const req = (cpu: string, memory: string) => container({ requests: { cpu, memory } });

describe('clusterInventory: workloads', () => {
  it('gives the Workload shape of the inventory file, sorted by name, with intent and dependencies', () => {
    const inv = inventory({
      deployments: [
        deployment('ml', 'train-001', {
          replicas: 2,
          containers: [req('8', '32Gi')],
          labels: { 'shisa.io/intent': 'ml-training' },
          annotations: { 'shisa.io/depends-on': 'ml/feature-store' },
        }),
        deployment('dev', 'env-001', { containers: [req('2', '4Gi')] }),
      ],
    });
    expect(
      inv.workloads.map(({ span: _s, dependsOn, ...w }) => ({ ...w, dependsOn: dependsOn.map((d) => d.value) })),
    ).toEqual([
      { name: 'dev/env-001', region: 'region-tokyo-01', cpu: 2, memoryGib: 4, dependsOn: [] },
      {
        name: 'ml/train-001',
        region: 'region-tokyo-01',
        cpu: 16,
        memoryGib: 64,
        intent: 'ml-training',
        dependsOn: ['ml/feature-store'],
      },
    ]);
    expect(inv.workloads[1]?.span.object).toEqual({
      cluster: 'gke-tokyo-01',
      namespace: 'ml',
      kind: 'Deployment',
      name: 'train-001',
    });
    expect(inv.pinned.size).toBe(0);
    expect(Object.isFrozen(inv.workloads[0])).toBe(true);
  });

  it('lists read-only kinds as pinned, and keeps unsized workloads out of the list with their reason', () => {
    const inv = inventory({
      statefulSets: [statefulSet('payments', 'ledger-db', { containers: [req('16', '128Gi')] })],
      deployments: [deployment('shop', 'no-requests', { containers: [container()] })],
    });
    expect(inv.workloads.map((w) => w.name)).toEqual(['payments/ledger-db']);
    expect([...inv.pinned]).toEqual(['payments/ledger-db']);
    expect(inv.kept.map((k) => [k.name, k.listed, k.reasons.map((r) => r.code)])).toEqual([
      ['payments/ledger-db', true, ['not-movable-kind']],
      ['shop/no-requests', false, ['no-requests']],
    ]);
  });
});

describe('clusterInventory: duplicates', () => {
  const web = () => deployment('shop', 'web', { containers: [req('1', '1Gi')] });

  it('makes the same movable workload in two clusters an exception naming both, and moves neither', () => {
    const inv = inventory({ deployments: [web()] }, { deployments: [web()] });
    expect(inv.duplicates).toEqual([
      {
        code: 'duplicate-workload',
        workload: 'shop/web',
        copies: [
          { region: 'region-osaka-01', cluster: 'gke-osaka-01', kind: 'Deployment' },
          { region: 'region-tokyo-01', cluster: 'gke-tokyo-01', kind: 'Deployment' },
        ],
        message:
          'shop/web runs in gke-osaka-01 (region-osaka-01) and gke-tokyo-01 (region-tokyo-01), and no journaled ' +
          'migration explains it; it is not moved until only one is left',
      },
    ]);
    expect(inv.workloads.map((w) => [w.name, w.region])).toEqual([['shop/web', 'region-osaka-01']]);
    expect([...inv.pinned]).toEqual(['shop/web']);
    expect(inv.kept.map((k) => [k.region, k.listed, k.reasons.map((r) => r.code)])).toEqual([
      ['region-osaka-01', true, ['duplicate']],
      ['region-tokyo-01', false, ['duplicate']],
    ]);
    expect(inv.diagnostics.map(renderDiagnostic)).toEqual([
      'cluster gke-tokyo-01: namespace shop, Deployment web: warning[cluster/duplicate-workload]: "shop/web" also runs ' +
        'in cluster gke-osaka-01 (region-osaka-01); it is not moved until one copy is left\n' +
        '  = note: the other copy at cluster gke-osaka-01: namespace shop, Deployment web',
    ]);
  });

  it('accepts both copies while a journaled migration between those regions runs, listing its source', () => {
    const migration = { workload: 'shop/web', from: 'region-tokyo-01', to: 'region-osaka-01' };
    const inv = inventory({ deployments: [web()] }, { deployments: [web()] }, [migration]);
    expect(inv.duplicates).toEqual([]);
    expect(inv.diagnostics).toEqual([]);
    expect(inv.workloads.map((w) => [w.name, w.region])).toEqual([['shop/web', 'region-tokyo-01']]);
    expect(inv.kept.map((k) => [k.region, k.listed, k.reasons.map((r) => r.code)])).toEqual([
      ['region-osaka-01', false, ['in-flight']],
      ['region-tokyo-01', true, ['in-flight']],
    ]);
  });

  it('does not let a migration of another workload, or between other regions, explain a duplicate', () => {
    const other = [{ workload: 'shop/cart', from: 'region-tokyo-01', to: 'region-osaka-01' }];
    expect(inventory({ deployments: [web()] }, { deployments: [web()] }, other).duplicates).toHaveLength(1);
    const elsewhere = [{ workload: 'shop/web', from: 'region-tokyo-01', to: 'region-seoul-01' }];
    expect(inventory({ deployments: [web()] }, { deployments: [web()] }, elsewhere).duplicates).toHaveLength(1);
  });

  it('lists a read-only workload that runs in every cluster once, without an exception', () => {
    const ds = () => daemonSet('logging', 'fluent-bit', { desired: 3 });
    const inv = inventory({ daemonSets: [ds()] }, { daemonSets: [ds()] });
    expect(inv.duplicates).toEqual([]);
    expect(inv.workloads.map((w) => [w.name, w.region])).toEqual([['logging/fluent-bit', 'region-osaka-01']]);
    expect(inv.kept.find((k) => k.region === 'region-tokyo-01')?.reasons.map((r) => r.code)).toEqual([
      'not-movable-kind',
      'also-elsewhere',
    ]);
  });
});

describe('clusterInventory: capacity', () => {
  const nodes = [
    node('pool-a-1', { cpu: '8', memory: '32Gi' }),
    node('pool-a-2', { cpu: '7910m', memory: '29Gi' }),
    node('pool-a-3', { cpu: '8', memory: '32Gi', ready: false }),
    node('pool-a-4', { cpu: '8', memory: '32Gi', unschedulable: true }),
    node('pool-a-5', {
      cpu: '8',
      memory: '32Gi',
      taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
    }),
    node('pool-a-6', {
      cpu: '8',
      memory: '32Gi',
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'PreferNoSchedule' }],
    }),
  ];

  it('sums the allocatable of Ready, schedulable nodes only, and says why the others are left out', () => {
    const [tokyo] = inventory({ nodes }).capacity.filter((c) => c.region === 'region-tokyo-01');
    expect(tokyo?.nodes.counted).toEqual(['pool-a-1', 'pool-a-2', 'pool-a-6']);
    expect(tokyo?.nodes.excluded).toEqual([
      { name: 'pool-a-3', reason: 'not Ready' },
      { name: 'pool-a-4', reason: 'cordoned (spec.unschedulable)' },
      { name: 'pool-a-5', reason: 'cordoned (taint node.kubernetes.io/unschedulable)' },
    ]);
    expect(tokyo?.nodes.allocatable).toEqual({ cpu: 23.91, memoryGib: 93 });
  });

  it('subtracts the requests of pods no listed workload accounts for, and not those of listed ones', () => {
    const inv = inventory({
      nodes,
      deployments: [deployment('shop', 'web', { replicas: 1, containers: [req('2', '4Gi')] })],
      replicaSets: [owned('ReplicaSet', 'shop', 'web-1', { kind: 'Deployment', name: 'web' })],
      pods: [
        pod('shop', 'web-1-abcde', {
          node: 'pool-a-1',
          owner: { kind: 'ReplicaSet', name: 'web-1' },
          containers: [req('2', '4Gi')],
        }),
        pod('kube-system', 'coredns-1', {
          node: 'pool-a-1',
          owner: { kind: 'ReplicaSet', name: 'coredns-1' },
          containers: [req('100m', '70Mi')],
        }),
        pod('kube-system', 'pending', {
          owner: { kind: 'Job', name: 'setup' },
          phase: 'Pending',
          containers: [req('1', '1Gi')],
        }),
        pod('kube-system', 'on-cordoned', {
          node: 'pool-a-4',
          owner: { kind: 'Job', name: 'x' },
          containers: [req('4', '4Gi')],
        }),
        pod('kube-system', 'finished', { node: 'pool-a-1', owner: { kind: 'Job', name: 'x' }, phase: 'Succeeded' }),
      ],
    });
    const tokyo = inv.capacity.find((c) => c.region === 'region-tokyo-01');
    expect(tokyo?.unaccounted).toEqual({ cpu: 1.1, memoryGib: 1.069 });
    expect(tokyo?.clusterCapacity).toEqual({ cpu: 22.81, memoryGib: 91.931 });
    expect(tokyo?.fleetCapacity).toEqual({ cpu: 768, memoryGib: 3072 });
    expect(tokyo?.effective).toEqual({ cpu: 22.81, memoryGib: 91.931 });
  });

  it('subtracts the pods of a workload that is not listed (no requests on the template, requests on the pods)', () => {
    const inv = inventory({
      nodes,
      deployments: [deployment('shop', 'web', { containers: [container()] })],
      replicaSets: [owned('ReplicaSet', 'shop', 'web-1', { kind: 'Deployment', name: 'web' })],
      pods: [
        pod('shop', 'web-1-a', {
          node: 'pool-a-1',
          owner: { kind: 'ReplicaSet', name: 'web-1' },
          containers: [req('1', '1Gi')],
        }),
      ],
    });
    expect(inv.capacity.find((c) => c.region === 'region-tokyo-01')?.unaccounted).toEqual({ cpu: 1, memoryGib: 1 });
  });

  it('takes the smaller of the fleet file and the cluster, per resource, and never goes below 0', () => {
    const inv = inventory(
      {},
      {
        nodes,
        pods: [
          pod('x', 'hog', { node: 'pool-a-1', owner: { kind: 'Job', name: 'hog' }, containers: [req('1', '200Gi')] }),
        ],
      },
    );
    const osaka = inv.capacity.find((c) => c.region === 'region-osaka-01');
    expect(osaka?.clusterCapacity).toEqual({ cpu: 22.91, memoryGib: 0 });
    expect(osaka?.effective).toEqual({ cpu: 4, memoryGib: 0 });
  });

  it('does not subtract a bare pod: it is a listed workload, which the planner counts against its region', () => {
    const inv = inventory({ nodes, pods: [pod('ops', 'debug', { node: 'pool-a-1', containers: [req('1', '1Gi')] })] });
    expect(inv.workloads.map((w) => [w.name, w.cpu])).toEqual([['ops/debug', 1]]);
    expect(inv.capacity.find((c) => c.region === 'region-tokyo-01')?.unaccounted).toEqual({ cpu: 0, memoryGib: 0 });
  });

  it('gives the same inventory whatever order the clusters come in', () => {
    const web = deployment('shop', 'web');
    const a = readCluster({ ...TOKYO, deployments: [web], nodes });
    const b = readCluster({ ...OSAKA, deployments: [web], nodes: [nodes[0]!] });
    const forward = clusterInventory([a, b], { regions: REGIONS, inFlight: [] });
    const backward = clusterInventory([b, a], { regions: REGIONS, inFlight: [] });
    expect(backward).toEqual(forward);
    expect(forward.capacity.map((c) => c.region)).toEqual(['region-osaka-01', 'region-tokyo-01']);
  });

  it('leaves out a NoExecute cordon too, and counts pods in phase Unknown (their node may still run them)', () => {
    const inv = inventory({
      nodes: [
        node('a', { cpu: '4', memory: '8Gi' }),
        node('b', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoExecute' }] }),
      ],
      pods: [
        pod('x', 'lost', {
          node: 'a',
          phase: 'Unknown',
          owner: { kind: 'Job', name: 'j' },
          containers: [req('1', '1Gi')],
        }),
      ],
    });
    const tokyo = inv.capacity.find((c) => c.region === 'region-tokyo-01');
    expect(tokyo?.nodes.counted).toEqual(['a']);
    expect(tokyo?.clusterCapacity).toEqual({ cpu: 3, memoryGib: 7 });
  });

  it('reports the cluster figure as effective for a region the fleet file does not name', () => {
    const inv = clusterInventory(
      [readCluster({ region: 'region-x', cluster: 'c', nodes: [node('a', { cpu: '2', memory: '4Gi' })] })],
      {
        regions: REGIONS,
        inFlight: [],
      },
    );
    expect(inv.capacity[0]).not.toHaveProperty('fleetCapacity');
    expect(inv.capacity[0]?.effective).toEqual({ cpu: 2, memoryGib: 4 });
  });

  it('names a node whose name Kubernetes would refuse by its place in the list', () => {
    const inv = inventory({ nodes: [node('ok'), node('Bad\u0007ghp_A1b2C3d4E5A1b2C3d4E5A1b2', { ready: false })] });
    expect(inv.capacity.find((c) => c.region === 'region-tokyo-01')?.nodes.excluded).toEqual([
      { name: '#2', reason: 'not Ready' },
    ]);
  });

  it('counts no node whose allocatable cannot be read, and locates the problem at the node', () => {
    const inv = inventory({ nodes: [node('bad-1', { cpu: 'lots' }), node('bad-2', { memory: null }), node('ok', {})] });
    const tokyo = inv.capacity.find((c) => c.region === 'region-tokyo-01');
    expect(tokyo?.nodes.counted).toEqual(['ok']);
    expect(inv.diagnostics.map((d) => [d.code, d.severity, d.span.object?.name, d.span.object?.field])).toEqual([
      ['cluster/bad-quantity', 'error', 'bad-1', 'status.allocatable.cpu'],
      ['cluster/uncounted-node', 'warning', 'bad-2', 'status.allocatable.memory'],
    ]);
    expect(renderDiagnostic(inv.diagnostics[0]!).split('\n')[0]).toBe(
      'cluster gke-tokyo-01: Node bad-1, status.allocatable.cpu: error[cluster/bad-quantity]: cpu "lots" is not a Kubernetes quantity',
    );
  });
});
