import { sortDiagnostics, type Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import type { ClusterReading } from '../inventory/model.js';
import type { PeerAuthenticationReading } from './peer-authentication.js';
import type { TrafficWorkload } from './traffic-policy-drift.js';

/** A copy of a workload in one cluster, with the intent its label names (for coverage). */
export interface MeshWorkload extends TrafficWorkload {
  readonly intent?: string;
}

/** A region whose cluster could not be read: what runs there, and its policies, are unknown. */
export interface UnreadCluster {
  readonly region: string;
  readonly cluster: string;
  /** Why, in words (the cluster fault's message). */
  readonly why: string;
}

/** Everything the traffic-policy check needs from the fleet's clusters. */
export interface FleetMesh {
  /** Every copy of every workload read, by name, then cluster. */
  readonly workloads: readonly MeshWorkload[];
  /** Each cluster read, by context; a cluster not here was not read. */
  readonly peerAuthentications: ReadonlyMap<string, PeerAuthenticationReading>;
  readonly unread: readonly UnreadCluster[];
  /** Pod labels and PeerAuthentications that could not be read, sorted. */
  readonly diagnostics: readonly Diagnostic[];
}

/** The mesh of the clusters read (their readings) and of those that could not be. */
export function fleetMesh(readings: readonly ClusterReading[], unread: readonly UnreadCluster[]): FleetMesh {
  const workloads = readings.flatMap((r) =>
    r.workloads.map((w): MeshWorkload => ({
      name: w.name,
      region: w.region,
      cluster: w.cluster,
      labels: w.podLabels,
      ...(w.intent !== undefined ? { intent: w.intent } : {}),
    })),
  );
  workloads.sort((a, b) => compare(a.name, b.name) || compare(a.cluster, b.cluster));
  return {
    workloads,
    peerAuthentications: new Map(readings.map((r) => [r.cluster, r.mesh.peerAuthentications])),
    unread: [...unread].sort((a, b) => compare(a.region, b.region)),
    diagnostics: sortDiagnostics(readings.flatMap((r) => r.mesh.diagnostics)),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
