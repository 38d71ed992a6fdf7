import { describe, expect, it } from 'vitest';
import { deployment } from '../inventory/kube-fixtures.test.js';
import { readCluster } from '../inventory/read-cluster.js';
import { fleetMesh } from './fleet-mesh.js';
import { FOO_STRICT, peerAuthentication } from './istio-fixtures.test.js';

describe('fleetMesh', () => {
  it("gathers every cluster's workload copies (with pod labels and intent), PeerAuthentications and problems", () => {
    const tokyo = readCluster({
      region: 'tokyo',
      cluster: 'gke-tokyo',
      deployments: [deployment('foo', 'web', { labels: { 'shisa.io/intent': 'shop' } })],
      peerAuthentications: [FOO_STRICT, peerAuthentication('foo', 'odd', { spec: 'x' })],
    });
    const osaka = readCluster({ region: 'osaka', cluster: 'gke-osaka', deployments: [deployment('foo', 'web')] });
    const m = fleetMesh([tokyo, osaka], [{ region: 'seoul', cluster: 'gke-seoul', why: 'timed out' }]);
    expect(m.workloads).toEqual([
      { name: 'foo/web', region: 'osaka', cluster: 'gke-osaka', labels: { app: 'web' } },
      { name: 'foo/web', region: 'tokyo', cluster: 'gke-tokyo', labels: { app: 'web' }, intent: 'shop' },
    ]);
    expect([...m.peerAuthentications.keys()]).toEqual(['gke-tokyo', 'gke-osaka']);
    expect(m.peerAuthentications.get('gke-tokyo')?.policies.map((p) => p.name)).toEqual(['default']);
    expect(m.peerAuthentications.get('gke-osaka')?.policies).toEqual([]);
    expect(m.unread).toEqual([{ region: 'seoul', cluster: 'gke-seoul', why: 'timed out' }]);
    expect(m.diagnostics.map((d) => [d.code, d.span.object?.name, d.span.object?.field])).toEqual([
      ['cluster/bad-field', 'odd', 'spec'],
    ]);
  });
});
