import { sortDiagnostics, type Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import type { ClusterMesh } from '../inventory/model.js';
import { readPeerAuthentications } from './peer-authentication.js';

/**
 * One cluster's mesh as `readCluster` keeps it: its PeerAuthentications read defensively,
 * and every problem found reading them or the workloads' pod labels (`labelProblems`), sorted.
 */
export function clusterMesh(
  cluster: string,
  peerAuthentications: readonly unknown[],
  labelProblems: readonly Diagnostic[],
): ClusterMesh {
  const reading = readPeerAuthentications(cluster, peerAuthentications);
  return {
    peerAuthentications: reading,
    diagnostics: sortDiagnostics([...labelProblems, ...reading.diagnostics]),
  };
}
