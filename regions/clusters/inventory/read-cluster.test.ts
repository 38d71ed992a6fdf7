import { describe, expect, it } from 'vitest';
import { renderDiagnostic } from '../../../scheduler/diagnostics/render.js';
import { container, cronJob, daemonSet, deployment, owned, pod, statefulSet } from './kube-fixtures.test.js';
import type { ClusterObjects } from './model.js';
import { readCluster } from './read-cluster.js';

const TOKYO = { region: 'region-tokyo-01', cluster: 'gke-tokyo-01' };
const read = (objects: Omit<ClusterObjects, 'region' | 'cluster'>) => readCluster({ ...TOKYO, ...objects });
const only = (objects: Omit<ClusterObjects, 'region' | 'cluster'>) => {
  const r = read(objects);
  expect(r.workloads).toHaveLength(1);
  return { w: r.workloads[0]!, diagnostics: r.diagnostics };
};
const req = (cpu: string, memory: string) => container({ requests: { cpu, memory } });

describe('readCluster: sizes', () => {
  it('sizes a Deployment as Σ container requests × replicas, in cores and GiB', () => {
    const { w, diagnostics } = only({
      deployments: [
        deployment('payments', 'ledger-writer', { replicas: 3, containers: [req('250m', '256Mi'), req('1', '1Gi')] }),
      ],
    });
    expect(w).toMatchObject({ name: 'payments/ledger-writer', kind: 'Deployment', region: 'region-tokyo-01' });
    expect(w.size).toEqual({ cpu: 3.75, memoryGib: 3.75 });
    expect(w.kept).toEqual([]);
    expect(diagnostics).toEqual([]);
  });

  it('counts one replica when spec.replicas is absent, and keeps a Deployment scaled to 0', () => {
    expect(only({ deployments: [deployment('a', 'b')] }).w.size).toEqual({ cpu: 0.5, memoryGib: 0.5 });
    const zero = only({ deployments: [deployment('a', 'b', { replicas: 0 })] }).w;
    expect(zero.size).toBeUndefined();
    expect(zero.kept.map((k) => k.code)).toEqual(['no-replicas']);
  });

  it('takes the largest init container when it exceeds the app containers, per resource', () => {
    const { w } = only({
      deployments: [
        deployment('a', 'b', {
          initContainers: [req('2', '128Mi'), req('100m', '64Mi')],
          containers: [req('500m', '1Gi'), req('500m', '1Gi')],
        }),
      ],
    });
    // cpu: max(2, 1) = 2; memory: max(128Mi, 2Gi) = 2Gi
    expect(w.size).toEqual({ cpu: 2, memoryGib: 2 });
  });

  it('adds sidecars (restartPolicy Always) to the app and to the init containers after them', () => {
    const sidecar = container({ name: 'mesh', requests: { cpu: '200m', memory: '128Mi' }, restartPolicy: 'Always' });
    const { w } = only({
      deployments: [
        deployment('a', 'b', {
          replicas: 2,
          // the migration runs after the sidecar started: 1 + 0.2 cores at once
          initContainers: [sidecar, req('1', '256Mi')],
          containers: [req('500m', '512Mi')],
        }),
      ],
    });
    // cpu: max(0.5 + 0.2, 1 + 0.2) = 1.2; memory: max(512 + 128, 256 + 128) Mi = 640Mi; × 2
    expect(w.size).toEqual({ cpu: 2.4, memoryGib: 1.25 });
  });

  it('adds the pod overhead and reads a limit as the request when no request is given', () => {
    const { w } = only({
      deployments: [
        deployment('a', 'b', {
          containers: [container({ limits: { cpu: '1', memory: '1Gi' } })],
          overhead: { cpu: '250m', memory: '120Mi' },
        }),
      ],
    });
    expect(w.size?.cpu).toBe(1.25);
    expect(w.size?.memoryGib).toBe(1.118); // 1144Mi = 1.1171875 GiB, rounded up to a thousandth
  });

  it('keeps a workload with no requests, with a reason, and guesses no size', () => {
    const { w, diagnostics } = only({ deployments: [deployment('a', 'b', { containers: [container()] })] });
    expect(w.size).toBeUndefined();
    expect(w.kept).toEqual([
      { code: 'no-requests', reason: expect.stringContaining('request no cpu or memory') as string },
    ]);
    expect(diagnostics).toEqual([]);
    const cpuOnly = only({
      deployments: [deployment('a', 'b', { containers: [container({ requests: { cpu: '1' } })] })],
    }).w;
    expect(cpuOnly.kept[0]?.reason).toContain('request no memory');
  });

  it('sizes a CronJob by one run: the job template × parallelism, at most completions', () => {
    expect(only({ cronJobs: [cronJob('batch', 'nightly', { parallelism: 4 })] }).w.size).toEqual({
      cpu: 2,
      memoryGib: 2,
    });
    expect(only({ cronJobs: [cronJob('batch', 'nightly')] }).w.size).toEqual({ cpu: 0.5, memoryGib: 0.5 });
    const clipped = only({ cronJobs: [cronJob('batch', 'nightly', { parallelism: 10, completions: 3 })] }).w;
    expect(clipped.size).toEqual({ cpu: 1.5, memoryGib: 1.5 });
    expect(clipped.kept).toEqual([]);
  });

  it('reads StatefulSets, DaemonSets and bare pods, and says they are never moved', () => {
    const r = read({
      statefulSets: [statefulSet('payments', 'ledger-db', { replicas: 3 })],
      daemonSets: [daemonSet('logging', 'fluent-bit', { desired: 5 })],
      pods: [pod('ops', 'debug-shell')],
    });
    expect(r.workloads.map((w) => [w.name, w.kind, w.size?.cpu, w.kept.map((k) => k.code)])).toEqual([
      ['logging/fluent-bit', 'DaemonSet', 2.5, ['not-movable-kind']],
      ['ops/debug-shell', 'Pod', 0.5, ['not-movable-kind']],
      ['payments/ledger-db', 'StatefulSet', 1.5, ['not-movable-kind']],
    ]);
    expect(r.workloads.map((w) => w.kept[0]?.reason)).toEqual([
      expect.stringContaining('DaemonSet'),
      expect.stringContaining('bare pod'),
      expect.stringContaining('StatefulSet'),
    ]);
  });

  it("makes bare pods workloads only within the fleet's namespaces and selector; the rest count for capacity", () => {
    const pods = [
      pod('kube-system', 'debug-shell', { node: 'n1' }),
      pod('payments', 'stray', { node: 'n1' }),
      pod('payments', 'tool', { node: 'n1', labels: { 'shisa.io/managed': 'true' } }),
    ];
    const selector = [{ key: 'shisa.io/managed', operator: '=' as const, values: ['true'] }];
    const r = read({ pods, bareScope: { namespaces: ['payments'], selector } });
    expect(r.workloads.map((w) => w.name)).toEqual(['payments/tool']);
    expect(r.pods.map((p) => p.name)).toEqual(['kube-system/debug-shell', 'payments/stray', 'payments/tool']);
    expect(read({ pods, bareScope: { namespaces: [] } }).workloads).toHaveLength(3);
  });

  it('counts a DaemonSet by its pods when its status does not say', () => {
    const ds = daemonSet('logging', 'fluent-bit');
    const pods = ['a', 'b'].map((n) =>
      pod('logging', `fluent-bit-${n}`, { owner: { kind: 'DaemonSet', name: 'fluent-bit' } }),
    );
    expect(only({ daemonSets: [ds], pods }).w.size).toEqual({ cpu: 1, memoryGib: 1 });
  });
});

