import { MAX_INTENSITY } from '../../regions/carbon/plausibility.js';
import type { QuantityKind } from '../units.js';

/**
 * Everything the intent language knows: constraint kinds and their keys, statements,
 * target selectors, drift actions, verification methods and validate_state predicates.
 * The checker is driven by these tables, and docs/intent-language.md documents each
 * entry (a test keeps the two in step).
 */

/**
 * Every quantity and integer has an explicit range (in the kind's base unit: ms, %,
 * gCO2eq/kWh), so no value reaching the planner, verifier or enforcer is unbounded.
 */
export type ValueSpec =
  | { readonly type: 'quantity'; readonly kind: QuantityKind; readonly min: number; readonly max: number }
  | { readonly type: 'bool' }
  | { readonly type: 'string' }
  | { readonly type: 'strings' }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'integer'; readonly min: number; readonly max: number }
  | { readonly type: 'countries' }
  | { readonly type: 'patterns' };

export interface KeySpec {
  readonly value: ValueSpec;
  readonly required?: boolean;
}

export interface ConstraintSpec {
  readonly keys: Readonly<Record<string, KeySpec>>;
  /** May the kind appear more than once in one intent (e.g. latency to different dependencies)? */
  readonly repeatable: boolean;
  /** At least one of these keys must be given. */
  readonly oneOf?: readonly string[];
}

export const VERIFY_METHODS = ['ebpf_probe', 'latency_matrix'] as const;
export const PERCENTILES = ['p50', 'p90', 'p95', 'p99', 'p999'] as const;
export const DRIFT_ACTIONS = ['auto-remediate', 'rollback', 'alert'] as const;
export const TRAFFIC_POLICIES = ['mTLS-strict', 'mTLS-permissive', 'plaintext'] as const;
export const PLACEMENTS = ['critical', 'flexible'] as const;
export const MESHES = ['current_mesh', 'planned_mesh'] as const;
export const PREDICATES = [
  'has_cyclic_dependencies',
  'dependencies_reachable',
  'latency_within_bounds',
  'survives_region_loss',
] as const;

export const CONSTRAINTS: Readonly<Record<string, ConstraintSpec>> = {
  network_latency: {
    repeatable: true,
    keys: {
      max: { value: { type: 'quantity', kind: 'duration', min: 0.001, max: 60_000 }, required: true },
      to: { value: { type: 'patterns' } },
      verify_via: { value: { type: 'enum', values: VERIFY_METHODS } },
      percentile: { value: { type: 'enum', values: PERCENTILES } },
    },
  },
  compliance: {
    repeatable: false,
    keys: {
      level: { value: { type: 'strings' }, required: true },
      audit: { value: { type: 'bool' } },
    },
  },
  residency: {
    repeatable: false,
    oneOf: ['allow', 'deny'],
    keys: {
      allow: { value: { type: 'countries' } },
      deny: { value: { type: 'countries' } },
    },
  },
  carbon: {
    repeatable: false,
    oneOf: ['min_saving', 'max_intensity'],
    keys: {
      min_saving: { value: { type: 'quantity', kind: 'percent', min: 0, max: 100 } },
      // No grid can exceed what a carbon reading may say (one physical bound for both).
      max_intensity: { value: { type: 'quantity', kind: 'intensity', min: 0, max: MAX_INTENSITY } },
    },
  },
  circuit_breaker: {
    repeatable: true,
    keys: {
      to: { value: { type: 'patterns' } },
      consecutive_failures: { value: { type: 'integer', min: 1, max: 1000 } },
      interval: { value: { type: 'quantity', kind: 'duration', min: 1, max: 3_600_000 } },
      base_ejection: { value: { type: 'quantity', kind: 'duration', min: 1, max: 86_400_000 } },
      max_ejection: { value: { type: 'quantity', kind: 'duration', min: 1, max: 86_400_000 } },
      half_open: { value: { type: 'bool' } },
    },
  },
};

/** Defaults applied when a key is left out (documented with the key). */
export const DEFAULTS = {
  verifyVia: 'ebpf_probe',
  percentile: 'p99',
  audit: false,
  placement: 'critical',
  circuitBreaker: {
    consecutiveFailures: 5,
    intervalMs: 10_000,
    baseEjectionMs: 30_000,
    maxEjectionMs: 300_000,
    halfOpen: true,
  },
} as const;

export interface StatementSpec {
  /** Positional arguments: their type and how many are required. */
  readonly positional?: { readonly value: ValueSpec; readonly min: number; readonly max: number };
  /** Named arguments. */
  readonly named?: Readonly<Record<string, KeySpec>>;
  /** May it appear inside a `target { }` body? */
  readonly inTarget: boolean;
  /** May it appear directly in the intent body? */
  readonly inIntent: boolean;
  readonly repeatable: boolean;
}

const PATTERNS: ValueSpec = { type: 'patterns' };

export const STATEMENTS: Readonly<Record<string, StatementSpec>> = {
  workloads: { positional: { value: PATTERNS, min: 1, max: 1000 }, inTarget: false, inIntent: true, repeatable: true },
  depends_on: { positional: { value: PATTERNS, min: 1, max: 1000 }, inTarget: false, inIntent: true, repeatable: true },
  placement: {
    positional: { value: { type: 'enum', values: PLACEMENTS }, min: 1, max: 1 },
    inTarget: false,
    inIntent: true,
    repeatable: false,
  },
  ensure: {
    named: { traffic_policy: { value: { type: 'enum', values: TRAFFIC_POLICIES }, required: true } },
    inTarget: true,
    inIntent: true,
    repeatable: true,
  },
  on_drift: {
    named: {
      action: { value: { type: 'enum', values: DRIFT_ACTIONS }, required: true },
      notify: { value: { type: 'string' } },
    },
    inTarget: true,
    inIntent: true,
    repeatable: false,
  },
};

export const TARGET_SELECTORS: Readonly<Record<string, StatementSpec>> = {
  nodes: {
    positional: { value: { type: 'string' }, min: 1, max: 1000 },
    inTarget: false,
    inIntent: false,
    repeatable: false,
  },
};

export const ITEM_KEYWORDS = ['constraint', 'target', 'validate_state'] as const;
