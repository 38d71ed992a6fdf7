import type {
  Labels,
  MtlsMode,
  PeerAuthentication,
  PeerAuthenticationReading,
  UnreadablePeerAuthentication,
} from './peer-authentication.js';

/** Istio's root namespace unless meshConfig.rootNamespace says otherwise. */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

/** What a workload's sidecar accepts once UNSET is resolved. */
export type EffectiveMode = Exclude<MtlsMode, 'UNSET'>;

/** Istio's mode when no policy sets one (and for a mesh-wide policy whose mode is UNSET). */
export const ISTIO_DEFAULT_MODE: EffectiveMode = 'PERMISSIVE';

export type PolicyScope = 'workload' | 'namespace' | 'mesh';

/** The one policy Istio uses at a scope, and the newer ones there it ignores. */
export interface SelectedPolicy {
  readonly scope: PolicyScope;
  readonly policy: PeerAuthentication;
  /** Policies of the same scope that also apply, newer (or later by name): Istio ignores them. */
  readonly ignored: readonly PeerAuthentication[];
}

/** The pods of one workload, as far as PeerAuthentication is concerned. */
export interface PodsOf {
  readonly namespace: string;
  /** The pods' labels; undefined when they could not be read (then no selector can be matched). */
  readonly labels: Labels | undefined;
}

export type EffectiveMtls =
  | {
      readonly determined: true;
      readonly mode: EffectiveMode;
      /** The policy whose mode is used; absent when none sets one (Istio's default, PERMISSIVE). */
      readonly decidedBy?: SelectedPolicy;
      /** The policy Istio uses at each scope, mesh first; UNSET ones inherit from the one before. */
      readonly selected: readonly SelectedPolicy[];
      /**
       * The workload-specific policy's `portLevelMtls`, UNSET resolved to the workload's mode:
       * ports that accept something else than `mode`. Only a workload-specific policy has them
       * (Istio ignores port-level settings elsewhere).
       */
      readonly portLevel: readonly { readonly port: number; readonly mode: EffectiveMode }[];
    }
  | {
      readonly determined: false;
      /** Why not, one item per object or fact that hides the answer. */
      readonly because: readonly Undetermined[];
    };

export type Undetermined =
  | { readonly reason: 'unreadable-policy'; readonly policy: UnreadablePeerAuthentication }
  | { readonly reason: 'labels-unknown'; readonly policies: readonly PeerAuthentication[] };

/**
 * The mTLS mode Istio gives a workload's pods, by its documented precedence
 * (istio.io, "Security" concepts, Authentication policies; pilot's ComposePeerAuthentication):
 *
 * - Scopes: a policy in the root namespace with no (or an empty) selector is mesh-wide; one in
 *   another namespace with no selector is namespace-wide for it; one in another namespace with
 *   a non-empty `matchLabels` is workload-specific for the pods whose labels include all of
 *   them. A policy with a selector in the root namespace is ignored.
 * - The narrowest scope wins: workload-specific over namespace-wide over mesh-wide.
 * - Several at one scope: the oldest (`metadata.creationTimestamp`) wins, then the first by
 *   name, as pilot orders configs of the same age.
 * - `UNSET` inherits the mode of the scope above; nothing set at all is PERMISSIVE.
 * - `portLevelMtls` counts only on the workload-specific policy; its UNSET ports take the
 *   workload's mode.
 *
 * Undetermined when an unreadable PeerAuthentication may apply (its namespace is the
 * workload's or the root, or unknown, and its selector does not rule the pods out), or when
 * the pods' labels are unknown and a workload-specific policy exists in their namespace.
 */
export function effectiveMtls(
  pods: PodsOf,
  reading: Pick<PeerAuthenticationReading, 'policies' | 'unreadable'>,
  rootNamespace: string = DEFAULT_ROOT_NAMESPACE,
): EffectiveMtls {
  const inRoot = pods.namespace === rootNamespace;
  const blocked: Undetermined[] = reading.unreadable
    .filter((u) => mayApply(u, pods, rootNamespace))
    .map((policy) => ({ reason: 'unreadable-policy', policy }));

  const mesh = reading.policies.filter((p) => p.namespace === rootNamespace && p.selector === undefined);
  const namespace = inRoot
    ? []
    : reading.policies.filter((p) => p.namespace === pods.namespace && p.selector === undefined);
  const specific = inRoot
    ? []
    : reading.policies.filter((p) => p.namespace === pods.namespace && p.selector !== undefined);
  if (pods.labels === undefined && specific.length > 0) blocked.push({ reason: 'labels-unknown', policies: specific });
  if (blocked.length > 0) return { determined: false, because: blocked };

  const labels = pods.labels ?? {};
  const selected = [
    pick('mesh', mesh),
    pick('namespace', namespace),
    pick(
      'workload',
      specific.filter((p) => selects(p.selector as Labels, labels)),
    ),
  ].filter((s): s is SelectedPolicy => s !== undefined);

  let mode = ISTIO_DEFAULT_MODE;
  let decidedBy: SelectedPolicy | undefined;
  for (const s of selected) {
    if (s.policy.mode === 'UNSET') continue;
    mode = s.policy.mode;
    decidedBy = s;
  }
  const workload = selected.find((s) => s.scope === 'workload');
  const portLevel = (workload?.policy.portLevel ?? [])
    .map((p) => ({ port: p.port, mode: p.mode === 'UNSET' ? mode : p.mode }))
    .filter((p) => p.mode !== mode);
  return { determined: true, mode, ...(decidedBy ? { decidedBy } : {}), selected, portLevel };
}

/** Oldest first, then by name: the first is the one Istio uses. */
function pick(scope: PolicyScope, candidates: readonly PeerAuthentication[]): SelectedPolicy | undefined {
  const [first, ...rest] = [...candidates].sort(
    (a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return first === undefined ? undefined : { scope, policy: first, ignored: rest };
}

/** matchLabels: every key with that value among the pods' labels. */
export function selects(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([k, v]) => Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === v);
}

function mayApply(u: UnreadablePeerAuthentication, pods: PodsOf, rootNamespace: string): boolean {
  if (u.namespace === undefined) return true;
  const inRoot = u.namespace === rootNamespace;
  if (!inRoot && u.namespace !== pods.namespace) return false;
  if (u.selector === undefined || u.selector === 'unknown') return true;
  // A known, non-empty selector: ignored in the root namespace, else it applies if it selects the pods.
  if (inRoot) return false;
  return pods.labels === undefined || selects(u.selector, pods.labels);
}
