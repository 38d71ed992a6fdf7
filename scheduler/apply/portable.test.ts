import { describe, expect, it } from 'vitest';
import { labelled, MIGRATION_LABEL, portable, REPLICAS_BEFORE, samePortable } from './portable.js';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'etl',
    namespace: 'batch',
    uid: 'u-1',
    resourceVersion: '42',
    generation: 3,
    creationTimestamp: '2026-01-01T00:00:00Z',
    managedFields: [{ manager: 'kubectl' }],
    labels: { app: 'etl', 'shisa.io/intent': 'nightly', [MIGRATION_LABEL]: '7' },
    annotations: {
      'shisa.io/depends-on': 'db/main',
      [REPLICAS_BEFORE]: '2',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'deployment.kubernetes.io/revision': '3',
      team: 'data',
    },
  },
  spec: { replicas: 2, template: { metadata: { labels: { app: 'etl' } }, spec: { nodeName: 'n1', containers: [] } } },
  status: { readyReplicas: 2 },
};

describe('portable', () => {
  it("drops what the source cluster made and shisa's bookkeeping, and keeps what users wrote", () => {
    const p = portable(deployment);
    expect(p).toEqual({
      metadata: {
        name: 'etl',
        labels: { app: 'etl', 'shisa.io/intent': 'nightly' },
        annotations: { 'shisa.io/depends-on': 'db/main', team: 'data' },
      },
      spec: { replicas: 2, template: { metadata: { labels: { app: 'etl' } }, spec: { containers: [] } } },
    });
    expect(deployment.metadata.uid).toBe('u-1');
  });

  it("drops a Service's allocated addresses and node ports", () => {
    const svc = {
      kind: 'Service',
      metadata: { name: 's' },
      spec: {
        clusterIP: '10.0.0.1',
        clusterIPs: ['10.0.0.1'],
        ports: [{ port: 80, nodePort: 30080 }],
        selector: { a: 'b' },
      },
    };
    expect(portable(svc)).toEqual({ metadata: { name: 's' }, spec: { ports: [{ port: 80 }], selector: { a: 'b' } } });
  });

  it('labels a copy with its migration and namespace, and gives it its type', () => {
    const copy = labelled(deployment, { kind: 'Deployment', apiVersion: 'apps/v1' }, 12, 'batch');
    expect(copy.apiVersion).toBe('apps/v1');
    expect((copy.metadata as { labels: Record<string, string> }).labels[MIGRATION_LABEL]).toBe('12');
    expect((copy.metadata as { namespace: string }).namespace).toBe('batch');
  });

  it('calls a copy shisa made the same as its source, and a changed one different', () => {
    const copy = labelled(deployment, { kind: 'Deployment', apiVersion: 'apps/v1' }, 12, 'batch');
    const there = { ...copy, metadata: { ...(copy.metadata as object), uid: 'other', resourceVersion: '1' } };
    expect(samePortable(there, deployment)).toBe(true);
    expect(samePortable({ ...there, spec: { replicas: 3 } }, deployment)).toBe(false);
  });
});
