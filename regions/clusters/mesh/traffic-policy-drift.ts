import { diagnostic, type Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import type { SourceFile, Span } from '../../../scheduler/diagnostics/source-file.js';
import type { Intent, TrafficPolicy } from '../../../scheduler/intent/model.js';
import {
  DEFAULT_ROOT_NAMESPACE,
  effectiveMtls,
  type EffectiveMode,
  type PolicyScope,
  type SelectedPolicy,
} from './effective-mtls.js';
import type { Labels, PeerAuthenticationReading } from './peer-authentication.js';

/** The effective mode each `ensure(traffic_policy: …)` requires. */
export const REQUIRED_MODE: Readonly<Record<TrafficPolicy, EffectiveMode>> = {
  'mTLS-strict': 'STRICT',
  'mTLS-permissive': 'PERMISSIVE',
  plaintext: 'DISABLE',
};

/** A workload as read from one cluster: which pods a PeerAuthentication may select. */
export interface TrafficWorkload {
  /** `namespace/name` */
  readonly name: string;
  readonly region: string;
  readonly cluster: string;
  /** Its pods' labels (podTemplateLabels); undefined when they could not be read. */
  readonly labels: Labels | undefined;
}

/** One `ensure(traffic_policy: …)` of one intent covering one workload. */
export interface TrafficRequirement {
  readonly workload: string;
  readonly required: TrafficPolicy;
  /** The intent's name. */
  readonly intent: string;
  /** The `ensure` statement. */
  readonly span: Span;
}

export interface TrafficPolicyInput {
  readonly workloads: readonly TrafficWorkload[];
  readonly requirements: readonly TrafficRequirement[];
  /** Each cluster's PeerAuthentications, by cluster (kubeconfig context); a cluster not here was not read. */
  readonly peerAuthentications: ReadonlyMap<string, PeerAuthenticationReading>;
  /** Istio's root namespace (meshConfig.rootNamespace); default istio-system. */
  readonly rootNamespace?: string;
}

/** The PeerAuthentication that decides a workload's mode, or Istio's default when none does. */
export type ShownBy =
  | {
      readonly cluster: string;
      readonly namespace: string;
      readonly name: string;
      readonly scope: PolicyScope;
      readonly span: Span;
    }
  | 'Istio default';

/** Why a requirement could not be checked (`traffic-policy-unchecked`). */
export type UncheckedReason =
  /** The deciding workload-specific policy sets other modes on some ports; which ones carry traffic is unknown. */
  | 'port-level'
  /** An unreadable PeerAuthentication may apply, or the pods' labels are unknown while a selector may match. */
  | 'unreadable'
  /** The cluster has no PeerAuthentication at all: Istio's default holds if Istio runs there, which cannot be told. */
  | 'no-peer-authentication'
  /** The workload's cluster was not read, or the workload was not found in any cluster. */
  | 'not-read';

interface FindingBase {
  /** `namespace/name` */
  readonly workload: string;
  /** The cluster and region of the copy checked; empty when the workload was found in no cluster. */
  readonly cluster: string;
  readonly region: string;
  readonly required: TrafficPolicy;
  readonly intent: string;
  /** The intent's `ensure` statement. */
  readonly span: Span;
  readonly message: string;
}

/**
 * A requirement the cluster does not meet (`traffic-policy-drift`), or one that cannot be
 * checked there (`traffic-policy-unchecked`, never a silent pass).
 */
export type TrafficPolicyDrift =
  | (FindingBase & {
      readonly code: 'traffic-policy-drift';
      readonly effective: EffectiveMode;
      readonly shownBy: ShownBy;
      /** The cluster has no PeerAuthentication at all (Istio may not be installed). */
      readonly noPeerAuthentication: boolean;
    })
  | (FindingBase & {
      readonly code: 'traffic-policy-unchecked';
      readonly reason: UncheckedReason;
      /** Known when only the port-level exceptions, or Istio's presence, are in doubt. */
      readonly effective?: EffectiveMode;
      readonly shownBy?: ShownBy;
    });

/**
 * Every `ensure(traffic_policy: …)` checked against Istio's PeerAuthentications in each
 * cluster the workload runs in: mTLS-strict requires the effective mode STRICT,
 * mTLS-permissive PERMISSIVE, plaintext DISABLE (effectiveMtls gives the mode, by Istio's
 * precedence). A cluster whose listing holds no PeerAuthentication at all has Istio's
 * default, PERMISSIVE: the API cannot tell "Istio absent" from "no policies", so the message
 * says none exists, and a requirement met only by that default is unchecked, not passed.
 * One value per requirement and copy of the workload that fails or cannot be checked;
 * sorted by workload, cluster, intent, policy.
 */
export function trafficPolicyDrift(input: TrafficPolicyInput): TrafficPolicyDrift[] {
  const root = input.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  const copies = new Map<string, TrafficWorkload[]>();
  for (const w of input.workloads) copies.set(w.name, [...(copies.get(w.name) ?? []), w]);
  const out: TrafficPolicyDrift[] = [];
  const seen = new Set<string>();
  for (const req of input.requirements) {
    const key = JSON.stringify([req.workload, req.intent, req.required]);
    if (seen.has(key)) continue;
    seen.add(key);
    const found = copies.get(req.workload) ?? [];
    if (found.length === 0) {
      out.push({
        ...base(req, { cluster: '', region: '' }),
        code: 'traffic-policy-unchecked',
        reason: 'not-read',
        message: `${req.workload}: ${demand(req)} cannot be checked: the workload was not read from any cluster`,
      });
    }
    for (const w of found) {
      const finding = check(req, w, input.peerAuthentications.get(w.cluster), root);
      if (finding) out.push(finding);
    }
  }
  return out.sort(
    (a, b) =>
      cmp(a.workload, b.workload) ||
      cmp(a.cluster, b.cluster) ||
      cmp(a.intent, b.intent) ||
      cmp(a.required, b.required),
  );
}

function check(
  req: TrafficRequirement,
  w: TrafficWorkload,
  reading: PeerAuthenticationReading | undefined,
  root: string,
): TrafficPolicyDrift | undefined {
  const b = base(req, w);
  const where = `${w.name} in cluster ${w.cluster} (region ${w.region})`;
  if (reading === undefined) {
    return {
      ...b,
      code: 'traffic-policy-unchecked',
      reason: 'not-read',
      message: `${where}: ${demand(req)} cannot be checked: the cluster's PeerAuthentications were not read`,
    };
  }
  const slash = w.name.indexOf('/');
  const namespace = slash < 0 ? w.name : w.name.slice(0, slash);
  const eff = effectiveMtls({ namespace, labels: w.labels }, reading, root);
  if (!eff.determined) {
    const why = eff.because
      .map((u) =>
        u.reason === 'unreadable-policy'
          ? `PeerAuthentication ${u.policy.namespace ?? '(unknown namespace)'}/${u.policy.name} could not be read`
          : `the pods' labels could not be read, and ${u.policies.length} workload-specific ` +
            `PeerAuthentication${u.policies.length === 1 ? '' : 's'} in namespace ${namespace} may select them`,
      )
      .join('; ');
    return {
      ...b,
      code: 'traffic-policy-unchecked',
      reason: 'unreadable',
      message: `${where}: ${demand(req)} cannot be checked: ${why} (see the diagnostics)`,
    };
  }
  const required = REQUIRED_MODE[req.required];
  const shownBy = shown(eff.decidedBy);
  const none = reading.policies.length === 0 && reading.unreadable.length === 0;
  const source = describe(eff.decidedBy, namespace, root, w.cluster, none);
  if (eff.mode !== required) {
    return {
      ...b,
      code: 'traffic-policy-drift',
      effective: eff.mode,
      shownBy,
      noPeerAuthentication: none,
      message:
        `${where}: ${demand(req)} requires mTLS mode ${required}, ` +
        `but its effective mode is ${eff.mode}, ${source}`,
    };
  }
  if (eff.portLevel.length > 0) {
    const ports = eff.portLevel.map((p) => `${p.port} ${p.mode}`).join(', ');
    return {
      ...b,
      code: 'traffic-policy-unchecked',
      reason: 'port-level',
      effective: eff.mode,
      shownBy,
      message:
        `${where}: ${demand(req)} holds for the workload (${eff.mode}, ${source}), but port-level exceptions ` +
        `are not checked: ports ${ports}`,
    };
  }
  if (none) {
    return {
      ...b,
      code: 'traffic-policy-unchecked',
      reason: 'no-peer-authentication',
      effective: eff.mode,
      shownBy,
      message:
        `${where}: ${demand(req)} holds only by Istio's default (${eff.mode}): no PeerAuthentication exists in ` +
        `cluster ${w.cluster}, so whether Istio runs there at all cannot be told`,
    };
  }
  return undefined;
}

function base(req: TrafficRequirement, w: { cluster: string; region: string }): FindingBase {
  return {
    workload: req.workload,
    cluster: w.cluster,
    region: w.region,
    required: req.required,
    intent: req.intent,
    span: req.span,
    message: '',
  };
}

function demand(req: TrafficRequirement): string {
  return `ensure(traffic_policy: "${req.required}") of intent "${req.intent}"`;
}

function shown(s: SelectedPolicy | undefined): ShownBy {
  if (s === undefined) return 'Istio default';
  const p = s.policy;
  return { cluster: p.cluster, namespace: p.namespace, name: p.name, scope: s.scope, span: p.span };
}

const SCOPE_WORDS: Readonly<Record<PolicyScope, string>> = {
  workload: 'the workload-specific',
  namespace: 'the namespace-wide',
  mesh: 'the mesh-wide',
};

/** Which object shows the mode, in words. */
function describe(
  s: SelectedPolicy | undefined,
  namespace: string,
  root: string,
  cluster: string,
  none: boolean,
): string {
  if (none) {
    return `Istio's default: no PeerAuthentication exists in cluster ${cluster} (Istio may not be installed there)`;
  }
  if (s === undefined) {
    return (
      `Istio's default: no PeerAuthentication in namespace ${namespace} or the root namespace ${root} ` +
      'sets a mode for it'
    );
  }
  const ignored = s.ignored.length > 0 ? `; Istio ignores the newer ${s.ignored.map((p) => p.name).join(', ')}` : '';
  return `set by ${SCOPE_WORDS[s.scope]} PeerAuthentication ${s.policy.namespace}/${s.policy.name}${ignored}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The requirements the intents make of the workloads: for each workload, each `ensure` of
 * each intent covering it (PromiseModel's `workloads` and `covering`), in that order.
 */
export function trafficRequirements(
  workloads: readonly { readonly name: string }[],
  covering: readonly (readonly Intent[])[],
): TrafficRequirement[] {
  return workloads.flatMap((w, i) =>
    (covering[i] ?? []).flatMap((intent) =>
      intent.ensure.map((rule) => ({
        workload: w.name,
        required: rule.trafficPolicy,
        intent: intent.name,
        span: rule.span,
      })),
    ),
  );
}

/** The diagnostic codes of these findings; scripts may match on them. */
export const MESH_CODES = {
  drift: 'mesh/traffic-policy-drift',
  unchecked: 'mesh/traffic-policy-unchecked',
} as const;

/**
 * One finding as a diagnostic at the intent's `ensure` statement: a drift is an error, an
 * unchecked requirement a warning; the PeerAuthentication that shows it is the related location.
 */
export function trafficPolicyDiagnostic(d: TrafficPolicyDrift, source?: SourceFile): Diagnostic {
  const related =
    d.shownBy !== undefined && d.shownBy !== 'Istio default'
      ? [{ message: 'the effective mode comes from the PeerAuthentication', span: d.shownBy.span }]
      : [];
  return diagnostic({
    code: d.code === 'traffic-policy-drift' ? MESH_CODES.drift : MESH_CODES.unchecked,
    severity: d.code === 'traffic-policy-drift' ? 'error' : 'warning',
    message: d.message,
    span: d.span,
    related,
    ...(source ? { source } : {}),
  });
}
