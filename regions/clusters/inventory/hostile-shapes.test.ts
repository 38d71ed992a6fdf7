import { describe, expect, it } from 'vitest';
import { renderDiagnostic } from '../../../scheduler/diagnostics/render.js';
import { clusterInventory } from './cluster-inventory.js';
import { container, cronJob, deployment, node, owned, pod } from './kube-fixtures.test.js';
import type { ClusterObjects } from './model.js';
import { ownerFields } from './owners.js';
import { readPodFacts } from './pod-facts.js';
import { readCluster } from './read-cluster.js';

type Json = Record<string, unknown>;

const REPLACEMENTS: readonly unknown[] = [null, 42, -1, 'lots', '', [], {}, true, '\u0000', 'x'.repeat(100_000)];

/** Every path to a value inside `o`, e.g. ['spec', 'template', 'spec', 'containers', '0']. */
function paths(o: unknown, prefix: string[] = []): string[][] {
  if (typeof o !== 'object' || o === null) return [prefix];
  return [prefix, ...Object.entries(o).flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

/** A deep copy of `o` with the value at `path` replaced. */
function replaced(o: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy: Json | unknown[] = Array.isArray(o) ? [...(o as unknown[])] : { ...(o as Json) };
  const [head, ...rest] = path as [string, ...string[]];
  (copy as Json)[head] = replaced((o as Json)[head], rest, value);
  return copy;
}

describe('hostile shapes', () => {
  const base: Required<Omit<ClusterObjects, 'region' | 'cluster' | 'bareScope' | 'podFacts'>> = {
    deployments: [
      deployment('shop', 'web', {
        annotations: { 'shisa.io/depends-on': 'shop/cart' },
        labels: { 'shisa.io/intent': 'shop' },
        initContainers: [container({ requests: { cpu: '1', memory: '1Gi' }, restartPolicy: 'Always' })],
      }),
    ],
    cronJobs: [cronJob('batch', 'nightly', { parallelism: 2 })],
    statefulSets: [],
    daemonSets: [],
    replicaSets: [owned('ReplicaSet', 'shop', 'web-1', { kind: 'Deployment', name: 'web' })],
    jobs: [owned('Job', 'batch', 'nightly-1', { kind: 'CronJob', name: 'nightly' })],
    pods: [pod('shop', 'web-1-a', { node: 'n1', owner: { kind: 'ReplicaSet', name: 'web-1' } })],
    nodes: [node('n1')],
    peerAuthentications: [
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { namespace: 'shop', name: 'web', creationTimestamp: '2026-01-05T09:30:00Z' },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          mtls: { mode: 'STRICT' },
          portLevelMtls: { '8080': { mode: 'PERMISSIVE' } },
        },
      },
    ],
  };

  it('never throws, whatever any field of any object holds, and locates every finding', () => {
    let cases = 0;
    for (const [list, items] of Object.entries(base) as [keyof typeof base, readonly unknown[]][]) {
      for (const path of paths(items[0]).filter((p) => items[0] !== undefined || p.length === 0)) {
        for (const value of REPLACEMENTS) {
          const objects = { ...base, [list]: [replaced(items[0], path, value)] };
          const reading = readCluster({ region: 'r1', cluster: 'c1', ...objects });
          // Read one by one as listed (readPodFacts, ownerFields), the objects give the very same reading.
          const podFacts = objects.pods.map((p, i) => readPodFacts(p, i, 'c1'));
          const slim = { replicaSets: objects.replicaSets.map(ownerFields), jobs: objects.jobs.map(ownerFields) };
          expect(readCluster({ region: 'r1', cluster: 'c1', ...objects, ...slim, pods: [], podFacts })).toEqual(
            reading,
          );
          const inv = clusterInventory([reading], { regions: [], inFlight: [] });
          for (const d of [...inv.diagnostics, ...reading.mesh.diagnostics]) {
            expect(d.span.object?.cluster, d.message).toBe('c1');
            const text = renderDiagnostic(d);
            expect(text.length, text.slice(0, 200)).toBeLessThan(1000);
            expect(text).not.toMatch(/\p{Cc}(?<!\n)/u);
          }
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(1000);
  });

  it('reads nothing from the prototype: __proto__ and constructor are plain keys', () => {
    const d = JSON.parse(
      '{"metadata":{"namespace":"a","name":"b","annotations":{"__proto__":{"shisa.io/depends-on":"x/y"}}},' +
        '"spec":{"template":{"spec":{"containers":[{"name":"c","resources":{"requests":{"constructor":"1","cpu":"1","memory":"1Gi"}}}]}}}}',
    ) as unknown;
    const r = readCluster({ region: 'r1', cluster: 'c1', deployments: [d] });
    expect(r.workloads[0]?.dependsOn).toEqual([]);
    expect(r.workloads[0]?.size).toEqual({ cpu: 1, memoryGib: 1 });
    expect(r.diagnostics).toEqual([]);
  });
});