describe('readCluster: hostile requests', () => {
  it('names the cluster, namespace, object and field of a nonsense request, and keeps the workload', () => {
    const { w, diagnostics } = only({
      deployments: [deployment('payments', 'ledger-writer', { containers: [req('lots', '1Gi')] })],
    });
    expect(w.size).toBeUndefined();
    expect(w.kept.map((k) => k.code)).toEqual(['unreadable']);
    expect(diagnostics.map((d) => [d.code, d.span.object?.field])).toEqual([
      ['cluster/bad-quantity', 'spec.template.spec.containers[0].resources.requests.cpu'],
    ]);
    expect(renderDiagnostic(diagnostics[0]!)).toBe(
      [
        'cluster gke-tokyo-01: namespace payments, Deployment ledger-writer, ' +
          'spec.template.spec.containers[0].resources.requests.cpu: error[cluster/bad-quantity]: ' +
          'cpu "lots" is not a Kubernetes quantity',
        '  = expected: a quantity of cores such as 250m, 1 or 0.5 (at most 64 characters)',
      ].join('\n'),
    );
  });

  it('refuses negative, non-finite and absurd requests, each at its field', () => {
    const { diagnostics } = only({
      deployments: [
        deployment('a', 'b', {
          initContainers: [req('-1', '1Gi')],
          containers: [
            req('1', 'Infinity'),
            req('1e400', '1Gi'),
            container({ requests: { cpu: Number.POSITIVE_INFINITY, memory: {} } }),
          ],
        }),
      ],
    });
    expect(diagnostics.map((d) => `${d.code} ${d.span.object?.field}`)).toEqual([
      'cluster/bad-quantity spec.template.spec.containers[0].resources.requests.memory',
      'cluster/out-of-range spec.template.spec.containers[1].resources.requests.cpu',
      'cluster/bad-quantity spec.template.spec.containers[2].resources.requests.cpu',
      'cluster/bad-quantity spec.template.spec.containers[2].resources.requests.memory',
      'cluster/bad-quantity spec.template.spec.initContainers[0].resources.requests.cpu',
    ]);
    expect(diagnostics.find((d) => d.span.object?.field?.includes('initContainers'))?.message).toBe(
      'cpu "-1" is negative',
    );
  });

  it('refuses a size beyond what a workload may request, at the replica count', () => {
    const { w, diagnostics } = only({
      deployments: [deployment('a', 'b', { replicas: 100_000, containers: [req('1', '1Gi')] })],
    });
    expect(w.size).toBeUndefined();
    expect(diagnostics.map((d) => [d.code, d.span.object?.field])).toEqual([['cluster/out-of-range', 'spec.replicas']]);
  });

  it('refuses replicas that are not a whole number, without a stack trace', () => {
    for (const replicas of ['three', -1, 1.5, 2 ** 31]) {
      const { w, diagnostics } = only({ deployments: [deployment('a', 'b', { replicas })] });
      expect(w.kept.map((k) => k.code)).toEqual(['unreadable']);
      expect(diagnostics.map((d) => [d.code, d.span.object?.field])).toEqual([['cluster/bad-field', 'spec.replicas']]);
    }
  });

  it('shows at most ten problems of one object and counts the rest', () => {
    const containers = Array.from({ length: 10_000 }, () => req('lots', 'lots'));
    const { diagnostics } = only({ deployments: [deployment('a', 'b', { containers })] });
    expect(diagnostics).toHaveLength(11);
    expect(diagnostics.find((d) => d.code === 'cluster/too-many-problems')?.message).toBe(
      '19990 more problems in this object not shown',
    );
  });

  it('clips a long value, escapes control characters and masks a token quoted back', () => {
    const { diagnostics } = only({
      deployments: [
        deployment('a', 'b', { containers: [req(`x\u001b[2J${'y'.repeat(5000)}`, 'xoxb-1234567890-abcdefghijkl')] }),
      ],
    });
    const text = diagnostics.map(renderDiagnostic).join('\n');
    expect(text).not.toContain('\u001b');
    expect(text).toContain('\\u001b');
    expect(text).not.toContain('y'.repeat(100));
    expect(text).not.toContain('xoxb-1234567890');
  });

  it('reports an item that is no object or has no valid name, and reads the others', () => {
    const r = read({ deployments: [42, { metadata: { namespace: 'a', name: 'Bad Name' } }, deployment('a', 'ok')] });
    expect(r.workloads.map((w) => w.name)).toEqual(['a/ok']);
    expect(r.diagnostics.map((d) => [d.code, d.span.object?.name])).toEqual([
      ['cluster/bad-object', '#1'],
      ['cluster/bad-object', '#2'],
    ]);
  });
});

