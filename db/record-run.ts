import { appendAuditIn } from './audit-log.js';
import { carbonReadings, decisions, exceptions, runs } from './schema.js';
import { inTransaction, type Store } from './store.js';

/** One run as the store keeps it: what was decided, on what data, and how it ended. */
export interface RunRecord {
  readonly trigger: 'cron' | 'manual' | 'api';
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly fleet: string;
  readonly carbonSource: string;
  readonly carbon: { readonly fresh: number; readonly zones: number; readonly notFresh: readonly { readonly zone: string; readonly status: string; readonly problem?: string }[] };
  readonly emissionsBefore: number;
  readonly emissionsAfter: number;
  readonly lowerBound: number;
  readonly gap: number;
  readonly verdict: 'proven' | 'unprovable' | 'not-run';
  readonly status: 'planned' | 'unprovable' | 'failed';
  readonly timings: Readonly<Record<string, number>>;
  readonly moves: readonly { readonly workload: string; readonly from: string; readonly to: string; readonly savingGPerH: number }[];
  readonly kept: readonly { readonly workload: string; readonly region: string; readonly reason: string; readonly detail: string }[];
  readonly readings: readonly { readonly zone: string; readonly datetime: Date; readonly intensity: number; readonly estimated: boolean; readonly source: string }[];
  readonly exceptions: readonly { readonly kind: 'unprovable' | 'stale-feed'; readonly concerns: string; readonly detail: unknown }[];
}

/** Rows per INSERT: large enough to be fast, small enough for any driver's parameter limit. */
const CHUNK = 1_000;

/**
 * Records a run, its decisions, the readings it used, its exceptions and an audit entry in
 * one transaction: all of it or, if anything fails (the database goes away), none of it.
 * Returns the run's id.
 */
export async function recordRun(store: Store, r: RunRecord): Promise<number> {
  return inTransaction(store, async (tx) => {
    const [run] = await tx
      .insert(runs)
      .values({
        trigger: r.trigger,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        fleet: r.fleet,
        carbonSource: r.carbonSource,
        carbon: r.carbon,
        emissionsBefore: r.emissionsBefore,
        emissionsAfter: r.emissionsAfter,
        lowerBound: r.lowerBound,
        gap: r.gap,
        verdict: r.verdict,
        status: r.status,
        timings: r.timings,
      })
      .returning();
    const runId = run!.id;
    const rows = [
      ...r.moves.map((m) => ({ runId, kind: 'move', workload: m.workload, fromRegion: m.from, toRegion: m.to, savingGPerH: m.savingGPerH })),
      ...r.kept.map((k) => ({ runId, kind: 'kept', workload: k.workload, fromRegion: k.region, reason: k.reason, detail: k.detail })),
    ];
    for (let i = 0; i < rows.length; i += CHUNK) await tx.insert(decisions).values(rows.slice(i, i + CHUNK));
    const fetchedAt = r.finishedAt;
    if (r.readings.length) await tx.insert(carbonReadings).values(r.readings.map((x) => ({ ...x, fetchedAt }))).onConflictDoNothing();
    if (r.exceptions.length) await tx.insert(exceptions).values(r.exceptions.map((e) => ({ runId, kind: e.kind, concerns: e.concerns, detail: e.detail, createdAt: r.finishedAt })));
    await appendAuditIn(tx, r.finishedAt, {
      actor: 'shisa',
      action: 'run.recorded',
      subject: `run ${runId}`,
      payload: { trigger: r.trigger, fleet: r.fleet, verdict: r.verdict, status: r.status, moves: r.moves.length, kept: r.kept.length, emissionsAfter: r.emissionsAfter },
    });
    return runId;
  });
}
