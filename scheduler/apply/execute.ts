import type { EmitEvent } from './events.js';
import type { MigrationJob, MigrationOutcome } from './job.js';
import { driveMigration } from './migrate.js';
import { NamespaceObjects } from './namespace-objects.js';
import type { ApplyPorts } from './ports.js';
import { recheckBatch, type FreshState } from './recheck.js';
import { MigrationSlots } from './slots.js';

/** What one `apply` does: settle what is in flight, then the run's planned moves, batch by batch. */
export interface ApplyWork {
  /** Migrations the journal shows in flight (any run): finished or rolled back first. */
  readonly inFlight: readonly MigrationJob[];
  /** The planned migrations of the run to apply, in the proven order. */
  readonly planned: readonly MigrationJob[];
  /** Most migrations to start (the fleet's migration budget). */
  readonly budget: number;
  readonly maxParallel: number;
  readonly maxParallelPerCluster: number;
}

/** Reads the clusters afresh (before each batch); a string says why nothing can be said at all. */
export type Observe = () => Promise<FreshState | string>;

/** How one apply ended, migration by migration, in the order they ended. */
export interface Applied {
  readonly outcomes: readonly MigrationOutcome[];
  /** Settled at start (found in flight). */
  readonly settled: number;
}

/**
 * The executor. First every migration the journal shows in flight is settled (finished when
 * its source had started going, rolled back otherwise) before anything new starts. Then the
 * run's moves follow the proven order exactly: batch after batch, the moves of a batch
 * together within the slots. Before each batch the clusters are read again and its moves
 * proven again against what they say now; a move no longer proven safe is skipped with why.
 */
export async function applyMoves(work: ApplyWork, ports: ApplyPorts, observe: Observe): Promise<Applied> {
  const slots = new MigrationSlots(work.maxParallel, work.maxParallelPerCluster);
  const outcomes: MigrationOutcome[] = [];
  const drive = (jobs: readonly MigrationJob[], mode: 'forward' | 'settle', cache: NamespaceObjects) =>
    Promise.all(
      jobs.map((j) =>
        slots.run([j.from, j.to], async () => {
          const o = await driveMigration(j, mode, ports, cache);
          outcomes.push(o);
          return o;
        }),
      ),
    );
  if (work.inFlight.length) {
    ports.emit({ type: 'resume', count: work.inFlight.length });
    await drive(work.inFlight, 'settle', new NamespaceObjects());
  }
  const batches = byBatch(work.planned);
  let started = 0;
  for (const [i, moves] of batches.entries()) {
    if (ports.stopped()) break;
    ports.emit({ type: 'batch', batch: i + 1, of: batches.length, moves: moves.length });
    const fresh = await observe();
    const checked =
      typeof fresh === 'string'
        ? { batches: [], skipped: moves.map((move) => ({ move, reason: `the clusters cannot be read: ${fresh}` })) }
        : await recheckBatch(moves, fresh);
    for (const s of checked.skipped) outcomes.push(await skip(s.move, s.reason, ports));
    for (const sub of checked.batches) {
      const room = Math.max(0, work.budget - started);
      const now = sub.slice(0, room);
      for (const m of sub.slice(room))
        outcomes.push(await skip(m, `over the migration budget of ${work.budget} moves per run`, ports));
      started += now.length;
      await drive(now, 'forward', new NamespaceObjects());
      if (ports.stopped()) break;
    }
  }
  return { outcomes, settled: work.inFlight.length };
}

/** Past every batch number a plan can hold: moves without a batch come after all batches. */
const UNBATCHED = 2 ** 40;

/** The planned moves grouped by batch, batches in order (moves without a batch each alone, last, by id). */
function byBatch(planned: readonly MigrationJob[]): MigrationJob[][] {
  const groups = new Map<number, MigrationJob[]>();
  for (const j of planned) {
    const key = j.batch ?? UNBATCHED + j.id;
    groups.set(key, [...(groups.get(key) ?? []), j]);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, g]) => g);
}

async function skip(job: MigrationJob, reason: string, ports: ApplyPorts): Promise<MigrationOutcome> {
  const done = await ports.journal.advance(job.id, { from: 'planned', to: 'skipped', reason });
  const end = done.ok ? ('skipped' as const) : ('stuck' as const);
  const why = done.ok ? reason : done.message;
  emitEnd(ports.emit, job, end, why);
  return { id: job.id, runId: job.runId, workload: job.workload, from: job.from, to: job.to, end, reason: why };
}

function emitEnd(emit: EmitEvent, job: MigrationJob, end: MigrationOutcome['end'], reason: string): void {
  emit({ type: 'end', migration: job.id, workload: job.workload, from: job.from, to: job.to, end, reason });
}
