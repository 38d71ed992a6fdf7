import type { SourceFile } from '../diagnostics/source-file.js';
import type { Workload } from '../inventory/model.js';
import { buildPromiseModel } from '../promises/build-model.js';
import { withCapacity } from '../run/with-capacity.js';
import type { FleetMesh } from '../../regions/clusters/mesh/index.js';
import { renderReport, reportToJson } from '../verify/report.js';
import { toReport, verify, type VerifyReport } from '../verify/verify.js';
import type { Workspace } from '../workspace/model.js';
import { NO_JOURNAL, readClusterInventory } from './cluster-inventory.js';
import { EXIT, type CliIo } from './io.js';
import { loadWithInventory, plural } from './report.js';
import { verifyTrafficPolicy } from './verify-traffic.js';

export interface VerifyCommandOptions {
  readonly config: string;
  readonly json: boolean;
  readonly timeoutMs: number;
  /** For a fleet that reads the clusters: the kubeconfig (default: $KUBECONFIG, then ~/.kube/config). */
  readonly kubeconfig?: string;
}

/**
 * `shisa verify`: proves the intent model consistent (check 1) and looks for single points
 * of failure (check 3). Exit 0 when everything is proven (warnings allowed), 3 when
 * something is unprovable, 2 for invalid input. A fleet that reads its clusters is verified
 * against what they report: their workloads, and each region's capacity as its cluster has
 * it; and each `ensure(traffic_policy: …)` is checked against their Istio PeerAuthentications
 * (check 4: a drift is unprovable, a requirement that cannot be decided a warning).
 */
export async function verifyCommand(options: VerifyCommandOptions, io: CliIo): Promise<number> {
  const loaded = await loadWithInventory(
    'verify',
    options.config,
    io,
    'proofs are about workloads and where they run',
    {
      readsClusters: true,
    },
  );
  if (!loaded) return EXIT.invalidInput;
  const ws = await withWorkloads(options, loaded, io);
  if (typeof ws === 'number') return ws;
  const model = buildPromiseModel(ws.fleet, ws.intents, ws.workloads);
  const proofs = await verify(model, ws.intents, { timeoutMs: options.timeoutMs, checks: ['intents', 'region-loss'] });
  const report = ws.mesh ? withTrafficPolicy(proofs, ws.intents, ws.mesh, loaded.sources, io) : proofs;
  if (options.json) io.stdout(JSON.stringify({ fleet: ws.fleet.file, ...reportToJson(report) }, null, 2) + '\n');
  else {
    const counts = [
      plural(ws.intents.length, 'intent'),
      plural(ws.workloads.length, 'workload'),
      plural(ws.fleet.regions.length, 'region'),
    ];
    io.stdout(`Verifying ${ws.fleet.name ?? ws.fleet.file}: ${counts.join(', ')}\n\n`);
    io.stdout(renderReport(report) + '\n');
  }
  return report.proven ? EXIT.ok : EXIT.unprovable;
}

/** Check 4's obligations after the proofs' (cluster fleets only). */
function withTrafficPolicy(
  proofs: VerifyReport,
  intents: Workspace['intents'],
  mesh: FleetMesh,
  sources: ReadonlyMap<string, SourceFile>,
  io: CliIo,
): VerifyReport {
  const traffic = verifyTrafficPolicy(intents, mesh, sources, io);
  return toReport([...proofs.obligations, ...traffic.obligations], { ...proofs.ms, 'traffic-policy': traffic.ms });
}

interface ToVerify {
  readonly fleet: Workspace['fleet'];
  readonly intents: Workspace['intents'];
  readonly workloads: readonly Workload[];
  /** What the clusters say about Istio's mTLS; absent with an inventory file. */
  readonly mesh?: FleetMesh;
}

/** The fleet and workloads to verify: the workspace's own, or what the clusters report. */
async function withWorkloads(
  options: VerifyCommandOptions,
  loaded: { readonly workspace: Workspace; readonly sources: ReadonlyMap<string, SourceFile> },
  io: CliIo,
): Promise<ToVerify | number> {
  const ws = loaded.workspace;
  if (!ws.fleet.clusterInventory) return ws;
  // Verifying changes nothing and opens no store: the journal is not read.
  const kubeconfig = options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {};
  const source = await readClusterInventory('verify', loaded, { ...kubeconfig, journal: NO_JOURNAL }, io);
  if (typeof source === 'number') return source;
  const { read, clusters } = source;
  const fleet = read.capacity ? withCapacity(ws.fleet, read.capacity) : ws.fleet;
  return { fleet, intents: ws.intents, workloads: read.workloads, mesh: clusters.mesh };
}
