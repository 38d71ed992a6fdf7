import type { Located, Span } from '../diagnostics/source-file.js';
import type {
  DRIFT_ACTIONS,
  MESHES,
  PERCENTILES,
  PLACEMENTS,
  PREDICATES,
  TRAFFIC_POLICIES,
  VERIFY_METHODS,
} from './catalogue.js';

/**
 * The checked, typed meaning of an intent: what the planner, verifier and enforcer work
 * with. Every part keeps the span it came from, so a failed proof can point at the line.
 * Objects are frozen once built.
 */

export type { Located };

export type Placement = (typeof PLACEMENTS)[number];
export type VerifyMethod = (typeof VERIFY_METHODS)[number];
export type Percentile = (typeof PERCENTILES)[number];
export type DriftAction = (typeof DRIFT_ACTIONS)[number];
export type TrafficPolicy = (typeof TRAFFIC_POLICIES)[number];
export type Predicate = (typeof PREDICATES)[number];
export type Mesh = (typeof MESHES)[number];

export interface LatencyConstraint {
  readonly maxMs: number;
  /** Workload patterns the bound applies to; empty means every `depends_on` dependency. */
  readonly to: readonly Located<string>[];
  readonly verifyVia: VerifyMethod;
  readonly percentile: Percentile;
  readonly span: Span;
}

export interface ComplianceConstraint {
  /** Certifications the region must hold, all of them. */
  readonly levels: readonly Located<string>[];
  readonly audit: boolean;
  readonly span: Span;
}

export interface ResidencyConstraint {
  /** ISO 3166-1 alpha-2 codes; undefined means any country not denied. */
  readonly allow?: readonly Located<string>[];
  readonly deny: readonly Located<string>[];
  readonly span: Span;
}

export interface CarbonConstraint {
  readonly minSavingPercent?: number;
  /** gCO2eq/kWh */
  readonly maxIntensity?: number;
  readonly span: Span;
}

export interface CircuitBreakerConstraint {
  readonly to: readonly Located<string>[];
  readonly consecutiveFailures: number;
  readonly intervalMs: number;
  /** Where `interval` was written; absent when the default applies. Not enforced yet (not-enforced.ts). */
  readonly intervalAt?: Span;
  readonly baseEjectionMs: number;
  readonly maxEjectionMs: number;
  readonly halfOpen: boolean;
  readonly span: Span;
}

export interface Target {
  /** Region names the workloads are pinned to. */
  readonly regions: readonly Located<string>[];
  readonly span: Span;
}

export interface EnsureRule {
  readonly trafficPolicy: TrafficPolicy;
  readonly span: Span;
}

export interface DriftPolicy {
  readonly action: DriftAction;
  /** Fleet notify channel name. */
  readonly notify?: Located<string>;
  readonly span: Span;
}

export type StateExpr =
  | { readonly kind: 'not'; readonly operand: StateExpr }
  | { readonly kind: 'and' | 'or'; readonly left: StateExpr; readonly right: StateExpr }
  | { readonly kind: 'predicate'; readonly predicate: Predicate; readonly mesh: Mesh; readonly span: Span }
  | { readonly kind: 'bool'; readonly value: boolean };

export interface Assertion {
  readonly expr: StateExpr;
  /** The assertion as written, for reports. */
  readonly text: string;
  readonly span: Span;
}

export interface Intent {
  readonly name: string;
  readonly span: Span;
  readonly placement: Placement;
  readonly workloads: readonly Located<string>[];
  readonly dependsOn: readonly Located<string>[];
  readonly latency: readonly LatencyConstraint[];
  readonly compliance?: ComplianceConstraint;
  readonly residency?: ResidencyConstraint;
  readonly carbon?: CarbonConstraint;
  readonly circuitBreakers: readonly CircuitBreakerConstraint[];
  readonly target?: Target;
  readonly ensure: readonly EnsureRule[];
  readonly onDrift?: DriftPolicy;
  readonly assertions: readonly Assertion[];
}
