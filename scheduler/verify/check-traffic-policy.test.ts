import { describe, expect, it } from 'vitest';
import type { FleetMesh, MeshWorkload } from '../../regions/clusters/mesh/index.js';
import { readPeerAuthentications } from '../../regions/clusters/mesh/index.js';
import { FINANCE_STRICT, FOO_STRICT } from '../../regions/clusters/mesh/istio-fixtures.test.js';
import { SourceFile } from '../diagnostics/source-file.js';
import { loadIntentSource } from '../intent/index.js';
import { checkTrafficPolicy } from './check-traffic-policy.js';

const SOURCE = new SourceFile(
  'mesh.intent',
  [
    'intent "strict" {', // 1
    '  workloads("foo/*")',
    '  ensure(traffic_policy: "mTLS-strict")', // 3
    '  ensure(traffic_policy: "mTLS-strict")', // 4: the same again, checked once
    '}',
    'intent "named" {', // 6
    '  ensure(traffic_policy: "mTLS-permissive")', // 7
    '}',
  ].join('\n'),
);
const intents = loadIntentSource(SOURCE).intents;
const sources = (f: string) => (f === SOURCE.name ? SOURCE : undefined);

const tokyo = (name: string, labels: MeshWorkload['labels'], intent?: string): MeshWorkload => ({
  name,
  region: 'tokyo',
  cluster: 'gke-tokyo',
  labels,
  ...(intent ? { intent } : {}),
});

function mesh(workloads: MeshWorkload[], items: unknown[], unread: FleetMesh['unread'] = []): FleetMesh {
  return {
    workloads,
    peerAuthentications: new Map([['gke-tokyo', readPeerAuthentications('gke-tokyo', items)]]),
    unread,
    diagnostics: [],
  };
}

describe('checkTrafficPolicy', () => {
  it('proves what holds, with what sets the mode, and fails a drift naming the PeerAuthentication', () => {
    const check = checkTrafficPolicy(
      intents,
      mesh([tokyo('foo/finance', { app: 'finance' }), tokyo('foo/web', { app: 'web' }, 'named')], [FOO_STRICT]),
      sources,
    );
    expect(check.obligations.map((o) => [o.name, o.verdict, o.method])).toEqual([
      [
        'traffic policy mTLS-permissive of intent "named" holds for foo/web in cluster gke-tokyo',
        'unprovable',
        'evaluated',
      ],
      [
        'traffic policy mTLS-strict of intent "strict" holds for foo/finance in cluster gke-tokyo',
        'proven',
        'evaluated',
      ],
      ['traffic policy mTLS-strict of intent "strict" holds for foo/web in cluster gke-tokyo', 'proven', 'evaluated'],
    ]);
    expect(check.obligations[1]?.detail).toBe(
      'mTLS mode STRICT in region tokyo, set by the namespace-wide PeerAuthentication foo/default',
    );
    const drift = check.obligations[0]?.unprovable;
    expect(drift?.reason).toBe('unsat');
    expect(drift?.core.map((c) => [c.kind, c.text, c.span.object?.name ?? `${c.span.line}:${c.span.col}`])).toEqual([
      ['peer-authentication', 'the namespace-wide PeerAuthentication foo/default sets mTLS mode STRICT', 'default'],
      ['traffic-policy', 'ensure(traffic_policy: "mTLS-permissive") of intent "named"', '7:3'],
    ]);
    expect(check.diagnostics.map((d) => [d.code, d.severity, d.span.line])).toEqual([
      ['mesh/traffic-policy-drift', 'error', 7],
    ]);
  });

  it('an undecidable requirement is a warning (reason unknown), never proven', () => {
    const check = checkTrafficPolicy(
      intents,
      mesh([tokyo('foo/finance', undefined)], [FOO_STRICT, FINANCE_STRICT]),
      sources,
    );
    expect(check.obligations.map((o) => [o.verdict, o.unprovable?.reason])).toEqual([['warning', 'unknown']]);
    expect(check.obligations[0]?.detail).toMatch(/cannot be checked: the pods' labels could not be read/);
    expect(check.diagnostics.map((d) => [d.code, d.severity])).toEqual([['mesh/traffic-policy-unchecked', 'warning']]);
  });

  it('a cluster not read leaves every ensure of an intent that may run there unchecked', () => {
    const check = checkTrafficPolicy(
      intents,
      mesh([], [], [{ region: 'osaka', cluster: 'gke-osaka', why: 'connection refused' }]),
      sources,
    );
    expect(check.obligations.map((o) => [o.name, o.verdict])).toEqual([
      ['traffic policy mTLS-permissive of intent "named" holds in cluster gke-osaka', 'warning'],
      ['traffic policy mTLS-strict of intent "strict" holds in cluster gke-osaka', 'warning'],
    ]);
    expect(check.diagnostics.map((d) => d.span.line)).toEqual([7, 3]);
  });

  it('checks each copy of a workload, in each cluster it runs in, with the intents of every copy', () => {
    const osaka: MeshWorkload = { name: 'foo/web', region: 'osaka', cluster: 'gke-osaka', labels: {}, intent: 'named' };
    const m = mesh([tokyo('foo/web', {}), osaka], [FOO_STRICT]);
    const both: FleetMesh = {
      ...m,
      peerAuthentications: new Map([...m.peerAuthentications, ['gke-osaka', readPeerAuthentications('gke-osaka', [])]]),
    };
    const check = checkTrafficPolicy(intents, both, sources);
    expect(check.obligations.map((o) => [o.name, o.verdict])).toEqual([
      ['traffic policy mTLS-permissive of intent "named" holds for foo/web in cluster gke-osaka', 'warning'],
      ['traffic policy mTLS-permissive of intent "named" holds for foo/web in cluster gke-tokyo', 'unprovable'],
      ['traffic policy mTLS-strict of intent "strict" holds for foo/web in cluster gke-osaka', 'unprovable'],
      ['traffic policy mTLS-strict of intent "strict" holds for foo/web in cluster gke-tokyo', 'proven'],
    ]);
  });
});
