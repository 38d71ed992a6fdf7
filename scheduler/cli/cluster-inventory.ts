import type { JournalView } from '../../db/journal-view.js';
import { capErrorsPerFile, hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { renderDiagnostic } from '../diagnostics/render.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import { loadedInventory } from '../run/loaded-inventory.js';
import type { FleetClusters } from '../../regions/clusters/read-fleet-clusters.js';
import type { InventoryRead, InventorySource } from '../run/ports.js';
import { clusterWorkloads } from '../workspace/cluster-workloads.js';
import type { Workspace } from '../workspace/model.js';
import { EXIT, type CliIo } from './io.js';
import { readClusters } from './read-clusters.js';
import { plural } from './report.js';

/** A journal with nothing in it: what a command that does not open the store knows. */
export const NO_JOURNAL: JournalView = Object.freeze({ underWay: [], lastMovedAt: new Map<string, number>() });

/** Diagnostics about cluster objects shown per cluster, at most (the rest are counted). */
const ERRORS_PER_CLUSTER = 50;

/**
 * The workloads for a run of a fleet that reads its clusters: read them (with the journal's
 * migrations under way and last moves), check them against the fleet and the intents, and
 * say what is wrong on stderr. Exit 2 (a number) when a kubeconfig, a context, an object or a
 * workload's intent or dependency is invalid: nothing is planned from half an inventory.
 */
export async function clusterInventory(
  command: string,
  loaded: { readonly workspace: Workspace; readonly sources: ReadonlyMap<string, SourceFile> },
  access: { readonly kubeconfig?: string; readonly journal: JournalView },
  io: CliIo,
): Promise<InventorySource | number> {
  const read = await readClusterInventory(command, loaded, access, io);
  return typeof read === 'number' ? read : loadedInventory(read.read);
}

/** clusterInventory's reading, with what the clusters said besides the inventory (their mesh). */
export async function readClusterInventory(
  command: string,
  loaded: { readonly workspace: Workspace; readonly sources: ReadonlyMap<string, SourceFile> },
  access: { readonly kubeconfig?: string; readonly journal: JournalView },
  io: CliIo,
): Promise<{ readonly read: InventoryRead; readonly clusters: FleetClusters } | number> {
  const { workspace: ws, sources } = loaded;
  const inFlight = access.journal.underWay.map((m) => ({ workload: m.workload, from: m.from, to: m.to }));
  const kubeconfig = access.kubeconfig !== undefined ? { kubeconfig: access.kubeconfig } : {};
  const read = await readClusters(ws, sources, { ...kubeconfig, inFlight }, io);
  if (!read) return EXIT.invalidInput;
  const made = clusterWorkloads(ws.fleet, ws.intents, read, access.journal.lastMovedAt, (f) => sources.get(f));
  const invalid = hasErrors(made.diagnostics);
  printClusterDiagnostics(io, command, made.diagnostics, invalid ? '; nothing was done' : '');
  for (const [region, why] of made.read.unavailable ?? [])
    io.stderr(`shisa ${command}: ${region} is unknown: ${why}; nothing moves into or out of it\n`);
  return invalid ? EXIT.invalidInput : { read: made.read, clusters: read };
}

/** Prints diagnostics about cluster objects (capped per cluster) and a count line ending in `tail`. */
export function printClusterDiagnostics(
  io: CliIo,
  command: string,
  diagnostics: readonly Diagnostic[],
  tail: string,
): void {
  const all = sortDiagnostics(diagnostics);
  if (all.length === 0) return;
  for (const d of capErrorsPerFile(all, ERRORS_PER_CLUSTER)) io.stderr(`${renderDiagnostic(d)}\n\n`);
  const errors = all.filter((d) => d.severity === 'error').length;
  const warnings = all.length - errors;
  const clusters = new Set(all.map((d) => d.span.object?.cluster ?? d.span.file)).size;
  const parts = [errors ? plural(errors, 'error') : '', warnings ? plural(warnings, 'warning') : ''].filter(Boolean);
  io.stderr(`shisa ${command}: ${parts.join(' and ')} in the workloads of ${plural(clusters, 'cluster')}${tail}\n`);
}
