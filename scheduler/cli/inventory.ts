import { kubeconfigPaths, readKubeconfigs } from '../../regions/clusters/client/kubeconfig-files.js';
import { regionClusters } from '../../regions/clusters/client/region-kubeconfig.js';
import { readFleetClusters, type FleetClusters } from '../../regions/clusters/read-fleet-clusters.js';
import { capErrorsPerFile, diagnosticToJson, hasErrors, sortDiagnostics } from '../diagnostics/diagnostic.js';
import { renderDiagnostic } from '../diagnostics/render.js';
import { loadWorkspace } from '../workspace/load-workspace.js';
import { renderFleetClusters } from './inventory-render.js';
import { EXIT, environmentOf, type CliIo } from './io.js';
import { plural, printDiagnostics } from './report.js';

export interface InventoryOptions {
  readonly config: string;
  /** The kubeconfig file (default: $KUBECONFIG, then ~/.kube/config). */
  readonly kubeconfig?: string;
  readonly json?: boolean;
}

/** Cluster-object errors shown per cluster, at most (the rest are counted). */
const ERRORS_PER_CLUSTER = 50;

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
  const fleet = loaded.workspace.fleet;
  const env = environmentOf(io);
  const files = await readKubeconfigs(kubeconfigPaths(options.kubeconfig, env, io.cwd), io.cwd);
  const made = regionClusters(fleet.regions, files.files, (f) => loaded.sources.get(f));
  const setup = [...files.diagnostics, ...made.diagnostics];
  if (hasErrors(setup)) {
    printDiagnostics(io, setup);
    return EXIT.invalidInput;
  }
  // In-flight migrations come from the journal once migrations run (shisa apply); none yet.
  const read = await readFleetClusters(fleet, made.clusters, []);
  const objectErrors = hasErrors(read.inventory.diagnostics);
  if (options.json) io.stdout(`${JSON.stringify(inventoryJson(read), null, 2)}\n`);
  else io.stdout(renderFleetClusters(read));
  printObjectDiagnostics(io, read);
  return objectErrors ? EXIT.invalidInput : EXIT.ok;
}

function printObjectDiagnostics(io: CliIo, read: FleetClusters): void {
  const all = sortDiagnostics(read.inventory.diagnostics);
  if (all.length === 0) return;
  for (const d of capErrorsPerFile(all, ERRORS_PER_CLUSTER)) io.stderr(`${renderDiagnostic(d)}\n\n`);
  const errors = all.filter((d) => d.severity === 'error').length;
  const warnings = all.length - errors;
  const clusters = new Set(all.map((d) => d.span.object?.cluster ?? d.span.file)).size;
  const parts = [errors ? plural(errors, 'error') : '', warnings ? plural(warnings, 'warning') : ''].filter(Boolean);
  io.stderr(
    `shisa inventory: ${parts.join(' and ')} in the objects of ${plural(clusters, 'cluster')}` +
      (errors ? '; those objects stay where they are\n' : '\n'),
  );
}

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
