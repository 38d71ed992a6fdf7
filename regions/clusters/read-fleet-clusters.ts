import { nodePlacements, type NodePlacement } from './node-placements.js';
import type { Fleet } from '../fleet/model.js';
import type { ClusterFault } from './client/cluster-fault.js';
import { listCluster, type ReaderOptions, type ReadStats } from './client/list-cluster.js';
import type { RegionCluster } from './client/region-kubeconfig.js';
import {
  clusterInventory,
  readCluster,
  ownerFields,
  readPodFacts,
  type ClusterInventory,
  type InFlightMigration,
} from './inventory/index.js';
import { fleetMesh, type FleetMesh } from './mesh/fleet-mesh.js';

/** How reading one region's cluster went. */
export interface ClusterStatus {
  readonly region: string;
  readonly context: string;
  readonly server: string;
  /** `unknown`: the cluster could not be read; nothing moves into or out of its region. */
  readonly state: 'read' | 'unknown';
  readonly fault?: ClusterFault;
  readonly stats: ReadStats;
}

export interface FleetClusters {
  readonly clusters: readonly ClusterStatus[];
  /** The workloads, kept ones, duplicates and capacity of the clusters that could be read. */
  readonly inventory: ClusterInventory;
  /** What the readable clusters say about Istio's mTLS, and which clusters could not be read. */
  readonly mesh: FleetMesh;
  /** The readable clusters' nodes and what runs on each. */
  readonly nodes: readonly NodePlacement[];
}

/**
 * Reads every region's cluster at once (each with its own limits and retries), then puts what
 * the readable ones report together. A cluster that cannot be read is a status, not an
 * error: the others are used as usual.
 */
export async function readFleetClusters(
  fleet: Fleet,
  clusters: readonly RegionCluster[],
  inFlight: readonly InFlightMigration[],
  options: ReaderOptions = {},
): Promise<FleetClusters> {
  const scope = { namespaces: fleet.clusterInventory?.namespaces ?? [], ...selector(fleet) };
  // Pods, ReplicaSets and Jobs are read as their pages arrive, so the pages do not pile up.
  const listings = await Promise.all(
    clusters.map((c) =>
      listCluster(c, scope, options, { pod: (pod, i) => readPodFacts(pod, i, c.context), owner: ownerFields }),
    ),
  );
  const statuses = listings.map((l): ClusterStatus => ({
    region: l.cluster.region,
    context: l.cluster.context,
    server: l.cluster.server,
    state: l.ok ? 'read' : 'unknown',
    ...(l.ok ? {} : { fault: l.fault }),
    stats: l.stats,
  }));
  const requirements = fleet.clusterInventory?.requirements;
  const bareScope = { namespaces: scope.namespaces, ...(requirements ? { selector: requirements } : {}) };
  const readings = listings.flatMap((l) =>
    l.ok
      ? [
          readCluster({
            region: l.cluster.region,
            cluster: l.cluster.context,
            ...l.objects,
            pods: [],
            podFacts: l.objects.pods,
            bareScope,
          }),
        ]
      : [],
  );
  const readable = new Set(readings.map((r) => r.region));
  const regions = fleet.regions.filter((r) => readable.has(r.name));
  const unread = statuses.flatMap((s) =>
    s.state === 'unknown' ? [{ region: s.region, cluster: s.context, why: s.fault?.message ?? 'unreadable' }] : [],
  );
  return {
    clusters: statuses,
    inventory: clusterInventory(readings, { regions, inFlight }),
    mesh: fleetMesh(readings, unread),
    nodes: nodePlacements(readings),
  };
}

const selector = (fleet: Fleet): { selector?: string } =>
  fleet.clusterInventory?.selector ? { selector: fleet.clusterInventory.selector } : {};