describe('readCluster: intent label and depends-on annotation', () => {
  const annotated = (value: unknown) =>
    only({ deployments: [deployment('ml', 'train-001', { annotations: { 'shisa.io/depends-on': value } })] });

  it('takes the intent from the label shisa.io/intent', () => {
    const { w } = only({
      deployments: [deployment('ml', 'train-001', { labels: { 'shisa.io/intent': 'ml-training' } })],
    });
    expect(w.intent).toBe('ml-training');
  });

  it('refuses a label that is not an intent name, and keeps the workload', () => {
    const { w, diagnostics } = only({
      deployments: [deployment('ml', 'x', { labels: { 'shisa.io/intent': 'ML Training!' } })],
    });
    expect(w.intent).toBeUndefined();
    expect(w.kept.map((k) => k.code)).toEqual(['unreadable']);
    expect(diagnostics.map((d) => [d.code, d.span.object?.field])).toEqual([
      ['cluster/bad-intent-label', 'metadata.labels["shisa.io/intent"]'],
    ]);
  });

  it('never quotes a token set as the intent label', () => {
    const token = 'xoxb-123456789012-ABCdefGHIjklMNOp';
    const { diagnostics } = only({ deployments: [deployment('ml', 'x', { labels: { 'shisa.io/intent': token } })] });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics.map(renderDiagnostic).join('\n')).not.toContain('123456789012');
  });

  it('reads comma-separated namespace/name items, whitespace around them ignored', () => {
    const { w, diagnostics } = annotated(' ml/feature-store,\tpayments/ledger-db \n, ml/model-registry');
    expect(w.dependsOn.map((d) => d.value)).toEqual(['ml/feature-store', 'payments/ledger-db', 'ml/model-registry']);
    expect(w.dependsOn[0]?.span.object).toEqual({
      cluster: 'gke-tokyo-01',
      namespace: 'ml',
      kind: 'Deployment',
      name: 'train-001',
      field: 'metadata.annotations["shisa.io/depends-on"]',
    });
    expect(diagnostics).toEqual([]);
    expect(w.kept).toEqual([]);
  });

  it('warns about empty and repeated items, and refuses bad names and the workload itself', () => {
    const { w, diagnostics } = annotated('ml/a,,ml/a,ML/B,ml/train-001,nope');
    expect(w.dependsOn.map((d) => d.value)).toEqual(['ml/a']);
    expect(diagnostics.map((d) => [d.code, d.severity, d.message])).toEqual([
      ['cluster/bad-dependency', 'error', 'item 4 of annotation shisa.io/depends-on, "ML/B", is not namespace/name'],
      ['cluster/bad-dependency', 'error', 'item 6 of annotation shisa.io/depends-on, "nope", is not namespace/name'],
      [
        'cluster/duplicate-dependency',
        'warning',
        'item 3 of annotation shisa.io/depends-on, "ml/a", is listed before; it counts once',
      ],
      ['cluster/empty-dependency', 'warning', 'item 2 of annotation shisa.io/depends-on is empty; it is ignored'],
      ['cluster/self-dependency', 'error', 'item 5 of annotation shisa.io/depends-on names the workload itself'],
    ]);
    expect(diagnostics[0]?.hint).toBe('did you mean "ml/b"?');
    expect(w.kept.map((k) => k.code)).toEqual(['unreadable']);
  });

  it('refuses 10,000 items and a 1 MB value whole, in one message', () => {
    const many = annotated(Array.from({ length: 10_000 }, () => 'ml/a').join(','));
    expect(many.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['cluster/annotation-too-large', 'annotation shisa.io/depends-on has 10000 items; none of it was read'],
    ]);
    expect(many.w.dependsOn).toEqual([]);
    const huge = annotated('a'.repeat(1024 * 1024));
    expect(huge.diagnostics.map((d) => d.message)).toEqual([
      'annotation shisa.io/depends-on is 1048576 characters long; none of it was read',
    ]);
  });

  it('quotes a bad item clipped and escaped, never a token whole', () => {
    const { diagnostics } = annotated(`ml/a\u0007b,ghp_${'A1b2C3d4E5'.repeat(4)}`);
    const text = diagnostics.map(renderDiagnostic).join('\n');
    expect(text).toContain('"ml/a\\u0007b"');
    expect(text).not.toContain('\u0007');
    expect(text).not.toContain('A1b2C3d4E5A1b2C3');
  });

  it('refuses an annotation that is not a string', () => {
    expect(annotated(['ml/a']).diagnostics.map((d) => d.code)).toEqual(['cluster/bad-field']);
  });
});

