import { sql } from 'drizzle-orm';
import { carbonReadings, decisions, exceptions, migrations, outbox, runs, scheduleTicks } from './schema.js';
import type { Store } from './store.js';
import { storeFault } from './store-fault.js';

/** What the store says about the service, as the metrics export it (read at scrape time). */
export interface ServiceFigures {
  readonly runsByVerdict: readonly { readonly verdict: string; readonly n: number }[];
  readonly migrationsByState: readonly { readonly state: string; readonly n: number }[];
  /** Rollbacks by the first words of their reason (`verification fail`, `the copy … did not serve`). */
  readonly rollbacksByReason: readonly { readonly reason: string; readonly n: number }[];
  readonly outbox: readonly { readonly channel: string; readonly pending: number; readonly failed: number }[];
  /** Per zone, the newest reading's time (epoch ms). */
  readonly carbonNewest: readonly { readonly zone: string; readonly at: number }[];
  /** Regions with an open unreachable-cluster exception. */
  readonly unreachable: readonly string[];
  /** Ticks of policy.schedule, by what they came to (started, skipped, busy). */
  readonly ticks: readonly { readonly outcome: string; readonly n: number }[];
  /** The latest run's figures, when there is one. */
  readonly latest?: {
    readonly before: number | null;
    readonly after: number | null;
    readonly gap: number | null;
    readonly seconds: number;
    readonly moves: number;
  };
}

type Row = Record<string, unknown>;
const rowsOf = (r: unknown): Row[] => (Array.isArray(r) ? (r as Row[]) : ((r as { rows?: Row[] }).rows ?? []));
const n = (v: unknown) => Number(v);

/** One read of every figure; a store failure is a StoreError (the scrape then fails, as it should). */
export async function serviceFigures(store: Store): Promise<ServiceFigures> {
  const q = async (query: ReturnType<typeof sql>) => rowsOf(await store.db.execute(query));
  try {
    const [byVerdict, byState, byReason, box, carbon, down, latest, ticks] = await Promise.all([
      q(sql`select verdict, count(*)::int as n from ${runs} group by verdict order by verdict`),
      q(sql`select state, count(*)::int as n from ${migrations} group by state order by state`),
      q(sql`select split_part(coalesce(reason, 'unknown'), ':', 1) as reason, count(*)::int as n
            from ${migrations} where state = 'rolled-back' group by 1 order by 1`),
      q(sql`select channel,
              count(*) filter (where delivered_at is null and failed_at is null)::int as pending,
              count(*) filter (where failed_at is not null)::int as failed
            from ${outbox} group by channel order by channel`),
      q(sql`select zone, extract(epoch from max(datetime)) * 1000 as at
            from ${carbonReadings} group by zone order by zone`),
      q(sql`select distinct concerns from ${exceptions}
            where kind = 'unreachable-cluster' and episode_of is null and resolved_at is null order by concerns`),
      q(sql`select emissions_before_g_per_h as before, emissions_after_g_per_h as after, gap,
              extract(epoch from (finished_at - started_at)) as seconds,
              (select count(*)::int from ${decisions} d where d.run_id = r.id and d.kind = 'move') as moves
            from ${runs} r order by id desc limit 1`),
      q(sql`select outcome, count(*)::int as n from ${scheduleTicks} group by outcome order by outcome`),
    ]);
    const last = latest[0];
    return {
      runsByVerdict: byVerdict.map((r) => ({ verdict: String(r.verdict), n: n(r.n) })),
      migrationsByState: byState.map((r) => ({ state: String(r.state), n: n(r.n) })),
      rollbacksByReason: byReason.map((r) => ({ reason: String(r.reason).slice(0, 60), n: n(r.n) })),
      outbox: box.map((r) => ({ channel: String(r.channel), pending: n(r.pending), failed: n(r.failed) })),
      carbonNewest: carbon.map((r) => ({ zone: String(r.zone), at: n(r.at) })),
      unreachable: down.map((r) => String(r.concerns)),
      ticks: ticks.map((r) => ({ outcome: String(r.outcome), n: n(r.n) })),
      ...(last
        ? {
            latest: {
              before: last.before === null ? null : n(last.before),
              after: last.after === null ? null : n(last.after),
              gap: last.gap === null ? null : n(last.gap),
              seconds: n(last.seconds ?? 0),
              moves: n(last.moves ?? 0),
            },
          }
        : {}),
    };
  } catch (err) {
    throw storeFault(err, 'cannot read the figures for the metrics', 'STORE_READ_FAILED');
  }
}
