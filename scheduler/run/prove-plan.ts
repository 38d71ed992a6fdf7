import type { Move, Plan } from '../planner/plan.js';
import type { PromiseModel } from '../promises/model.js';
import { checkPlan } from '../verify/check-plan.js';
import { toReport, type VerifyReport } from '../verify/verify.js';
import type { RunSnapshot } from './snapshot.js';

export interface ProvenPlan {
  readonly report: VerifyReport;
  /** The plan's own moves in the make-before-break order check 2 proved safe (batch after batch). */
  readonly batches: readonly (readonly Move[])[];
}

/**
 * Stage 4: the plan is safe — the placement it leads to keeps every intent and capacity, the
 * assertions over the planned mesh hold, and every step of the migration order is safe.
 */
export async function provePlan(
  model: PromiseModel,
  snapshot: RunSnapshot,
  planned: Plan,
  timeoutMs: number,
): Promise<ProvenPlan> {
  const started = performance.now();
  const check = await checkPlan(model, snapshot.intents, planned.moves, timeoutMs);
  const report = toReport(check.obligations, { plan: performance.now() - started }, check);
  return { report, batches: report.proven ? check.batches : [] };
}