describe('readCluster: owners', () => {
  it('follows Pod → ReplicaSet → Deployment, Pod → Job → CronJob, Pod → StatefulSet; others belong to none', () => {
    const r = read({
      deployments: [deployment('shop', 'web')],
      cronJobs: [cronJob('batch', 'nightly')],
      statefulSets: [statefulSet('payments', 'ledger-db')],
      replicaSets: [
        owned('ReplicaSet', 'shop', 'web-7d4f8b9c6d', { kind: 'Deployment', name: 'web' }),
        owned('ReplicaSet', 'shop', 'lone'),
      ],
      jobs: [owned('Job', 'batch', 'nightly-29000000', { kind: 'CronJob', name: 'nightly' })],
      pods: [
        pod('shop', 'web-7d4f8b9c6d-x2k9p', { owner: { kind: 'ReplicaSet', name: 'web-7d4f8b9c6d' } }),
        pod('batch', 'nightly-29000000-abcde', { owner: { kind: 'Job', name: 'nightly-29000000' } }),
        pod('payments', 'ledger-db-0', { owner: { kind: 'StatefulSet', name: 'ledger-db' } }),
        pod('shop', 'lone-abcde', { owner: { kind: 'ReplicaSet', name: 'lone' } }),
        pod('kube-system', 'etcd-node-a', { owner: { kind: 'Node', name: 'node-a' } }),
        pod('ops', 'debug'),
        pod('ops', 'done', { phase: 'Succeeded' }),
      ],
    });
    expect(r.pods.map((p) => [p.name, p.owner ? `${p.owner.kind} ${p.owner.name}` : '-'])).toEqual([
      ['batch/nightly-29000000-abcde', 'CronJob batch/nightly'],
      ['kube-system/etcd-node-a', '-'],
      ['ops/debug', 'Pod ops/debug'],
      ['payments/ledger-db-0', 'StatefulSet payments/ledger-db'],
      ['shop/lone-abcde', '-'],
      ['shop/web-7d4f8b9c6d-x2k9p', 'Deployment shop/web'],
    ]);
    expect(r.workloads.map((w) => w.name)).toEqual(['batch/nightly', 'ops/debug', 'payments/ledger-db', 'shop/web']);
  });

  it('keeps both of two kinds with one namespace/name, and reports the clash', () => {
    const r = read({ deployments: [deployment('shop', 'web')], statefulSets: [statefulSet('shop', 'web')] });
    expect(r.workloads.map((w) => [w.kind, w.kept.map((k) => k.code)])).toEqual([
      ['Deployment', ['name-clash']],
      ['StatefulSet', ['not-movable-kind', 'name-clash']],
    ]);
    expect(r.diagnostics.map((d) => [d.code, d.span.object?.kind])).toEqual([['cluster/name-clash', 'StatefulSet']]);
  });

  it('gives the same reading whatever order the objects come in', () => {
    const objects = [
      deployment('a', 'x'),
      deployment('b', 'y'),
      deployment('a', 'w', { containers: [req('lots', '1')] }),
    ];
    const forward = read({ deployments: objects });
    const backward = read({ deployments: [...objects].reverse() });
    expect(backward.workloads).toEqual(forward.workloads);
    expect(backward.diagnostics.map((d) => d.message)).toEqual(forward.diagnostics.map((d) => d.message));
  });

  it("keeps each workload's pod labels and the cluster's PeerAuthentications; what is unreadable there never stops planning", () => {
    const bad = deployment('shop', 'cart');
    ((bad.spec as Record<string, unknown>).template as Record<string, unknown>).metadata = { labels: { app: 7 } };
    const r = read({
      deployments: [deployment('shop', 'web'), bad],
      peerAuthentications: [
        {
          metadata: { namespace: 'shop', name: 'default', creationTimestamp: '2026-01-05T09:30:00Z' },
          spec: { mtls: { mode: 'STRICT' } },
        },
        {
          metadata: { namespace: 'shop', name: 'odd', creationTimestamp: '2026-01-05T09:30:00Z' },
          spec: { mtls: 'x' },
        },
      ],
    });
    expect(r.workloads.map((w) => [w.name, w.podLabels])).toEqual([
      ['shop/cart', undefined],
      ['shop/web', { app: 'web' }],
    ]);
    expect(r.workloads.map((w) => w.kept)).toEqual([[], []]);
    expect(r.diagnostics).toEqual([]);
    expect(r.mesh.peerAuthentications.policies.map((p) => [p.namespace, p.name, p.mode])).toEqual([
      ['shop', 'default', 'STRICT'],
    ]);
    expect(r.mesh.peerAuthentications.unreadable.map((p) => p.name)).toEqual(['odd']);
    expect(r.mesh.diagnostics.map((d) => renderDiagnostic(d).split('\n')[0])).toEqual([
      'cluster gke-tokyo-01: namespace shop, Deployment cart, spec.template.metadata.labels["app"]: ' +
        'error[cluster/bad-field]: spec.template.metadata.labels["app"] is 7',
      'cluster gke-tokyo-01: namespace shop, PeerAuthentication odd, spec.mtls: error[cluster/bad-field]: spec.mtls is "x"',
    ]);
  });
});
