import { describe, expect, it } from 'vitest';
import { renderDiagnostic } from '../../../scheduler/diagnostics/render.js';
import { SourceFile } from '../../../scheduler/diagnostics/source-file.js';
import { loadIntentSource } from '../../../scheduler/intent/index.js';
import {
  FINANCE_STRICT,
  FINANCE_STRICT_8080_PLAIN,
  FOO_PERMISSIVE,
  FOO_STRICT,
  MESH_STRICT,
  peerAuthentication,
} from './istio-fixtures.test.js';
import { readPeerAuthentications } from './peer-authentication.js';
import {
  MESH_CODES,
  trafficPolicyDiagnostic,
  trafficPolicyDrift,
  trafficRequirements,
  type TrafficPolicyInput,
  type TrafficRequirement,
  type TrafficWorkload,
} from './traffic-policy-drift.js';

const INTENTS = [
  'intent "fisc-payments" {', // 1
  '  workloads("foo/*")',
  '  ensure(traffic_policy: "mTLS-strict")', // 3
  '}',
  'intent "legacy" {', // 5
  '  workloads("foo/legacy")',
  '  target nodes("tokyo") {',
  '    ensure(traffic_policy: "plaintext")', // 8
  '  }',
  '}',
  'intent "open" {', // 11
  '  workloads("foo/ledger")',
  '  ensure(traffic_policy: "mTLS-permissive")', // 13
  '}',
].join('\n');
const SOURCE = new SourceFile('payments.intent', INTENTS);
const loaded = loadIntentSource(SOURCE);
const intent = (name: string) => loaded.intents.find((i) => i.name === name)!;

const finance: TrafficWorkload = {
  name: 'foo/finance',
  region: 'tokyo',
  cluster: 'gke-tokyo-01',
  labels: { app: 'finance' },
};
const ledger: TrafficWorkload = {
  name: 'foo/ledger',
  region: 'tokyo',
  cluster: 'gke-tokyo-01',
  labels: { app: 'ledger' },
};
const legacy: TrafficWorkload = {
  name: 'foo/legacy',
  region: 'tokyo',
  cluster: 'gke-tokyo-01',
  labels: { app: 'legacy' },
};

function requirement(workload: string, intentName: string): TrafficRequirement {
  const i = intent(intentName);
  return { workload, required: i.ensure[0]!.trafficPolicy, intent: i.name, span: i.ensure[0]!.span };
}

function run(items: unknown[], over: Partial<TrafficPolicyInput> = {}) {
  return trafficPolicyDrift({
    workloads: [finance, ledger],
    requirements: [requirement('foo/finance', 'fisc-payments'), requirement('foo/ledger', 'fisc-payments')],
    peerAuthentications: new Map([['gke-tokyo-01', readPeerAuthentications('gke-tokyo-01', items)]]),
    ...over,
  });
}

const brief = (ds: ReturnType<typeof run>) =>
  ds.map((d) => {
    const by =
      d.shownBy === undefined
        ? '-'
        : d.shownBy === 'Istio default'
          ? 'default'
          : `${d.shownBy.scope} ${d.shownBy.namespace}/${d.shownBy.name}`;
    return `${d.code} ${d.workload} ${d.required} ${d.effective ?? '?'} ${by}${'reason' in d ? ` (${d.reason})` : ''}`;
  });

