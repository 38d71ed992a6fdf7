import { describe, expect, it } from 'vitest';
import { effectiveMtls, type EffectiveMtls } from './effective-mtls.js';
import {
  FINANCE_STRICT,
  FINANCE_STRICT_8080_PLAIN,
  FINANCE_UNSET_8080_PLAIN,
  FOO_PERMISSIVE,
  FOO_STRICT,
  MESH_STRICT,
  peerAuthentication,
} from './istio-fixtures.test.js';
import { readPeerAuthentications } from './peer-authentication.js';

const FINANCE = { namespace: 'foo', labels: { app: 'finance', version: 'v1' } };
const OTHER = { namespace: 'foo', labels: { app: 'ledger' } };

function mtls(
  pods: { namespace: string; labels: Record<string, string> | undefined },
  items: unknown[],
  root?: string,
) {
  const reading = readPeerAuthentications('c', items);
  return effectiveMtls(pods, reading, root);
}

/** mode and the namespace/name that decides it, or why it cannot be told. */
function summary(e: EffectiveMtls): string {
  if (!e.determined) return `undetermined: ${e.because.map((b) => b.reason).join(', ')}`;
  const by = e.decidedBy
    ? `${e.decidedBy.scope} ${e.decidedBy.policy.namespace}/${e.decidedBy.policy.name}`
    : 'default';
  const ports = e.portLevel.map((p) => ` ${p.port}:${p.mode}`).join('');
  return `${e.mode} by ${by}${ports}`;
}

