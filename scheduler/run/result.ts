import type { Move, Plan } from '../planner/plan.js';
import type { VerifyReport } from '../verify/verify.js';
import type { Recorded } from './ports.js';
import type { RunSnapshot } from './snapshot.js';

/** The run's stages, in the order they run. */
export type StageName = 'snapshot' | 'prove-intents' | 'plan' | 'prove-plan' | 'record' | 'notify';

export interface StageTime {
  readonly stage: StageName;
  readonly ms: number;
}

/**
 * How a run ended: planned and proven (its order can be applied); stopped because the
 * intents cannot all hold (nothing was planned); or planned but the plan not proven safe.
 */
export type RunOutcome = 'proven' | 'intents-unprovable' | 'plan-unprovable';

/** One rebalancing run, as data: what `shisa plan` renders and `apply`/`serve` act on. */
export interface RunResult {
  readonly snapshot: RunSnapshot;
  readonly outcome: RunOutcome;
  /** Absent when the intents were unprovable: the run stopped before planning. */
  readonly plan?: Plan;
  /** The planner's own time. */
  readonly planMs: number;
  /** Check 1 and, when there is a plan, check 2, in that order. */
  readonly proof: VerifyReport;
  /** The proven make-before-break order of the plan's moves; empty unless the outcome is proven. */
  readonly order: readonly (readonly Move[])[];
  /** Absent when the run was not recorded. */
  readonly recorded?: Recorded;
  readonly stages: readonly StageTime[];
}
