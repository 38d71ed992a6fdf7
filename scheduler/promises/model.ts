import type { Fleet } from '../../regions/fleet/model.js';
import type { Intent, LatencyConstraint, Placement } from '../intent/model.js';
import type { Workload } from '../inventory/model.js';
import type { ConstraintRef } from '../verify/proof.js';

/**
 * One compliance, residency or target constraint of one intent: the regions (by index) it
 * allows, traced to where it is written, with what it says for the planner's explanations.
 */
export type RegionRule =
  | (RuleBase & { readonly kind: 'compliance'; readonly levels: readonly string[] })
  | (RuleBase & {
      readonly kind: 'residency';
      readonly allow?: ReadonlySet<string>;
      readonly deny: ReadonlySet<string>;
    })
  | (RuleBase & { readonly kind: 'target'; readonly pinned: ReadonlySet<string> });

interface RuleBase {
  readonly ref: ConstraintRef;
  readonly allowed: ReadonlySet<number>;
}

/** `from` calls `to` (workload indices): they must stay reachable and, if bounded, that close. */
export interface DependencyEdge {
  readonly from: number;
  readonly to: number;
  /** Infinity when no latency constraint bounds it. */
  readonly maxMs: number;
  /** Where the dependency is declared (inventory depends_on or an intent's depends_on / to). */
  readonly dependsOn: ConstraintRef;
  /** The network_latency constraint that bounds it, if any. */
  readonly bound?: ConstraintRef;
  /** The bound names this dependency in its `to`, so it declares the dependency by itself. */
  readonly boundNames?: boolean;
}

/**
 * What all the intents covering a workload promise, combined (every promise holds). Workloads
 * covered by the same intents share one object.
 */
export interface Terms {
  readonly placement: Placement;
  /** Names of the covering intents, in coverage order. */
  readonly intents: readonly string[];
  /** Compliance, residency and target rules, one per constraint. */
  readonly rules: readonly RegionRule[];
  /** gCO2eq/kWh cap on where it may move (the lowest over intents). */
  readonly maxIntensity?: number;
  /** Percent a move must save (the highest over intents), if an intent sets it. */
  readonly minSavingPercent?: number;
  /**
   * The covering intents with `compliance { audit: true }`, in coverage order: when any, each
   * decision about the workload gets its own audit-log entry naming them.
   */
  readonly auditedBy: readonly string[];
}

/**
 * The meaning of the intents for one fleet and inventory, computed once: which intents cover
 * each workload, what they allow, and the dependency graph with its latency bounds, every
 * constraint traced to its source. The planner's filters, the verifier's proofs and the
 * enforcer's plan all read this; none interprets an intent construct on its own.
 */
export interface PromiseModel {
  readonly fleet: Fleet;
  readonly workloads: readonly Workload[];
  /** Region index each workload runs in now (−1: a region the fleet does not list). */
  readonly current: Int32Array;
  readonly covering: readonly (readonly Intent[])[];
  readonly terms: readonly Terms[];
  /** 1 where the workload is critical (covered by a critical intent, or by none). */
  readonly critical: Uint8Array;
  /** `terms[w].rules`, by workload. */
  readonly rules: readonly (readonly RegionRule[])[];
  readonly edges: readonly DependencyEdge[];
  /** Outgoing edges per workload. */
  readonly out: readonly (readonly DependencyEdge[])[];
  /** The capacity of each region, as a constraint. */
  readonly capacity: readonly ConstraintRef[];
  latencyMs(a: number, b: number): number | undefined;
  indexOf(name: string): number | undefined;
  /** Workloads (by index) a `namespace/name` pattern selects. */
  matching(pattern: string): readonly number[];
  /** The dependencies (by index) one of w's latency constraints bounds. */
  latencyTargets(w: number, constraint: LatencyConstraint): readonly number[];
  /** "w runs in R", from the inventory entry. */
  located(w: number, region?: number): ConstraintRef;
}
