import type { FleetMesh } from '../../regions/clusters/mesh/index.js';
import { capErrorsPerFile, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { renderDiagnostic } from '../diagnostics/render.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import type { Intent } from '../intent/model.js';
import { checkTrafficPolicy } from '../verify/check-traffic-policy.js';
import type { Obligation } from '../verify/proof.js';
import type { CliIo } from './io.js';
import { plural } from './report.js';

/** Problems with PeerAuthentications and pod labels shown per cluster, at most (the rest are counted). */
const PROBLEMS_PER_CLUSTER = 50;

/**
 * `shisa verify`'s check 4 on a fleet that reads its clusters: every `ensure(traffic_policy: …)`
 * against Istio's PeerAuthentications. What could not be read for it (a PeerAuthentication, a
 * pod template's labels) is said on stderr at its object and field, then each drift and
 * unchecked requirement at its `ensure`; the obligations go into the report.
 */
export function verifyTrafficPolicy(
  intents: readonly Intent[],
  mesh: FleetMesh,
  sources: ReadonlyMap<string, SourceFile>,
  io: CliIo,
): { readonly obligations: readonly Obligation[]; readonly ms: number } {
  const started = performance.now();
  const check = checkTrafficPolicy(intents, mesh, (f) => sources.get(f));
  const ms = performance.now() - started;
  printMeshProblems(io, mesh.diagnostics);
  printFindings(io, check.diagnostics);
  return { obligations: check.obligations, ms };
}

function printMeshProblems(io: CliIo, diagnostics: readonly Diagnostic[]): void {
  if (diagnostics.length === 0) return;
  for (const d of capErrorsPerFile(sortDiagnostics(diagnostics), PROBLEMS_PER_CLUSTER))
    io.stderr(`${renderDiagnostic(d)}\n\n`);
  const clusters = new Set(diagnostics.map((d) => d.span.object?.cluster ?? d.span.file)).size;
  io.stderr(
    `shisa verify: ${plural(diagnostics.length, 'problem')} in the PeerAuthentications and pod labels of ` +
      `${plural(clusters, 'cluster')}; a traffic policy they may decide is unchecked\n`,
  );
}

function printFindings(io: CliIo, diagnostics: readonly Diagnostic[]): void {
  if (diagnostics.length === 0) return;
  for (const d of sortDiagnostics(diagnostics)) io.stderr(`${renderDiagnostic(d)}\n\n`);
  const drifts = diagnostics.filter((d) => d.severity === 'error').length;
  const unchecked = diagnostics.length - drifts;
  const parts = [
    drifts ? plural(drifts, 'traffic-policy drift') : '',
    unchecked ? `${unchecked} traffic ${unchecked === 1 ? 'policy' : 'policies'} unchecked` : '',
  ].filter(Boolean);
  io.stderr(`shisa verify: ${parts.join(' and ')} (check 4)\n`);
}
