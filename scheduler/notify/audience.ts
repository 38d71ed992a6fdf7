import type { ExceptionRow } from '../../db/record-run.js';
import type { Fleet } from '../../regions/fleet/model.js';
import type { Intent } from '../intent/model.js';
import { workloadMatcher } from '../inventory/pattern.js';
import type { Audience } from './notices.js';

/** Exceptions whose `concerns` is a workload (`namespace/name`). */
const ABOUT_A_WORKLOAD = new Set(['rollback', 'drift']);

/**
 * Who hears a fleet's news: its notify channels, and for an exception the channels its intents
 * name in `on_drift(notify: …)` — the intents that cover the workload it concerns, or, for an
 * Unprovable State, the intents written in the files of its conflicting constraints.
 */
export function audienceOf(fleet: Fleet, intents: readonly Intent[]): Audience {
  const matchers = intents.map((i) => ({ intent: i, matches: i.workloads.map((w) => workloadMatcher(w.value)) }));
  const channelOf = (i: Intent) => (i.onDrift?.notify ? [i.onDrift.notify.value] : []);
  return Object.freeze({
    channels: fleet.notify,
    intentChannelsOf(row: ExceptionRow): string[] {
      if (ABOUT_A_WORKLOAD.has(row.kind))
        return matchers.filter((m) => m.matches.some((f) => f(row.concerns))).flatMap((m) => channelOf(m.intent));
      if (row.kind === 'unprovable') {
        const core = (row.detail as { core?: { file?: unknown }[] } | null)?.core;
        const files = new Set(Array.isArray(core) ? core.map((c) => c?.file) : []);
        return intents.filter((i) => files.has(i.span.file)).flatMap(channelOf);
      }
      return [];
    },
  });
}