describe('effectiveMtls, by Istio precedence', () => {
  it('is PERMISSIVE, Istio’s default, when no policy applies', () => {
    expect(summary(mtls(FINANCE, []))).toBe('PERMISSIVE by default');
    expect(summary(mtls(FINANCE, [peerAuthentication('bar', 'default', { mtls: { mode: 'STRICT' } })]))).toBe(
      'PERMISSIVE by default',
    );
  });

  it('takes the mesh-wide policy of the root namespace, then the namespace-wide, then the workload-specific', () => {
    expect(summary(mtls(FINANCE, [MESH_STRICT]))).toBe('STRICT by mesh istio-system/default');
    expect(summary(mtls(FINANCE, [MESH_STRICT, FOO_PERMISSIVE]))).toBe('PERMISSIVE by namespace foo/default');
    // Istio's documented example: foo PERMISSIVE, but finance STRICT.
    expect(summary(mtls(FINANCE, [MESH_STRICT, FOO_PERMISSIVE, FINANCE_STRICT]))).toBe(
      'STRICT by workload foo/finance',
    );
    expect(summary(mtls(OTHER, [MESH_STRICT, FOO_PERMISSIVE, FINANCE_STRICT]))).toBe(
      'PERMISSIVE by namespace foo/default',
    );
  });

  it('matches a selector only when every one of its labels is on the pods, with that value', () => {
    const two = peerAuthentication('foo', 'two', {
      selector: { app: 'finance', version: 'v2' },
      mtls: { mode: 'DISABLE' },
    });
    expect(summary(mtls(FINANCE, [FOO_STRICT, two]))).toBe('STRICT by namespace foo/default');
    expect(summary(mtls({ namespace: 'foo', labels: { app: 'finance', version: 'v2' } }, [FOO_STRICT, two]))).toBe(
      'DISABLE by workload foo/two',
    );
    expect(summary(mtls({ namespace: 'foo', labels: {} }, [FOO_STRICT, two]))).toBe('STRICT by namespace foo/default');
  });

  it('takes the root namespace as a parameter', () => {
    const meshInOther = peerAuthentication('mesh-root', 'default', { mtls: { mode: 'DISABLE' } });
    expect(summary(mtls(FINANCE, [MESH_STRICT, meshInOther], 'mesh-root'))).toBe('DISABLE by mesh mesh-root/default');
    expect(summary(mtls(FINANCE, [MESH_STRICT, meshInOther]))).toBe('STRICT by mesh istio-system/default');
  });

  it('ignores a policy with a selector in the root namespace, and gives pods there only the mesh-wide one', () => {
    const rootSelector = peerAuthentication('istio-system', 'gw', {
      selector: { app: 'finance' },
      mtls: { mode: 'DISABLE' },
    });
    expect(summary(mtls(FINANCE, [MESH_STRICT, rootSelector]))).toBe('STRICT by mesh istio-system/default');
    const gateway = { namespace: 'istio-system', labels: { app: 'finance' } };
    expect(summary(mtls(gateway, [MESH_STRICT, rootSelector]))).toBe('STRICT by mesh istio-system/default');
  });

  it('lets UNSET inherit from the scope above, and a mesh-wide UNSET be PERMISSIVE', () => {
    const nsUnset = peerAuthentication('foo', 'default', { mtls: { mode: 'UNSET' } });
    const meshUnset = peerAuthentication('istio-system', 'default', {});
    const wlUnset = peerAuthentication('foo', 'finance', { selector: { app: 'finance' } });
    expect(summary(mtls(FINANCE, [MESH_STRICT, nsUnset, wlUnset]))).toBe('STRICT by mesh istio-system/default');
    expect(summary(mtls(FINANCE, [meshUnset, FOO_STRICT, wlUnset]))).toBe('STRICT by namespace foo/default');
    expect(summary(mtls(FINANCE, [meshUnset, nsUnset, wlUnset]))).toBe('PERMISSIVE by default');
    const e = mtls(FINANCE, [meshUnset, nsUnset, wlUnset]);
    expect(e.determined && e.selected.map((s) => `${s.scope} ${s.policy.name} ${s.policy.mode}`)).toEqual([
      'mesh default UNSET',
      'namespace default UNSET',
      'workload finance UNSET',
    ]);
  });

  it('lets the oldest win among several at one scope, then the first by name; the others are ignored', () => {
    const older = peerAuthentication('foo', 'zz-old', { createdAt: '2026-01-01T00:00:00Z', mtls: { mode: 'DISABLE' } });
    const newer = peerAuthentication('foo', 'aa-new', { createdAt: '2026-06-01T00:00:00Z', mtls: { mode: 'STRICT' } });
    expect(summary(mtls(FINANCE, [newer, older]))).toBe('DISABLE by namespace foo/zz-old');
    const e = mtls(FINANCE, [older, newer]);
    expect(e.determined && e.decidedBy?.ignored.map((p) => p.name)).toEqual(['aa-new']);

    const sameAgeB = peerAuthentication('foo', 'b', { selector: { app: 'finance' }, mtls: { mode: 'DISABLE' } });
    const sameAgeA = peerAuthentication('foo', 'a', { selector: { version: 'v1' }, mtls: { mode: 'STRICT' } });
    expect(summary(mtls(FINANCE, [sameAgeB, sameAgeA]))).toBe('STRICT by workload foo/a');

    const meshOld = peerAuthentication('istio-system', 'old', {
      createdAt: '2025-01-01T00:00:00Z',
      mtls: { mode: 'DISABLE' },
    });
    expect(summary(mtls(FINANCE, [MESH_STRICT, meshOld]))).toBe('DISABLE by mesh istio-system/old');
  });

  it('gives the port-level exceptions of the workload-specific policy, UNSET ports taking the workload mode', () => {
    expect(summary(mtls(FINANCE, [FINANCE_STRICT_8080_PLAIN]))).toBe('STRICT by workload foo/default 8080:DISABLE');
    // Documented: inherit the namespace mode, disable port 8080.
    const ns = peerAuthentication('foo', 'ns', { mtls: { mode: 'STRICT' } });
    expect(summary(mtls(FINANCE, [ns, FINANCE_UNSET_8080_PLAIN]))).toBe('STRICT by namespace foo/ns 8080:DISABLE');
    const same = peerAuthentication('foo', 'p', {
      selector: { app: 'finance' },
      mtls: { mode: 'STRICT' },
      portLevelMtls: { '80': { mode: 'STRICT' }, '81': { mode: 'UNSET' }, '82': { mode: 'PERMISSIVE' } },
    });
    expect(summary(mtls(FINANCE, [same]))).toBe('STRICT by workload foo/p 82:PERMISSIVE');
  });

  it('ignores portLevelMtls on namespace- and mesh-wide policies, as Istio does', () => {
    const nsPorts = peerAuthentication('foo', 'default', {
      mtls: { mode: 'STRICT' },
      portLevelMtls: { '8080': { mode: 'DISABLE' } },
    });
    expect(summary(mtls(FINANCE, [nsPorts]))).toBe('STRICT by namespace foo/default');
  });

  it('cannot tell when an unreadable policy may apply, and can when its place rules it out', () => {
    const bad = peerAuthentication('foo', 'broken', { mtls: { mode: 'strict' } });
    expect(summary(mtls(FINANCE, [FOO_STRICT, bad]))).toBe('undetermined: unreadable-policy');
    const badRoot = peerAuthentication('istio-system', 'broken', { mtls: { mode: 'strict' } });
    expect(summary(mtls(FINANCE, [FOO_STRICT, badRoot]))).toBe('undetermined: unreadable-policy');
    const badElsewhere = peerAuthentication('bar', 'broken', { mtls: { mode: 'strict' } });
    expect(summary(mtls(FINANCE, [FOO_STRICT, badElsewhere]))).toBe('STRICT by namespace foo/default');
    const badOtherPods = peerAuthentication('foo', 'broken', { selector: { app: 'ledger' }, mtls: { mode: 'x' } });
    expect(summary(mtls(FINANCE, [FOO_STRICT, badOtherPods]))).toBe('STRICT by namespace foo/default');
    expect(summary(mtls(OTHER, [FOO_STRICT, badOtherPods]))).toBe('undetermined: unreadable-policy');
    const badRootSelector = peerAuthentication('istio-system', 'b', {
      selector: { app: 'finance' },
      mtls: { mode: 'x' },
    });
    expect(summary(mtls(FINANCE, [FOO_STRICT, badRootSelector]))).toBe('STRICT by namespace foo/default');
    expect(summary(mtls(FINANCE, [FOO_STRICT, 'junk']))).toBe('undetermined: unreadable-policy');
  });

  it('cannot tell when the pods’ labels are unknown and a workload-specific policy is in their namespace', () => {
    const unknown = { namespace: 'foo', labels: undefined };
    expect(summary(mtls(unknown, [FOO_STRICT, FINANCE_STRICT]))).toBe('undetermined: labels-unknown');
    expect(summary(mtls(unknown, [FOO_STRICT]))).toBe('STRICT by namespace foo/default');
  });
});
