import { dirname, resolve } from 'node:path';
import { kubeconfigPaths, readKubeconfigs } from '../../regions/clusters/client/kubeconfig-files.js';
import { regionClusters, type RegionCluster } from '../../regions/clusters/client/region-kubeconfig.js';
import type { Environment } from '../config/environment.js';
import type { Secret } from '../config/secret.js';
import { diagnostic, hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import { audienceOf } from '../notify/audience.js';
import type { Audience } from '../notify/notices.js';
import { readWebhooks } from '../notify/webhooks.js';
import { loadWorkspace } from '../workspace/load-workspace.js';
import type { Workspace } from '../workspace/model.js';

/** Everything a service runs on, loaded and checked as one: the old one stays until a new one is whole. */
export interface ServeConfig {
  readonly workspace: Workspace;
  readonly sources: ReadonlyMap<string, SourceFile>;
  readonly clusters: readonly RegionCluster[];
  readonly audience: Audience;
  readonly webhooks: ReadonlyMap<string, Secret>;
  /** Warnings said when it was loaded (a channel with no webhook is one: its messages wait). */
  readonly warnings: readonly Diagnostic[];
  /** The files to watch for a change: the fleet file and every file it named, as read. */
  readonly files: readonly string[];
}

export type ServeConfigLoad =
  | { readonly ok: true; readonly config: ServeConfig }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export interface ServeConfigPlace {
  readonly config: string;
  readonly cwd: string;
  readonly kubeconfig?: string;
  readonly env: Environment;
}

/**
 * Loads the configuration `shisa serve` runs on, by the same rules as `shisa validate`, and
 * the clusters' access from the kubeconfig. A fleet whose workloads come from a file cannot be
 * served: migrations happen in clusters.
 */
export async function loadServeConfig(place: ServeConfigPlace): Promise<ServeConfigLoad> {
  const loaded = await loadWorkspace(place.config, { cwd: place.cwd });
  if (!loaded.workspace) return { ok: false, diagnostics: loaded.diagnostics };
  const ws = loaded.workspace;
  if (!ws.fleet.clusterInventory) return { ok: false, diagnostics: [fileInventoryRefused(ws)] };
  const kube = await readKubeconfigs(kubeconfigPaths(place.kubeconfig, place.env, place.cwd), place.cwd);
  const made = regionClusters(ws.fleet.regions, kube.files, (f) => loaded.sources.get(f));
  const setup = [...kube.diagnostics, ...made.diagnostics];
  if (hasErrors(setup)) return { ok: false, diagnostics: sortDiagnostics(setup) };
  const webhooks = readWebhooks(ws.fleet.notify, place.env);
  const files = [...loaded.sources.keys()].map((f) => resolve(place.cwd, f));
  return {
    ok: true,
    config: Object.freeze({
      workspace: ws,
      sources: loaded.sources,
      clusters: made.clusters,
      audience: audienceOf(ws.fleet, ws.intents),
      webhooks: webhooks.byChannel,
      warnings: sortDiagnostics([...loaded.diagnostics, ...setup, ...webhooks.diagnostics]),
      files: [...new Set([resolve(place.cwd, place.config), ...files])],
    }),
  };
}

function fileInventoryRefused(ws: Workspace): Diagnostic {
  return diagnostic({
    code: 'serve/inventory',
    message: 'shisa serve moves workloads in their clusters, but this fleet reads them from an inventory file',
    span: ws.fleet.inventory?.span ?? { file: ws.fleet.file, start: 0, end: 0, line: 1, col: 1 },
    expected: 'inventory: { source: clusters }',
  });
}

/** The folders to watch for a file that appears or is replaced (editors write a new file and rename it). */
export function watchedFolders(config: ServeConfig): string[] {
  return [...new Set(config.files.map((f) => dirname(f)))];
}
