import { describe, expect, it } from 'vitest';

/**
 * PeerAuthentications as `kubectl get peerauthentications.security.istio.io -A -o json` lists
 * them: the examples of Istio's reference (istio.io, Configuration › Security › PeerAuthentication),
 * with the metadata an API server adds. A test file itself, so the build leaves it out.
 */

type Json = Record<string, unknown>;

let uid = 0;

export interface PeerAuthenticationInit {
  readonly createdAt?: string;
  readonly selector?: Record<string, unknown>;
  readonly mtls?: unknown;
  readonly portLevelMtls?: unknown;
  /** Replaces the whole spec (for hostile shapes). */
  readonly spec?: unknown;
}

export function peerAuthentication(namespace: string, name: string, o: PeerAuthenticationInit = {}): Json {
  uid++;
  const spec: Json = {};
  if (o.selector !== undefined) spec.selector = { matchLabels: o.selector };
  if (o.mtls !== undefined) spec.mtls = o.mtls;
  if (o.portLevelMtls !== undefined) spec.portLevelMtls = o.portLevelMtls;
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: {
      name,
      namespace,
      uid: `7a1e2b3c-0000-4000-8000-${String(uid).padStart(12, '0')}`,
      resourceVersion: String(5000 + uid),
      generation: 1,
      creationTimestamp: o.createdAt ?? '2026-11-30T08:00:00Z',
    },
    spec: o.spec !== undefined ? o.spec : spec,
  };
}

/** "Policy to require mTLS traffic for all workloads under namespace foo". */
export const FOO_STRICT = peerAuthentication('foo', 'default', { mtls: { mode: 'STRICT' } });

/** "allow both mTLS and plaintext traffic for all workloads under namespace foo, but require mTLS for workload finance". */
export const FOO_PERMISSIVE = peerAuthentication('foo', 'default', { mtls: { mode: 'PERMISSIVE' } });
export const FINANCE_STRICT = peerAuthentication('foo', 'finance', {
  selector: { app: 'finance' },
  mtls: { mode: 'STRICT' },
});

/** "strict mTLS for all finance workloads, but leaves the port 8080 to plaintext". */
export const FINANCE_STRICT_8080_PLAIN = peerAuthentication('foo', 'default', {
  selector: { app: 'finance' },
  mtls: { mode: 'STRICT' },
  portLevelMtls: { '8080': { mode: 'DISABLE' } },
});

/** "inherit mTLS mode from namespace (or mesh) settings, and disable mTLS for workload port 8080". */
export const FINANCE_UNSET_8080_PLAIN = peerAuthentication('foo', 'default', {
  selector: { app: 'finance' },
  mtls: { mode: 'UNSET' },
  portLevelMtls: { '8080': { mode: 'DISABLE' } },
});

/** The mesh-wide policy of Istio's mutual TLS migration task: root namespace, no selector. */
export const MESH_STRICT = peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } });

describe('the PeerAuthentication fixtures', () => {
  it('have the shape the API server lists', () => {
    expect(FINANCE_STRICT_8080_PLAIN).toMatchObject({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'foo', creationTimestamp: '2026-11-30T08:00:00Z' },
      spec: {
        selector: { matchLabels: { app: 'finance' } },
        mtls: { mode: 'STRICT' },
        portLevelMtls: { '8080': { mode: 'DISABLE' } },
      },
    });
    expect(peerAuthentication('a', 'b')).toMatchObject({ spec: {} });
  });
});
