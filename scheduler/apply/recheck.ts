import type { PlannedFacts } from '../../db/migration-journal.js';
import type { Fleet } from '../../regions/fleet/model.js';
import type { Intent } from '../intent/model.js';
import type { Workload } from '../inventory/model.js';
import { buildPromiseModel } from '../promises/build-model.js';
import { plannedFacts } from '../run/run-record.js';
import type { InventoryRead } from '../run/ports.js';
import { withCapacity } from '../run/with-capacity.js';
import { checkPlan, type PlanMove } from '../verify/check-plan.js';
import { refText } from '../verify/proof.js';

/** A move about to be applied, with what its plan knew of the workload. */
export interface PendingMove extends PlanMove {
  readonly id: number;
  readonly planned?: PlannedFacts;
}

/** What the fresh state says of a batch: the moves still proven safe, in the order proven now, and the rest. */
export interface Rechecked<M extends PendingMove> {
  readonly batches: readonly (readonly M[])[];
  readonly skipped: readonly { readonly move: M; readonly reason: string }[];
}

/** What a recheck needs besides the moves: the fleet and intents, and the clusters as read just now. */
export interface FreshState {
  readonly fleet: Fleet;
  readonly intents: readonly Intent[];
  readonly read: InventoryRead;
  /** Per proof obligation. */
  readonly timeoutMs: number;
}

/**
 * Checks a batch's moves against the clusters as they are now, not as they were planned
 * from: a move whose workload vanished, moved, changed, became held, or whose region cannot
 * be read is skipped with why; the rest must be proven safe again (the verifier's plan
 * check: placement, assertions, a make-before-break order). When they are not proven
 * together, each is proven alone and the ones that fail are skipped with the obligation
 * that failed; the survivors are proven together once more, or all skipped.
 */
export async function recheckBatch<M extends PendingMove>(
  moves: readonly M[],
  fresh: FreshState,
): Promise<Rechecked<M>> {
  const byName = new Map(fresh.read.workloads.map((w) => [w.name, w]));
  const skipped: { move: M; reason: string }[] = [];
  const candidates: M[] = [];
  for (const m of moves) {
    const why = staleReason(m, byName.get(m.workload), fresh.read);
    if (why) skipped.push({ move: m, reason: why });
    else candidates.push(m);
  }
  if (candidates.length === 0) return { batches: [], skipped };
  const fleet = fresh.read.capacity ? withCapacity(fresh.fleet, fresh.read.capacity) : fresh.fleet;
  const model = buildPromiseModel(fleet, fresh.intents, fresh.read.workloads);
  const prove = (ms: readonly M[]) => checkPlan(model, fresh.intents, ms, fresh.timeoutMs);
  const together = await prove(candidates);
  if (unproven(together) === undefined) return { batches: together.batches, skipped };
  const alone: M[] = [];
  for (const m of candidates) {
    const failed = unproven(await prove([m]));
    if (failed) skipped.push({ move: m, reason: `no longer proven safe: ${failed}` });
    else alone.push(m);
  }
  if (alone.length === 0) return { batches: [], skipped };
  const again = alone.length === candidates.length ? together : await prove(alone);
  const failed = unproven(again);
  if (failed === undefined) return { batches: again.batches, skipped };
  for (const m of alone)
    skipped.push({ move: m, reason: `no longer proven safe together with the batch's other moves: ${failed}` });
  return { batches: [], skipped };
}

/** The first obligation not proven, in words, or undefined when all are. */
function unproven(check: Awaited<ReturnType<typeof checkPlan>>): string | undefined {
  const o = check.obligations.find((x) => x.verdict === 'unprovable');
  if (!o) return undefined;
  const core = o.unprovable?.core.slice(0, 3).map(refText) ?? [];
  return `${o.name}: ${o.unprovable?.message ?? o.detail ?? 'unprovable'}${core.length ? ` (${core.join('; ')})` : ''}`;
}

/** Why the fresh state no longer supports the move, or undefined when it does. */
function staleReason(m: PendingMove, now: Workload | undefined, read: InventoryRead): string | undefined {
  for (const region of [m.from, m.to]) {
    const why = read.unavailable?.get(region);
    if (why) return `${region} is unknown now: ${why}`;
  }
  if (!now) return `${m.workload} is no longer found in any cluster`;
  if (now.region !== m.from) return `${m.workload} now runs in ${now.region}, not ${m.from} as planned`;
  const held = read.held?.get(m.workload);
  if (held) return `${m.workload} must stay where it is now: ${held}`;
  if (m.planned) {
    const changed = changes(m.planned, plannedFacts(now));
    if (changed.length) return `${m.workload} changed since it was planned (${changed.join('; ')})`;
  }
  return undefined;
}

function changes(was: PlannedFacts, now: PlannedFacts): string[] {
  const out: string[] = [];
  if (was.cpu !== now.cpu) out.push(`cpu ${was.cpu} → ${now.cpu} cores`);
  if (was.memory_gib !== now.memory_gib) out.push(`memory ${was.memory_gib} → ${now.memory_gib} GiB`);
  if (was.intent !== now.intent) out.push(`intent ${was.intent ?? 'none'} → ${now.intent ?? 'none'}`);
  const deps = (d: readonly string[]) => [...d].sort().join(', ') || 'none';
  if (deps(was.depends_on) !== deps(now.depends_on))
    out.push(`depends on ${deps(was.depends_on)} → ${deps(now.depends_on)}`);
  return out;
}
