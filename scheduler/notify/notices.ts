import { closeEpisodes, joinEpisode, openEpisodes } from '../../db/exception-episodes.js';
import { enqueueIn, type OutboxMessage } from '../../db/outbox.js';
import type { ExceptionRow } from '../../db/record-run.js';
import type { Executor } from '../../db/store.js';
import type { NotifyChannel } from '../../regions/fleet/model.js';
import { episodeChanges, type ExceptionIdentity } from './episodes.js';
import { exceptionInput } from './exception-input.js';
import { routeTo } from './routing.js';
import { exceptionMessage, resolvedMessage, runSummaryMessage, type RunSummaryInput } from './slack-message.js';

/** Who hears what: the fleet's channels, and the channels an exception's intents name in on_drift. */
export interface Audience {
  readonly channels: ReadonlyMap<string, NotifyChannel>;
  readonly intentChannelsOf: (row: ExceptionRow) => readonly string[];
}

/** The kinds of exception every run judges afresh: one it does not find again is over. */
export const RUN_JUDGES: readonly string[] = ['unprovable', 'stale-feed', 'unreachable-cluster'];

/**
 * Kinds that are events, not states: each is told as it happens (a rollback a week after the
 * last one is news). Every other kind is a state — told when it starts and when it is over.
 */
const EVENT_KINDS: ReadonlySet<string> = new Set(['rollback']);

const identity = (e: { readonly kind: string; readonly concerns: string }) => `${e.kind}\u0000${e.concerns}`;

/**
 * Inside the transaction that wrote `seen` (a run's exceptions, a rollback, a rejected reload):
 * decides which of them start an episode and which open episodes of the `judged` kinds are
 * over, marks the rows so, and writes the messages that tell of it to the outbox — in the same
 * transaction, so an exception is told exactly when it is recorded. One persisting across runs
 * is told once; its end is told once, as a short "resolved".
 */
export async function tellExceptionsIn(
  tx: Executor,
  audience: Audience,
  seen: readonly ExceptionRow[],
  judged: readonly string[],
  now: Date,
  cleared?: ExceptionIdentity,
): Promise<void> {
  // The episodes open of the kinds judged now, and of the kinds seen (a state seen again joins its episode).
  const kinds = [
    ...new Set([
      ...judged,
      ...seen.map((s) => s.kind).filter((k) => !EVENT_KINDS.has(k)),
      ...(cleared ? [cleared.kind] : []),
    ]),
  ];
  const open = await openEpisodes(
    tx,
    kinds,
    seen.map((s) => s.id),
  );
  const judgedNow = episodeChanges(open, seen, new Set(judged));
  // One identity known to be over (a drift whose checks hold again), whatever else is judged.
  const over = open.filter((o) => cleared && identity(o) === identity(cleared) && !judgedNow.resolved.includes(o));
  const changes = { ...judgedNow, resolved: [...judgedNow.resolved, ...over] };
  const openerOf = new Map(open.map((o) => [identity(o), o.id]));
  for (const r of changes.raised) openerOf.set(identity(r), r.id);
  const raisedIds = new Set(changes.raised.map((r) => r.id));
  for (const s of seen) if (!raisedIds.has(s.id)) await joinEpisode(tx, s.id, openerOf.get(identity(s))!);
  await closeEpisodes(
    tx,
    changes.resolved.map((r) => r.id),
    now,
  );
  const byId = new Map(open.map((o) => [o.id, o]));
  const messages: OutboxMessage[] = [
    ...changes.raised.flatMap((r) => told(audience, r, 'raised')),
    ...changes.resolved.flatMap((r) => told(audience, byId.get(r.id)!, 'resolved')),
  ];
  await enqueueIn(tx, messages, now);
}

function told(audience: Audience, row: ExceptionRow, what: 'raised' | 'resolved'): OutboxMessage[] {
  const input = exceptionInput(row);
  const payload = what === 'raised' ? exceptionMessage(input) : resolvedMessage(input);
  const to = routeTo(audience.channels, { about: 'exceptions', intentChannels: audience.intentChannelsOf(row) });
  return to.map((channel) => ({ key: `exception-${row.id}/${what}/${channel}`, channel, payload }));
}

/** The one message per applied run that moved something, to every channel that hears of migrations. */
export function runSummaryNotices(audience: Audience, summary: RunSummaryInput): OutboxMessage[] {
  const payload = runSummaryMessage(summary);
  return routeTo(audience.channels, { about: 'migrations' }).map((channel) => ({
    key: `run-${summary.runId}/summary/${channel}`,
    channel,
    payload,
  }));
}