describe('trafficPolicyDrift', () => {
  it('passes silently what Istio enforces as required', () => {
    expect(run([MESH_STRICT])).toEqual([]);
    expect(run([FOO_STRICT])).toEqual([]);
  });

  it('reports a mismatch as drift, with the PeerAuthentication that shows it and the intent that requires it', () => {
    // Istio's documented example: foo PERMISSIVE, finance STRICT. ledger drifts, finance holds.
    const ds = run([MESH_STRICT, FOO_PERMISSIVE, FINANCE_STRICT]);
    expect(brief(ds)).toEqual(['traffic-policy-drift foo/ledger mTLS-strict PERMISSIVE namespace foo/default']);
    const [d] = ds;
    expect(d).toMatchObject({
      code: 'traffic-policy-drift',
      workload: 'foo/ledger',
      cluster: 'gke-tokyo-01',
      region: 'tokyo',
      required: 'mTLS-strict',
      effective: 'PERMISSIVE',
      intent: 'fisc-payments',
      noPeerAuthentication: false,
      shownBy: { cluster: 'gke-tokyo-01', namespace: 'foo', name: 'default', scope: 'namespace' },
    });
    expect(SOURCE.text.slice(d!.span.start, d!.span.end)).toBe('ensure(traffic_policy: "mTLS-strict")');
    expect(d!.message).toBe(
      'foo/ledger in cluster gke-tokyo-01 (region tokyo): ensure(traffic_policy: "mTLS-strict") of intent ' +
        '"fisc-payments" requires mTLS mode STRICT, but its effective mode is PERMISSIVE, set by the namespace-wide ' +
        'PeerAuthentication foo/default',
    );
  });

  it('maps each traffic_policy to its mode: mTLS-permissive to PERMISSIVE, plaintext to DISABLE', () => {
    const requirements = [requirement('foo/ledger', 'open'), requirement('foo/legacy', 'legacy')];
    const workloads = [ledger, legacy];
    expect(brief(run([FOO_STRICT], { requirements, workloads }))).toEqual([
      'traffic-policy-drift foo/ledger mTLS-permissive STRICT namespace foo/default',
      'traffic-policy-drift foo/legacy plaintext STRICT namespace foo/default',
    ]);
    const legacyPlain = peerAuthentication('foo', 'legacy', { selector: { app: 'legacy' }, mtls: { mode: 'DISABLE' } });
    expect(run([FOO_PERMISSIVE, legacyPlain], { requirements, workloads })).toEqual([]);
  });

  it('names Istio’s default when no policy sets the mode, and names the newer policies Istio ignores', () => {
    const elsewhere = peerAuthentication('bar', 'default', { mtls: { mode: 'STRICT' } });
    const [d] = run([elsewhere]);
    expect(d).toMatchObject({ code: 'traffic-policy-drift', effective: 'PERMISSIVE', shownBy: 'Istio default' });
    expect(d!.message).toMatch(
      /effective mode is PERMISSIVE, Istio's default: no PeerAuthentication in namespace foo or the root namespace istio-system sets a mode for it$/,
    );
    const old = peerAuthentication('foo', 'old', { createdAt: '2025-01-01T00:00:00Z', mtls: { mode: 'PERMISSIVE' } });
    const [e] = run([old, FOO_STRICT]);
    expect(e!.message).toMatch(
      /set by the namespace-wide PeerAuthentication foo\/old; Istio ignores the newer default$/,
    );
  });

  it('treats a cluster without any PeerAuthentication as Istio’s default, and says none exists', () => {
    const ds = run([], {
      requirements: [requirement('foo/finance', 'fisc-payments'), requirement('foo/ledger', 'open')],
    });
    expect(brief(ds)).toEqual([
      'traffic-policy-drift foo/finance mTLS-strict PERMISSIVE default',
      'traffic-policy-unchecked foo/ledger mTLS-permissive PERMISSIVE default (no-peer-authentication)',
    ]);
    expect(ds[0]).toMatchObject({ noPeerAuthentication: true });
    expect(ds[0]!.message).toMatch(
      /effective mode is PERMISSIVE, Istio's default: no PeerAuthentication exists in cluster gke-tokyo-01 \(Istio may not be installed there\)$/,
    );
    expect(ds[1]!.message).toMatch(
      /holds only by Istio's default \(PERMISSIVE\): no PeerAuthentication exists in cluster gke-tokyo-01/,
    );
  });

  it('does not pass port-level exceptions it cannot check', () => {
    const ds = run([FINANCE_STRICT_8080_PLAIN, FOO_STRICT]);
    expect(brief(ds)).toEqual([
      'traffic-policy-unchecked foo/finance mTLS-strict STRICT workload foo/default (port-level)',
    ]);
    expect(ds[0]!.message).toMatch(/but port-level exceptions are not checked: ports 8080 DISABLE$/);
  });

  it('reports what it cannot read as unchecked, never as a pass', () => {
    const broken = peerAuthentication('foo', 'broken', { mtls: { mode: 'Strict' } });
    const ds = run([FOO_STRICT, broken]);
    expect(brief(ds)).toEqual([
      'traffic-policy-unchecked foo/finance mTLS-strict ? - (unreadable)',
      'traffic-policy-unchecked foo/ledger mTLS-strict ? - (unreadable)',
    ]);
    expect(ds[0]!.message).toMatch(
      /cannot be checked: PeerAuthentication foo\/broken could not be read \(see the diagnostics\)$/,
    );

    const unknownLabels = { ...finance, labels: undefined };
    const [u] = run([FOO_STRICT, FINANCE_STRICT], { workloads: [unknownLabels, ledger] });
    expect(u!.message).toMatch(
      /the pods' labels could not be read, and 1 workload-specific PeerAuthentication in namespace foo may select them/,
    );

    const notRead = run([FOO_STRICT], { peerAuthentications: new Map() });
    expect(brief(notRead)).toEqual([
      'traffic-policy-unchecked foo/finance mTLS-strict ? - (not-read)',
      'traffic-policy-unchecked foo/ledger mTLS-strict ? - (not-read)',
    ]);
    const missing = run([FOO_STRICT], { workloads: [finance] });
    expect(brief(missing)).toEqual(['traffic-policy-unchecked foo/ledger mTLS-strict ? - (not-read)']);
    expect(missing[0]!.message).toMatch(/the workload was not read from any cluster$/);
  });

  it('checks each copy of a workload in its own cluster, and a repeated requirement once', () => {
    const osaka: TrafficWorkload = { ...finance, region: 'osaka', cluster: 'gke-osaka-01' };
    const ds = trafficPolicyDrift({
      workloads: [finance, osaka],
      requirements: [requirement('foo/finance', 'fisc-payments'), requirement('foo/finance', 'fisc-payments')],
      peerAuthentications: new Map([
        ['gke-tokyo-01', readPeerAuthentications('gke-tokyo-01', [FOO_STRICT])],
        ['gke-osaka-01', readPeerAuthentications('gke-osaka-01', [FOO_PERMISSIVE])],
      ]),
    });
    expect(ds.map((d) => `${d.code} ${d.cluster} ${d.region}`)).toEqual(['traffic-policy-drift gke-osaka-01 osaka']);
  });

  it('takes the root namespace as a parameter', () => {
    const meshRoot = peerAuthentication('mesh-root', 'default', { mtls: { mode: 'STRICT' } });
    expect(brief(run([meshRoot]))).toHaveLength(2);
    expect(run([meshRoot], { rootNamespace: 'mesh-root' })).toEqual([]);
  });
});

