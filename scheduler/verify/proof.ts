import { redactSecrets } from '../diagnostics/redact.js';
import type { Span } from '../diagnostics/source-file.js';
import { spanLabel } from '../diagnostics/span-label.js';

/** What a fact or constraint in a proof is: where it comes from decides how it reads. */
export type RefKind =
  | 'located'
  | 'planned'
  | 'compliance'
  | 'residency'
  | 'target'
  | 'latency'
  | 'reachable'
  | 'capacity'
  | 'depends-on'
  | 'assertion'
  | 'region-lost'
  /** An intent's `ensure(traffic_policy: …)`. */
  | 'traffic-policy'
  /** An Istio PeerAuthentication read from a cluster, which sets a workload's mTLS mode. */
  | 'peer-authentication';

/**
 * One constraint or fact a proof rests on, traced to the file, line and column it came
 * from. Unsat cores are lists of these.
 */
export interface ConstraintRef {
  /** Stable within one proof; also the solver's name for it. */
  readonly id: string;
  readonly kind: RefKind;
  /** What it says, in words. */
  readonly text: string;
  readonly span: Span;
}

/**
 * A proof that failed: unsatisfiable (the core names the constraints that cannot hold
 * together), or unknown within the time limit (never treated as a pass). A value the run
 * records and reports; nothing moves while one stands.
 */
export interface UnprovableState {
  readonly code: 'UNPROVABLE_STATE';
  readonly obligation: string;
  readonly reason: 'unsat' | 'unknown';
  readonly message: string;
  /** A minimal set of conflicting constraints (empty when unknown), sorted by file and line. */
  readonly core: readonly ConstraintRef[];
}

export type Verdict = 'proven' | 'unprovable' | 'warning';

export type CheckName = 'intents' | 'plan' | 'region-loss' | 'traffic-policy';

/**
 * How a verdict was reached: `z3` searched (or found the core); `model` checked a placement
 * at hand that keeps every constraint (a model is its own proof); `rules` found a workload its
 * rules leave no region; `evaluated` computed a predicate on a fixed placement.
 */
export type ProofMethod = 'z3' | 'model' | 'rules' | 'evaluated';

/**
 * What an obligation is, whatever its subject: the stable identity a caller finds it by
 * (the name says which intent or region in words and may change wording; the code does not).
 */
export type ObligationCode =
  | 'intents.assertion'
  | 'intents.critical-holds'
  | 'intents.satisfiable'
  | 'plan.placement'
  | 'plan.assertion'
  | 'plan.order'
  | 'region-loss.survives'
  | 'traffic-policy.mtls';

/** The check an obligation belongs to is the first part of its code. */
export function checkOf(code: ObligationCode): CheckName {
  return code.slice(0, code.indexOf('.')) as CheckName;
}

/** One proof obligation and how it ended. */
export interface Obligation {
  readonly check: CheckName;
  readonly code: ObligationCode;
  /** e.g. `no-cycles intent "secure-gateway-mesh"`; stable, sorted on. */
  readonly name: string;
  readonly verdict: Verdict;
  readonly method: ProofMethod;
  readonly ms: number;
  /** A short note for proven obligations (sizes, what was checked) or the warning. */
  readonly detail?: string;
  readonly unprovable?: UnprovableState;
}

export function sortRefs(refs: readonly ConstraintRef[]): ConstraintRef[] {
  return [...refs].sort(
    (a, b) =>
      (a.span.file < b.span.file ? -1 : a.span.file > b.span.file ? 1 : 0) ||
      a.span.line - b.span.line ||
      a.span.col - b.span.col ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

export function refLocation(r: ConstraintRef): string {
  return spanLabel(r.span);
}

/** What a constraint says, as shown to people and recorded: its words, with anything secret-looking masked. */
export function refText(c: ConstraintRef): string {
  return redactSecrets(c.text);
}
