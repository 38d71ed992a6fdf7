import { describe, expect, it } from 'vitest';
import { diagnostic, diagnosticToJson, sortDiagnostics } from './diagnostic.js';
import { fieldSpan, objectSpan } from './object-span.js';
import { renderDiagnostic } from './render.js';
import { SourceFile } from './source-file.js';
import { spanLabel } from './span-label.js';

const ledger = { cluster: 'gke-tokyo-01', namespace: 'payments', kind: 'Deployment', name: 'ledger-writer' };

describe('object spans', () => {
  it('label a cluster object by cluster, namespace, kind, name and field', () => {
    expect(spanLabel(fieldSpan(ledger, 'metadata.annotations["shisa.io/depends-on"]'))).toBe(
      'cluster gke-tokyo-01: namespace payments, Deployment ledger-writer, metadata.annotations["shisa.io/depends-on"]',
    );
    expect(spanLabel(objectSpan({ cluster: 'c1', kind: 'Node', name: 'pool-a-1' }))).toBe('cluster c1: Node pool-a-1');
  });

  it('label a file span as file:line:col', () => {
    const s = new SourceFile('fleet.yaml', 'a\nbcd\n');
    expect(spanLabel(s.span(3))).toBe('fleet.yaml:2:2');
  });

  it('clip, make printable and redact what a cluster holds', () => {
    const label = spanLabel(
      objectSpan({ cluster: 'c', namespace: 'n', kind: 'Pod', name: `a\u001b[31m${'x'.repeat(500)}` }),
    );
    expect(label).not.toContain('\u001b');
    expect(label.length).toBeLessThan(140);
    const secret = spanLabel(objectSpan({ cluster: 'c', kind: 'Pod', name: 'xoxb-1234567890-abcdefghij' }));
    expect(secret).not.toContain('xoxb-1234567890');
  });

  it('render with the object as the head and in notes, without an excerpt', () => {
    const text = renderDiagnostic(
      diagnostic({
        code: 'cluster/bad-quantity',
        message: 'cpu request "lots" is not a Kubernetes quantity',
        span: fieldSpan(ledger, 'spec.template.spec.containers[0].resources.requests.cpu'),
        related: [{ message: 'also here', span: objectSpan({ ...ledger, cluster: 'gke-osaka-01' }) }],
      }),
    );
    expect(text).toBe(
      [
        'cluster gke-tokyo-01: namespace payments, Deployment ledger-writer, ' +
          'spec.template.spec.containers[0].resources.requests.cpu: ' +
          'error[cluster/bad-quantity]: cpu request "lots" is not a Kubernetes quantity',
        '  = note: also here at cluster gke-osaka-01: namespace payments, Deployment ledger-writer',
      ].join('\n'),
    );
  });

  it('carry the object in the JSON form, and no object for file spans', () => {
    const d = diagnostic({ code: 'c/d', message: 'm', span: fieldSpan(ledger, 'spec.replicas') });
    expect(diagnosticToJson(d)).toEqual({
      code: 'c/d',
      severity: 'error',
      message: 'm',
      file: 'cluster gke-tokyo-01',
      line: 0,
      col: 0,
      object: { ...ledger, field: 'spec.replicas' },
    });
    const s = new SourceFile('f', 'x');
    expect(diagnosticToJson(diagnostic({ code: 'c/d', message: 'm', span: s.span(0) }))).not.toHaveProperty('object');
  });

  it('sort by object within a cluster, file spans unchanged', () => {
    const at = (name: string, field?: string) =>
      diagnostic({ code: 'c/d', message: 'm', span: objectSpan({ ...ledger, name, ...(field ? { field } : {}) }) });
    const sorted = sortDiagnostics([at('b'), at('a', 'z'), at('a', 'b'), at('a')]);
    expect(sorted.map((d) => `${d.span.object?.name}.${d.span.object?.field ?? ''}`)).toEqual([
      'a.',
      'a.b',
      'a.z',
      'b.',
    ]);
  });
});
