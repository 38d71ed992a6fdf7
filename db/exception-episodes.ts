import { and, eq, inArray, isNull, notInArray } from 'drizzle-orm';
import { exceptionDigest } from './audit-bindings.js';
import { appendAuditIn } from './audit-log.js';
import type { ExceptionRow } from './record-run.js';
import { exceptions } from './schema.js';
import type { Executor } from './store.js';

/**
 * Exceptions that opened an episode still open, of these kinds: the ones a person has been
 * told of and not yet told are over. Read inside the transaction that records new ones.
 */
export async function openEpisodes(
  tx: Executor,
  kinds: readonly string[],
  except: readonly number[] = [],
): Promise<ExceptionRow[]> {
  if (kinds.length === 0) return [];
  return tx
    .select()
    .from(exceptions)
    .where(
      and(
        isNull(exceptions.episodeOf),
        isNull(exceptions.resolvedAt),
        inArray(exceptions.kind, [...kinds]),
        ...(except.length ? [notInArray(exceptions.id, [...except])] : []),
      ),
    )
    .orderBy(exceptions.id);
}

/** Marks an exception as seen again in the episode `opener` began (it is not told again). */
export async function joinEpisode(tx: Executor, id: number, opener: number): Promise<void> {
  await tx.update(exceptions).set({ episodeOf: opener }).where(eq(exceptions.id, id));
}

/** Closes the episodes these openers began. */
export async function closeEpisodes(tx: Executor, openers: readonly number[], at: Date): Promise<void> {
  if (openers.length === 0) return;
  await tx
    .update(exceptions)
    .set({ resolvedAt: at })
    .where(and(inArray(exceptions.id, [...openers]), isNull(exceptions.resolvedAt)));
}

/**
 * Writes one exception outside a run (a rejected reload, a drift) with an `exception.recorded`
 * audit entry binding it, as the journal does for a rollback, and returns its row.
 */
export async function insertException(
  tx: Executor,
  e: { readonly kind: string; readonly concerns: string; readonly detail: unknown; readonly runId?: number },
  at: Date,
): Promise<ExceptionRow> {
  const [row] = await tx
    .insert(exceptions)
    .values({ kind: e.kind, concerns: e.concerns, detail: e.detail, runId: e.runId ?? null, createdAt: at })
    .returning();
  await appendAuditIn(tx, at, {
    actor: 'shisa',
    action: 'exception.recorded',
    subject: `exception ${row!.id}`,
    payload: { exception: row!.id, run: row!.runId, kind: row!.kind, row: exceptionDigest(row!) },
  });
  return row!;
}
