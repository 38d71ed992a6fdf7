import type { Intent } from '../intent/model.js';
import { checkIntents } from './check-intents.js';
import { checkPlan, type PlanCheck, type PlanMove } from './check-plan.js';
import { checkAllRegionLosses } from './check-region-loss.js';
import type { PromiseModel } from '../promises/model.js';
import type { Obligation, UnprovableState } from './proof.js';

/** Per proof obligation: how long Z3 may take before the answer counts as unknown. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface VerifyReport {
  readonly obligations: readonly Obligation[];
  /** True when nothing is unprovable (warnings allowed). */
  readonly proven: boolean;
  readonly unprovable: readonly UnprovableState[];
  readonly warnings: number;
  /** Milliseconds per check. */
  readonly ms: Readonly<Record<string, number>>;
  readonly plan?: Pick<PlanCheck, 'order' | 'batches'>;
}

export interface VerifyOptions {
  readonly timeoutMs: number;
  /** Which checks: 1 intents, 2 plan (needs `moves`), 3 region loss. */
  readonly checks: readonly ('intents' | 'plan' | 'region-loss')[];
  readonly moves?: readonly PlanMove[];
}

/** Runs the asked checks in a fixed order and gathers their obligations into one report. */
export async function verify(
  mesh: PromiseModel,
  intents: readonly Intent[],
  options: VerifyOptions,
): Promise<VerifyReport> {
  const obligations: Obligation[] = [];
  const ms: Record<string, number> = {};
  let plan: PlanCheck | undefined;
  for (const check of ['intents', 'plan', 'region-loss'] as const) {
    if (!options.checks.includes(check)) continue;
    const started = performance.now();
    if (check === 'intents') obligations.push(...(await checkIntents(mesh, intents, options.timeoutMs)));
    if (check === 'plan') {
      plan = await checkPlan(mesh, intents, options.moves ?? [], options.timeoutMs);
      obligations.push(...plan.obligations);
    }
    if (check === 'region-loss') obligations.push(...(await checkAllRegionLosses(mesh, intents, options.timeoutMs)));
    ms[check] = performance.now() - started;
  }
  return toReport(obligations, ms, plan);
}

/** Gathers obligations (and the plan check's order, if one ran) into a report. */
export function toReport(
  obligations: readonly Obligation[],
  ms: Readonly<Record<string, number>>,
  plan?: Pick<PlanCheck, 'order' | 'batches'>,
): VerifyReport {
  const unprovable = obligations.filter((o) => o.verdict === 'unprovable').map((o) => o.unprovable as UnprovableState);
  return {
    obligations,
    proven: unprovable.length === 0,
    unprovable,
    warnings: obligations.filter((o) => o.verdict === 'warning').length,
    ms,
    ...(plan ? { plan: { order: plan.order, batches: plan.batches } } : {}),
  };
}

/** Two reports as one, in order: check 1's obligations, then check 2's. */
export function joinReports(first: VerifyReport, second: VerifyReport): VerifyReport {
  return toReport(
    [...first.obligations, ...second.obligations],
    { ...first.ms, ...second.ms },
    second.plan ?? first.plan,
  );
}
