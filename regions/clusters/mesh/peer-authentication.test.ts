import { describe, expect, it } from 'vitest';
import { spanLabel } from '../../../scheduler/diagnostics/span-label.js';
import {
  FINANCE_STRICT,
  FINANCE_STRICT_8080_PLAIN,
  FINANCE_UNSET_8080_PLAIN,
  FOO_PERMISSIVE,
  MESH_STRICT,
  peerAuthentication,
} from './istio-fixtures.test.js';
import { readPeerAuthentications } from './peer-authentication.js';

const shown = (r: ReturnType<typeof readPeerAuthentications>) =>
  r.diagnostics.map((d) => `${spanLabel(d.span)}: ${d.severity}[${d.code}] ${d.message}`);

describe('readPeerAuthentications', () => {
  it("reads Istio's documented examples: scope, selector, mode, port-level modes and age", () => {
    const r = readPeerAuthentications('gke-tokyo-01', [
      FINANCE_STRICT,
      FOO_PERMISSIVE,
      MESH_STRICT,
      peerAuthentication('bar', 'legacy', {
        createdAt: '2026-01-05T09:30:00.5+09:00',
        ...{ spec: { selector: { matchLabels: { app: 'legacy' } }, portLevelMtls: { '9090': {} } } },
      }),
    ]);
    expect(r.diagnostics).toEqual([]);
    expect(r.unreadable).toEqual([]);
    expect(r.policies.map((p) => ({ ...p, span: spanLabel(p.span) }))).toEqual([
      {
        cluster: 'gke-tokyo-01',
        namespace: 'bar',
        name: 'legacy',
        createdAt: Date.UTC(2026, 0, 5, 0, 30, 0, 500),
        selector: { app: 'legacy' },
        mode: 'UNSET',
        portLevel: [{ port: 9090, mode: 'UNSET' }],
        span: 'cluster gke-tokyo-01: namespace bar, PeerAuthentication legacy',
      },
      {
        cluster: 'gke-tokyo-01',
        namespace: 'foo',
        name: 'default',
        createdAt: Date.UTC(2026, 10, 30, 8),
        mode: 'PERMISSIVE',
        portLevel: [],
        span: 'cluster gke-tokyo-01: namespace foo, PeerAuthentication default',
      },
      {
        cluster: 'gke-tokyo-01',
        namespace: 'foo',
        name: 'finance',
        createdAt: Date.UTC(2026, 10, 30, 8),
        selector: { app: 'finance' },
        mode: 'STRICT',
        portLevel: [],
        span: 'cluster gke-tokyo-01: namespace foo, PeerAuthentication finance',
      },
      {
        cluster: 'gke-tokyo-01',
        namespace: 'istio-system',
        name: 'default',
        createdAt: Date.UTC(2026, 10, 30, 8),
        mode: 'STRICT',
        portLevel: [],
        span: 'cluster gke-tokyo-01: namespace istio-system, PeerAuthentication default',
      },
    ]);
  });

  it('reads portLevelMtls by port, in port order, and UNSET as written', () => {
    const [strict] = readPeerAuthentications('c', [FINANCE_STRICT_8080_PLAIN]).policies;
    expect(strict).toMatchObject({ mode: 'STRICT', portLevel: [{ port: 8080, mode: 'DISABLE' }] });
    const [unset] = readPeerAuthentications('c', [FINANCE_UNSET_8080_PLAIN]).policies;
    expect(unset).toMatchObject({ mode: 'UNSET', selector: { app: 'finance' } });
    const many = peerAuthentication('a', 'p', {
      portLevelMtls: { '9000': { mode: 'STRICT' }, '80': { mode: 'DISABLE' } },
    });
    expect(readPeerAuthentications('c', [many]).policies[0]!.portLevel).toEqual([
      { port: 80, mode: 'DISABLE' },
      { port: 9000, mode: 'STRICT' },
    ]);
  });

  it('reads an empty selector, or one without matchLabels, as no selector (namespace- or mesh-wide)', () => {
    const empty = peerAuthentication('a', 'empty', { selector: {}, mtls: { mode: 'STRICT' } });
    const bare = peerAuthentication('a', 'bare', { spec: { selector: {}, mtls: { mode: 'STRICT' } } });
    const noSpec = { ...peerAuthentication('a', 'nospec'), spec: undefined };
    const r = readPeerAuthentications('c', [empty, bare, noSpec]);
    expect(r.diagnostics).toEqual([]);
    expect(r.policies.map((p) => [p.name, 'selector' in p, p.mode])).toEqual([
      ['bare', false, 'STRICT'],
      ['empty', false, 'STRICT'],
      ['nospec', false, 'UNSET'],
    ]);
  });

  it('reports every malformed field at its cluster, namespace, object and field, and keeps the object unreadable', () => {
    const r = readPeerAuthentications('gke-tokyo-01', [
      peerAuthentication('payments', 'bad-mode', { mtls: { mode: 'strict' } }),
      peerAuthentication('payments', 'bad-labels', { selector: { app: 7, tier: 'web' }, mtls: { mode: 'STRICT' } }),
      peerAuthentication('payments', 'bad-ports', {
        mtls: { mode: 'STRICT' },
        portLevelMtls: { http: { mode: 'DISABLE' }, '70000': {}, '8080': 'DISABLE' },
      }),
      peerAuthentication('payments', 'bad-time', { createdAt: 'yesterday', mtls: { mode: 'STRICT' } }),
      peerAuthentication('payments', 'bad-spec', { spec: ['STRICT'] }),
      peerAuthentication('payments', 'bad-selector', { spec: { selector: 'app=web' } }),
      peerAuthentication('payments', 'bad-mtls', { mtls: 'STRICT' }),
    ]);
    expect(r.policies).toEqual([]);
    expect(shown(r).sort()).toEqual(
      [
        'namespace payments, PeerAuthentication bad-labels, spec.selector.matchLabels["app"]: error[cluster/bad-field] spec.selector.matchLabels["app"] is 7',
        'namespace payments, PeerAuthentication bad-mode, spec.mtls.mode: error[cluster/bad-field] spec.mtls.mode is "strict"',
        'namespace payments, PeerAuthentication bad-mtls, spec.mtls: error[cluster/bad-field] spec.mtls is "STRICT"',
        'namespace payments, PeerAuthentication bad-ports, spec.portLevelMtls["70000"]: error[cluster/bad-field] spec.portLevelMtls has the key "70000", not a port',
        'namespace payments, PeerAuthentication bad-ports, spec.portLevelMtls["8080"]: error[cluster/bad-field] spec.portLevelMtls["8080"] is "DISABLE"',
        'namespace payments, PeerAuthentication bad-ports, spec.portLevelMtls["http"]: error[cluster/bad-field] spec.portLevelMtls has the key "http", not a port',
        'namespace payments, PeerAuthentication bad-selector, spec.selector: error[cluster/bad-field] spec.selector is "app=web"',
        'namespace payments, PeerAuthentication bad-spec, spec: error[cluster/bad-field] spec is a list',
        'namespace payments, PeerAuthentication bad-time, metadata.creationTimestamp: error[cluster/bad-field] metadata.creationTimestamp is "yesterday"',
      ].map((l) => `cluster gke-tokyo-01: ${l}`),
    );
    expect(r.unreadable.map((u) => [u.namespace, u.name, u.selector])).toEqual([
      ['payments', 'bad-labels', 'unknown'],
      ['payments', 'bad-mode', undefined],
      ['payments', 'bad-mtls', undefined],
      ['payments', 'bad-ports', undefined],
      ['payments', 'bad-selector', 'unknown'],
      ['payments', 'bad-spec', undefined],
      ['payments', 'bad-time', undefined],
    ]);
    const expected = r.diagnostics.find((d) => d.message.includes('"strict"'))!.expected;
    expect(expected).toBe('UNSET, DISABLE, PERMISSIVE, STRICT');
  });

  it('keeps a readable selector of an object with another bad field, so it rules out pods it does not select', () => {
    const r = readPeerAuthentications('c', [
      peerAuthentication('a', 'p', { selector: { app: 'x' }, mtls: { mode: 'BOGUS' } }),
    ]);
    expect(r.unreadable).toEqual([expect.objectContaining({ namespace: 'a', name: 'p', selector: { app: 'x' } })]);
  });

  it('reports an item without a valid namespace and name by its place in the list, and counts it unreadable anywhere', () => {
    const noNamespace = peerAuthentication('x', 'default');
    delete (noNamespace.metadata as Record<string, unknown>).namespace;
    const r = readPeerAuthentications('c', [FOO_PERMISSIVE, noNamespace, 'junk']);
    expect(shown(r)).toEqual([
      'cluster c: PeerAuthentication #2, metadata.name: error[cluster/bad-object] PeerAuthentication number 2 of the list has no valid namespace and name; it is ignored',
      'cluster c: PeerAuthentication #3: error[cluster/bad-object] PeerAuthentication number 3 of the list has no valid namespace and name; it is ignored',
    ]);
    expect(r.unreadable.map((u) => [u.namespace, u.name])).toEqual([
      [undefined, '#2'],
      [undefined, '#3'],
    ]);
    expect(r.policies).toHaveLength(1);
  });

  it('does not read keys from the prototype, and shows at most 10 problems per object', () => {
    const proto = JSON.parse(
      '{"metadata":{"name":"p","namespace":"a","creationTimestamp":"2026-01-01T00:00:00Z"},' +
        '"spec":{"selector":{"matchLabels":{"__proto__":"x"}},"mtls":{"mode":"STRICT"}}}',
    ) as unknown;
    const [p] = readPeerAuthentications('c', [proto]).policies;
    expect(p!.selector).toEqual(JSON.parse('{"__proto__":"x"}'));
    expect(Object.prototype.hasOwnProperty.call(p!.selector, '__proto__')).toBe(true);

    const labels = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]));
    const r = readPeerAuthentications('c', [peerAuthentication('a', 'many', { selector: labels })]);
    expect(r.diagnostics).toHaveLength(11);
    expect(r.diagnostics[10]!.message).toBe('20 more problems in this object not shown');
  });

  it('gives the same reading for the same items in any order', () => {
    const items = [FINANCE_STRICT, FOO_PERMISSIVE, MESH_STRICT, peerAuthentication('b', 'x', { mtls: { mode: 'no' } })];
    const a = readPeerAuthentications('c', items);
    const b = readPeerAuthentications('c', [...items].reverse());
    expect(b.policies).toEqual(a.policies);
    expect(b.unreadable).toEqual(a.unreadable);
  });
});
