import {
  DEFAULT_ROOT_NAMESPACE,
  effectiveMtls,
  trafficPolicyDiagnostic,
  trafficPolicyDrift,
  trafficRequirements,
  unreadClusterFindings,
  type FleetMesh,
  type MeshWorkload,
  type PeerAuthenticationReading,
  type TrafficPolicyDrift,
  type TrafficRequirement,
} from '../../regions/clusters/mesh/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import type { Intent } from '../intent/model.js';
import { coveringIntents } from '../promises/coverage.js';
import { failed, proven } from './obligations.js';
import type { ConstraintRef, Obligation } from './proof.js';

/** Check 4: each `ensure(traffic_policy: …)` against the mTLS mode Istio gives the workload in each cluster. */
export interface TrafficPolicyCheck {
  /** One per requirement and copy of its workload, and one per requirement an unread cluster leaves open. */
  readonly obligations: readonly Obligation[];
  /** Each drift (`mesh/traffic-policy-drift`, an error) and unchecked requirement (a warning) at its `ensure`. */
  readonly diagnostics: readonly Diagnostic[];
}

const CODE = 'traffic-policy.mtls';

/**
 * Checks every `ensure(traffic_policy: …)` of every intent covering a workload the clusters
 * report (its `shisa.io/intent` label and the intents' `workloads(...)` patterns), in every
 * cluster that workload runs in: proven when Istio's effective mode is the one required,
 * unprovable on drift (the PeerAuthentication that decides it, or Istio's default, is named),
 * a warning when it cannot be decided (trafficPolicyDrift says when), never a silent pass.
 * Evaluated, not searched: the clusters' objects are facts.
 */
export function checkTrafficPolicy(
  intents: readonly Intent[],
  mesh: FleetMesh,
  sources: (file: string) => SourceFile | undefined,
): TrafficPolicyCheck {
  const requirements = requirementsOf(intents, mesh.workloads);
  const findings = trafficPolicyDrift({
    workloads: mesh.workloads,
    requirements,
    peerAuthentications: mesh.peerAuthentications,
  });
  const byKey = new Map(findings.map((f) => [key(f.workload, f.cluster, f.intent, f.required), f]));
  const copies = copiesByName(mesh.workloads);
  const obligations: Obligation[] = [];
  for (const req of requirements) {
    for (const w of copies.get(req.workload) ?? []) {
      const started = performance.now();
      const finding = byKey.get(key(w.name, w.cluster, req.intent, req.required));
      obligations.push(
        finding ? fromFinding(finding, started) : holds(req, w, mesh.peerAuthentications.get(w.cluster), started),
      );
    }
  }
  const unread = unreadClusterFindings(intents, mesh.unread);
  for (const f of unread) obligations.push(fromFinding(f, performance.now()));
  return {
    obligations: obligations.sort((a, b) => cmp(a.name, b.name)),
    diagnostics: [...findings, ...unread].map((f) => trafficPolicyDiagnostic(f, sources(f.span.file))),
  };
}

/** One requirement per workload name, intent and policy (copies share their name's intents). */
function requirementsOf(intents: readonly Intent[], workloads: readonly MeshWorkload[]): TrafficRequirement[] {
  const covering = coveringIntents(intents);
  const copies = copiesByName(workloads);
  const names = [...copies.keys()];
  const intentsOf = names.map((name) => [...new Set((copies.get(name) ?? []).flatMap((w) => covering(w)))]);
  const seen = new Set<string>();
  return trafficRequirements(
    names.map((name) => ({ name })),
    intentsOf,
  ).filter((r) => {
    const k = key(r.workload, '', r.intent, r.required);
    return !seen.has(k) && (seen.add(k), true);
  });
}

function copiesByName(workloads: readonly MeshWorkload[]): Map<string, MeshWorkload[]> {
  const copies = new Map<string, MeshWorkload[]>();
  for (const w of workloads) {
    const list = copies.get(w.name);
    if (list) list.push(w);
    else copies.set(w.name, [w]);
  }
  return copies;
}

function key(workload: string, cluster: string, intent: string, required: string): string {
  return JSON.stringify([workload, cluster, intent, required]);
}

/** e.g. `traffic policy mTLS-strict of intent "gateway" holds for payments/card-auth in cluster gke-tokyo-01`. */
function nameOf(f: { workload: string; cluster: string; intent: string; required: string }): string {
  const what = `traffic policy ${f.required} of intent "${f.intent}" holds`;
  const where = f.cluster === '' ? 'in no cluster' : `in cluster ${f.cluster}`;
  return f.workload === '' ? `${what} ${where}` : `${what} for ${f.workload} ${where}`;
}

/** A drift is unprovable (the `ensure` and the PeerAuthentication conflict); an unchecked requirement a warning. */
function fromFinding(f: TrafficPolicyDrift, started: number): Obligation {
  const core = [ensureRef(f), ...policyRef(f)];
  return f.code === 'traffic-policy-drift'
    ? failed(CODE, nameOf(f), started, f.message, core, 'evaluated')
    : failed(CODE, nameOf(f), started, f.message, core, 'evaluated', 'unknown', 'warning');
}

function holds(
  req: TrafficRequirement,
  w: MeshWorkload,
  reading: PeerAuthenticationReading | undefined,
  started: number,
): Obligation {
  const f = { workload: w.name, cluster: w.cluster, intent: req.intent, required: req.required };
  return proven(CODE, nameOf(f), started, holdsDetail(w, reading), 'evaluated');
}

/** The mode and what sets it, for a requirement that holds. */
function holdsDetail(w: MeshWorkload, reading: PeerAuthenticationReading | undefined): string {
  const slash = w.name.indexOf('/');
  const namespace = slash < 0 ? w.name : w.name.slice(0, slash);
  const eff = reading ? effectiveMtls({ namespace, labels: w.labels }, reading) : undefined;
  if (!eff?.determined) return `holds in region ${w.region}`;
  const by = eff.decidedBy;
  const source = by
    ? `set by the ${SCOPE_WORDS[by.scope]} PeerAuthentication ${by.policy.namespace}/${by.policy.name}`
    : `Istio's default: no PeerAuthentication in namespace ${namespace} or the root namespace ` +
      `${DEFAULT_ROOT_NAMESPACE} sets a mode for it`;
  return `mTLS mode ${eff.mode} in region ${w.region}, ${source}`;
}

const SCOPE_WORDS = { workload: 'workload-specific', namespace: 'namespace-wide', mesh: 'mesh-wide' } as const;

function ensureRef(f: TrafficPolicyDrift): ConstraintRef {
  return {
    id: `ensure ${f.span.file}:${f.span.line}:${f.span.col}`,
    kind: 'traffic-policy',
    text: `ensure(traffic_policy: "${f.required}") of intent "${f.intent}"`,
    span: f.span,
  };
}

/** The PeerAuthentication that shows the effective mode, when one does. */
function policyRef(f: TrafficPolicyDrift): ConstraintRef[] {
  const by = f.shownBy;
  if (by === undefined || by === 'Istio default' || f.effective === undefined) return [];
  return [
    {
      id: `peer-authentication ${by.cluster} ${by.namespace}/${by.name}`,
      kind: 'peer-authentication',
      text: `the ${SCOPE_WORDS[by.scope]} PeerAuthentication ${by.namespace}/${by.name} sets mTLS mode ${f.effective}`,
      span: by.span,
    },
  ];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
