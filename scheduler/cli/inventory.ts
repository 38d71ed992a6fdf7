import type { FleetClusters } from '../../regions/clusters/read-fleet-clusters.js';
import { diagnosticToJson, hasErrors, sortDiagnostics } from '../diagnostics/diagnostic.js';
import { loadWorkspace } from '../workspace/load-workspace.js';
import { renderFleetClusters } from './inventory-render.js';
import { EXIT, type CliIo } from './io.js';
import { printClusterDiagnostics } from './cluster-inventory.js';
import { readClusters } from './read-clusters.js';
import { printDiagnostics } from './report.js';

export interface InventoryOptions {
  readonly config: string;
  /** The kubeconfig file (default: $KUBECONFIG, then ~/.kube/config). */
  readonly kubeconfig?: string;
  readonly json?: boolean;
}

/**
 * `shisa inventory`: what the regions' clusters report — each cluster read or unknown (and
 * why), capacity as the cluster and the fleet see it, the workloads, what stays where it is
 * and why, duplicates. Reads only; changes nothing. Exit 0 when every cluster that could be
 * reached reads cleanly (an unreachable one is reported, not an error), 2 on invalid input:
 * the fleet, the kubeconfig, or objects in a cluster that shisa cannot read.
 */
export async function inventoryCommand(options: InventoryOptions, io: CliIo): Promise<number> {
  const loaded = await loadWorkspace(options.config, { cwd: io.cwd });
  if (!loaded.workspace) {
    printDiagnostics(io, loaded.diagnostics);
    return EXIT.invalidInput;
  }
  // In-flight migrations come from the journal once migrations run (shisa apply); none yet.
  const read = await readClusters(loaded.workspace, loaded.sources, { ...kubeconfigOf(options), inFlight: [] }, io);
  if (!read) return EXIT.invalidInput;
  const objectErrors = hasErrors(read.inventory.diagnostics);
  if (options.json) io.stdout(`${JSON.stringify(inventoryJson(read), null, 2)}\n`);
  else io.stdout(renderFleetClusters(read));
  printClusterDiagnostics(
    io,
    'inventory',
    read.inventory.diagnostics,
    objectErrors ? '; those objects stay where they are' : '',
  );
  return objectErrors ? EXIT.invalidInput : EXIT.ok;
}

const kubeconfigOf = (o: { readonly kubeconfig?: string }) =>
  o.kubeconfig !== undefined ? { kubeconfig: o.kubeconfig } : {};

function inventoryJson(read: FleetClusters): Record<string, unknown> {
  const inv = read.inventory;
  return {
    clusters: read.clusters.map((c) => ({
      region: c.region,
      context: c.context,
      server: c.server,
      state: c.state,
      ...(c.fault ? { fault: { code: c.fault.code, message: c.fault.message } } : {}),
      requests: c.stats.requests,
      ms: c.stats.ms,
    })),
    capacity: inv.capacity,
    workloads: inv.workloads.map((w) => ({
      name: w.name,
      region: w.region,
      cpu: w.cpu,
      memoryGib: w.memoryGib,
      ...(w.intent ? { intent: w.intent } : {}),
      dependsOn: w.dependsOn.map((d) => d.value),
      pinned: inv.pinned.has(w.name),
    })),
    kept: inv.kept,
    duplicates: inv.duplicates,
    diagnostics: sortDiagnostics(inv.diagnostics).map(diagnosticToJson),
  };
}
