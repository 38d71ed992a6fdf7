import { diagnosticToJson, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { renderDiagnostic } from '../diagnostics/render.js';
import type { CliIo } from './io.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import type { Workspace } from '../workspace/model.js';
import { loadWorkspace } from '../workspace/load-workspace.js';
import { plural } from '../words.js';

/** Prints diagnostics to stderr, sorted, with a closing count line. */
export function printDiagnostics(io: CliIo, diagnostics: readonly Diagnostic[]): void {
  const sorted = sortDiagnostics(diagnostics);
  for (const d of sorted) io.stderr(renderDiagnostic(d) + '\n\n');
  const errors = sorted.filter((d) => d.severity === 'error');
  const warnings = sorted.length - errors.length;
  if (errors.length > 0) {
    const files = new Set(errors.map((d) => d.span.file)).size;
    const w = warnings ? ` and ${plural(warnings, 'warning')}` : '';
    io.stderr(`shisa: ${plural(errors.length, 'error')}${w} in ${plural(files, 'file')}; nothing was loaded\n`);
  } else if (warnings > 0) {
    io.stderr(`shisa: ${plural(warnings, 'warning')}\n`);
  }
}

export function diagnosticsJson(diagnostics: readonly Diagnostic[]): Record<string, unknown>[] {
  return sortDiagnostics(diagnostics).map(diagnosticToJson);
}

export { plural } from '../words.js';

/**
 * Loads the fleet and everything it names for a command that needs workloads; prints the
 * diagnostics (or why an inventory is needed) and returns undefined when it cannot.
 */
export async function loadWorkspaceWithInventory(
  command: string,
  config: string,
  io: CliIo,
  why: string,
): Promise<Workspace | undefined> {
  return (await loadWithInventory(command, config, io, why, { readsClusters: false }))?.workspace;
}

/**
 * The same, with every file read (by display name), for a run that records what it decided
 * from. A command that `readsClusters` takes a fleet whose workloads come from the clusters
 * (it reads them itself, and the workspace has none); one that does not says so.
 */
export async function loadWithInventory(
  command: string,
  config: string,
  io: CliIo,
  why: string,
  { readsClusters }: { readonly readsClusters: boolean },
): Promise<{ workspace: Workspace; sources: ReadonlyMap<string, SourceFile> } | undefined> {
  const loaded = await loadWorkspace(config, { cwd: io.cwd });
  if (!loaded.workspace) {
    printDiagnostics(io, loaded.diagnostics);
    return undefined;
  }
  if (loaded.workspace.fleet.clusterInventory && !readsClusters) {
    io.stderr(
      `shisa ${command}: ${config} reads its workloads from the clusters (inventory: { source: clusters }); ` +
        `\`shisa inventory\`, \`plan\` and \`verify\` read them, but ${command} does not read the clusters ` +
        'yet: name a workload inventory file under "inventory:" for now\n',
    );
    return undefined;
  }
  if (!loaded.workspace.hasInventory && !loaded.workspace.fleet.clusterInventory) {
    io.stderr(
      `shisa ${command}: ${config} names no inventory; name a workload inventory file under "inventory:", ` +
        `or read the workloads from the clusters with "inventory: { source: clusters }" (${why})\n`,
    );
    return undefined;
  }
  // Loaded: what is left are warnings (e.g. a construct nothing enforces yet); they are said, on stderr.
  if (loaded.diagnostics.length > 0) printDiagnostics(io, loaded.diagnostics);
  return { workspace: loaded.workspace, sources: loaded.sources };
}
