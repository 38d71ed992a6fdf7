import { and, eq, isNull, sql } from 'drizzle-orm';
import { outbox } from './schema.js';
import { inTransaction, type Executor, type Store } from './store.js';
import { storeFault } from './store-fault.js';

/**
 * The outbox: a message is written in the same transaction as the run or exception it
 * reports, so it exists exactly when what it tells of does, and a worker sends it later. A
 * message is sent at least once; its idempotency key makes a repeat recognisable, and a
 * delivered row is never sent again, so in the normal case it is sent exactly once.
 */
export interface OutboxMessage {
  /** Stable for what the message reports (`run-12/summary`, `exception-7/raised`): a second write is a no-op. */
  readonly key: string;
  /** The notify channel's name in the fleet file. */
  readonly channel: string;
  readonly payload: unknown;
}

/** A message claimed for sending. */
export interface ClaimedMessage extends OutboxMessage {
  readonly id: number;
  /** Attempts made before this one. */
  readonly attempts: number;
}

/** What became of one attempt; `retry` carries when to try again. */
export type AttemptResult =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly nextAttemptAt: Date; readonly error: string }
  | { readonly kind: 'permanent'; readonly error: string };

/** Writes messages inside the caller's transaction; one whose key is already there is left as it is. */
export async function enqueueIn(tx: Executor, messages: readonly OutboxMessage[], now: Date): Promise<void> {
  if (messages.length === 0) return;
  await tx
    .insert(outbox)
    .values(
      messages.map((m) => ({
        idempotencyKey: m.key,
        channel: m.channel,
        payload: m.payload,
        createdAt: now,
        nextAttemptAt: now,
      })),
    )
    .onConflictDoNothing({ target: outbox.idempotencyKey });
}

/**
 * Claims up to `limit` messages due at `now`, at most one per channel and only the oldest
 * unsent one of each, so every channel hears its messages in the order they were written
 * (a message waiting out a retry holds back the ones behind it). A claim is a lease: the
 * row's next attempt moves to `now + leaseMs`, so a worker that dies mid-send leaves it to
 * be claimed again when the lease ends; two workers never claim the same row at once.
 */
export async function claimDue(store: Store, now: Date, leaseMs: number, limit: number): Promise<ClaimedMessage[]> {
  try {
    return await inTransaction(store, async (tx) => {
      const found = (await tx.execute(sql`
        with heads as (
          select distinct on (channel) id, next_attempt_at from ${outbox}
          where delivered_at is null and failed_at is null
          order by channel, id
        )
        select o.id, o.idempotency_key, o.channel, o.payload, o.attempts
        from ${outbox} o join heads h on o.id = h.id
        where h.next_attempt_at <= ${now.toISOString()}::timestamptz
        order by o.id
        limit ${limit}
        for update of o skip locked`)) as unknown as { rows?: RawRow[] } | RawRow[];
      const rows = Array.isArray(found) ? found : (found.rows ?? []);
      const leaseEnd = new Date(now.getTime() + leaseMs);
      for (const r of rows)
        await tx
          .update(outbox)
          .set({ nextAttemptAt: leaseEnd })
          .where(eq(outbox.id, Number(r.id)));
      return rows.map((r) => ({
        id: Number(r.id),
        key: r.idempotency_key,
        channel: r.channel,
        payload: r.payload,
        attempts: Number(r.attempts),
      }));
    });
  } catch (err) {
    throw storeFault(err, 'cannot claim outbox messages');
  }
}

interface RawRow {
  readonly id: number | string;
  readonly idempotency_key: string;
  readonly channel: string;
  readonly payload: unknown;
  readonly attempts: number | string;
}

/** Records how an attempt went. Only an unsent row changes: a late answer after a re-claim is a no-op. */
export async function recordAttempt(store: Store, id: number, result: AttemptResult, now: Date): Promise<void> {
  const attempts = sql`${outbox.attempts} + 1`;
  const set =
    result.kind === 'delivered'
      ? { attempts, deliveredAt: now, lastError: null }
      : result.kind === 'retry'
        ? { attempts, nextAttemptAt: result.nextAttemptAt, lastError: result.error }
        : { attempts, failedAt: now, lastError: result.error };
  try {
    await store.db
      .update(outbox)
      .set(set)
      .where(and(eq(outbox.id, id), isNull(outbox.deliveredAt), isNull(outbox.failedAt)));
  } catch (err) {
    throw storeFault(err, `cannot record the delivery of outbox message ${id}`);
  }
}

/** Per channel: messages waiting to be sent, and messages given up on (for metrics and `shisa status`). */
export interface OutboxDepth {
  readonly channel: string;
  readonly pending: number;
  readonly failed: number;
}

export async function outboxDepth(store: Store): Promise<OutboxDepth[]> {
  try {
    const rows = await store.db
      .select({
        channel: outbox.channel,
        pending: sql<number>`count(*) filter (where ${outbox.deliveredAt} is null and ${outbox.failedAt} is null)::int`,
        failed: sql<number>`count(*) filter (where ${outbox.failedAt} is not null)::int`,
      })
      .from(outbox)
      .groupBy(outbox.channel)
      .orderBy(outbox.channel);
    return rows.map((r) => ({ channel: r.channel, pending: Number(r.pending), failed: Number(r.failed) }));
  } catch (err) {
    throw storeFault(err, 'cannot count the outbox', 'STORE_READ_FAILED');
  }
}
