import { kubeconfigPaths, readKubeconfigs } from '../../regions/clusters/client/kubeconfig-files.js';
import { regionClusters, type RegionCluster } from '../../regions/clusters/client/region-kubeconfig.js';
import type { InFlightMigration } from '../../regions/clusters/inventory/index.js';
import { readFleetClusters, type FleetClusters } from '../../regions/clusters/read-fleet-clusters.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import type { Workspace } from '../workspace/model.js';
import { environmentOf, type CliIo } from './io.js';
import { printDiagnostics } from './report.js';

/** Where the clusters' credentials are, and what the journal says is moving. */
export interface ClusterAccess {
  /** The kubeconfig file (default: $KUBECONFIG, then ~/.kube/config). */
  readonly kubeconfig?: string;
  /** Migrations the journal says are under way (their workload runs in both regions meanwhile). */
  readonly inFlight: readonly InFlightMigration[];
}

/**
 * Reads every region's cluster for a command: the kubeconfig files, each region's context in
 * them, then the clusters themselves. Undefined when the kubeconfig or a region's context is
 * wrong (said on stderr: invalid input); a cluster that cannot be reached is a status in
 * what is returned, not a failure.
 */
export async function readClusters(
  ws: Workspace,
  sources: ReadonlyMap<string, SourceFile>,
  access: ClusterAccess,
  io: CliIo,
): Promise<FleetClusters | undefined> {
  const clusters = await regionAccess(ws, sources, access.kubeconfig, io);
  return clusters ? readFleetClusters(ws.fleet, clusters, access.inFlight) : undefined;
}

/**
 * Each region's cluster as the kubeconfig files reach it; undefined when the kubeconfig or a
 * region's context is wrong (said on stderr).
 */
export async function regionAccess(
  ws: Workspace,
  sources: ReadonlyMap<string, SourceFile>,
  kubeconfig: string | undefined,
  io: CliIo,
): Promise<RegionCluster[] | undefined> {
  const files = await readKubeconfigs(kubeconfigPaths(kubeconfig, environmentOf(io), io.cwd), io.cwd);
  const made = regionClusters(ws.fleet.regions, files.files, (f) => sources.get(f));
  const setup = [...files.diagnostics, ...made.diagnostics];
  if (hasErrors(setup)) {
    printDiagnostics(io, setup);
    return undefined;
  }
  return made.clusters;
}
