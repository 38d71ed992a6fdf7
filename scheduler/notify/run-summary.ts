import { recordSummarised, unsummarisedRuns, type AppliedRun } from '../../db/applied-runs.js';
import type { Store } from '../../db/store.js';
import { runSummaryNotices, type Audience } from './notices.js';
import type { RunSummaryInput } from './slack-message.js';

/**
 * What a run's summary says once its migrations have finished: the moves done, those rolled
 * back and why, and the emissions before and after counting only the moves that were done
 * (a rolled-back move saved nothing), beside the plan's proven gap.
 */
export function summaryOf(applied: AppliedRun, fleet: string, now: number): RunSummaryInput {
  const { run } = applied;
  const done = applied.migrations.filter((m) => m.state === 'done');
  const rolledBack = applied.migrations.filter((m) => m.state === 'rolled-back');
  const before = run.emissionsBefore ?? Number.NaN;
  const saved = done.reduce((sum, m) => sum + (applied.savings.get(m.workload) ?? 0), 0);
  const move = (m: AppliedRun['migrations'][number]) => ({ workload: m.workload, from: m.fromRegion, to: m.toRegion });
  return {
    runId: run.id,
    fleet,
    atIso: new Date(now).toISOString(),
    beforeGPerH: before,
    afterGPerH: rolledBack.length === 0 && run.emissionsAfter !== null ? run.emissionsAfter : before - saved,
    gap: rolledBack.length === 0 ? run.gap : null,
    done: done.map(move),
    rolledBack: rolledBack.map((m) => ({ ...move(m), reason: m.reason ?? 'rolled back' })),
  };
}

/**
 * Writes the summary of every run that moved something, once its migrations have finished and it has none yet, each
 * in one transaction with its audit entry; returns the runs summarised. Called after each
 * apply and at start, so a summary lost to a kill is written by the next start.
 */
export async function summariseAppliedRuns(
  store: Store,
  audience: Audience,
  fleet: string,
  now: () => number,
): Promise<number[]> {
  const told: number[] = [];
  for (const applied of await unsummarisedRuns(store)) {
    const at = now();
    // A run that moved nothing (every move rolled back or skipped) has no summary to send:
    // each rollback was told as it happened. It is marked summarised all the same.
    const moved = applied.migrations.some((m) => m.state === 'done');
    const notices = moved ? runSummaryNotices(audience, summaryOf(applied, fleet, at)) : [];
    await recordSummarised(store, applied.run.id, notices, new Date(at));
    told.push(applied.run.id);
  }
  return told;
}
