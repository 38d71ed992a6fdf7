import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import { spanLabel } from '../../../scheduler/diagnostics/span-label.js';
import { cronJob, daemonSet, deployment, metadata, statefulSet } from '../inventory/kube-fixtures.test.js';
import { podTemplateLabels } from './pod-template-labels.js';

/** Sets obj.a.b.c (creating objects on the way), as a test varies one field of a fixture. */
function put(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let here = obj;
  for (const key of path.slice(0, -1)) here = (here[key] ??= {}) as Record<string, unknown>;
  here[path[path.length - 1]!] = value;
}

const ref = (kind: string, name = 'w') => ({ cluster: 'gke-tokyo-01', namespace: 'shop', kind, name });

describe('podTemplateLabels', () => {
  it('reads the labels the pods of each kind get: the pod template’s, or a bare pod’s own', () => {
    const out: Diagnostic[] = [];
    const d = deployment('shop', 'web');
    (d.metadata as Record<string, unknown>).labels = { app: 'web', 'shisa.io/intent': 'storefront' };
    expect(podTemplateLabels('Deployment', d, ref('Deployment'), out)).toEqual({ app: 'web' });
    expect(podTemplateLabels('StatefulSet', statefulSet('shop', 'db'), ref('StatefulSet'), out)).toEqual({ app: 'db' });
    expect(podTemplateLabels('DaemonSet', daemonSet('shop', 'agent'), ref('DaemonSet'), out)).toEqual({
      app: 'agent',
    });
    const job = cronJob('shop', 'report');
    put(job, ['spec', 'jobTemplate', 'spec', 'template', 'metadata'], { labels: { app: 'report', tier: 'batch' } });
    expect(podTemplateLabels('CronJob', job, ref('CronJob'), out)).toEqual({ app: 'report', tier: 'batch' });
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: metadata('shop', 'debug'), spec: {} };
    expect(podTemplateLabels('Pod', pod, ref('Pod'), out)).toEqual({ app: 'debug' });
    expect(out).toEqual([]);
  });

  it('reads absent labels as none', () => {
    const out: Diagnostic[] = [];
    expect(podTemplateLabels('CronJob', cronJob('shop', 'report'), ref('CronJob'), out)).toEqual({});
    expect(podTemplateLabels('Deployment', { spec: { template: { metadata: null } } }, ref('Deployment'), out)).toEqual(
      {},
    );
    expect(podTemplateLabels('Deployment', {}, ref('Deployment'), out)).toEqual({});
    expect(out).toEqual([]);
  });

  it('reports labels that are not a string map at the object and field, and answers undefined', () => {
    const out: Diagnostic[] = [];
    const d = deployment('shop', 'web');
    put(d, ['spec', 'template', 'metadata'], { labels: { app: ['web'] } });
    expect(podTemplateLabels('Deployment', d, ref('Deployment', 'web'), out)).toBeUndefined();
    expect(podTemplateLabels('Pod', { metadata: { labels: 'app=x' } }, ref('Pod', 'p'), out)).toBeUndefined();
    expect(podTemplateLabels('StatefulSet', { spec: { template: 'x' } }, ref('StatefulSet', 's'), out)).toBeUndefined();
    expect(out.map((o) => `${spanLabel(o.span)}: ${o.code} ${o.message}`)).toEqual([
      'cluster gke-tokyo-01: namespace shop, Deployment web, spec.template.metadata.labels["app"]: cluster/bad-field spec.template.metadata.labels["app"] is a list',
      'cluster gke-tokyo-01: namespace shop, Pod p, metadata.labels: cluster/bad-field metadata.labels is "app=x"',
      'cluster gke-tokyo-01: namespace shop, StatefulSet s, spec.template: cluster/bad-field spec.template is "x"',
    ]);
  });
});