describe('trafficRequirements', () => {
  it('gives each ensure of each covering intent, per workload, with the ensure statement’s span', () => {
    expect(loaded.diagnostics).toEqual([]);
    const reqs = trafficRequirements(
      [{ name: 'foo/ledger' }, { name: 'foo/legacy' }, { name: 'bar/x' }],
      [[intent('fisc-payments'), intent('open')], [intent('legacy')], []],
    );
    expect(reqs.map((r) => `${r.workload} ${r.intent} ${r.required} ${r.span.line}:${r.span.col}`)).toEqual([
      'foo/ledger fisc-payments mTLS-strict 3:3',
      'foo/ledger open mTLS-permissive 13:3',
      'foo/legacy legacy plaintext 8:5',
    ]);
  });
});

describe('trafficPolicyDiagnostic', () => {
  it('is an error at the ensure for a drift, with the PeerAuthentication as related location; a warning when unchecked', () => {
    const [drift] = run([FOO_PERMISSIVE]);
    const d = trafficPolicyDiagnostic(drift!, SOURCE);
    expect(d).toMatchObject({ code: MESH_CODES.drift, severity: 'error', span: { file: 'payments.intent', line: 3 } });
    expect(d.related?.map((r) => r.message)).toEqual(['the effective mode comes from the PeerAuthentication']);
    expect(d.related?.[0]?.span.object).toEqual({
      cluster: 'gke-tokyo-01',
      namespace: 'foo',
      kind: 'PeerAuthentication',
      name: 'default',
    });
    const text = renderDiagnostic(d);
    expect(text).toContain(
      'payments.intent:3:3: error[mesh/traffic-policy-drift]: foo/finance in cluster gke-tokyo-01',
    );
    expect(text).toContain(
      ' = note: the effective mode comes from the PeerAuthentication at cluster gke-tokyo-01: namespace foo, ' +
        'PeerAuthentication default',
    );
    expect(text).toContain(' 3 |   ensure(traffic_policy: "mTLS-strict")\n   |   ' + '^'.repeat(37));

    const [unchecked] = run([], { requirements: [requirement('foo/ledger', 'open')] });
    const w = trafficPolicyDiagnostic(unchecked!);
    expect(w).toMatchObject({ code: MESH_CODES.unchecked, severity: 'warning' });
    expect(w.related).toBeUndefined();
  });
});
