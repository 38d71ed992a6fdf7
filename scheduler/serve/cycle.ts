import { readJournal, type JournalView } from '../../db/journal-view.js';
import {
  journalPlanned,
  runMigrations,
  unfinishedMigrations,
  type MigrationRow,
  type PlannedFacts,
} from '../../db/migration-journal.js';
import { tryRebalanceLock, type RebalanceLock } from '../../db/rebalance-lock.js';
import { StoreError } from '../../db/store-error.js';
import { inTransaction, type Store } from '../../db/store.js';
import type { CarbonSource } from '../../regions/carbon/source.js';
import type { FleetClusters } from '../../regions/clusters/read-fleet-clusters.js';
import type { ApplyEvent } from '../apply/events.js';
import type { MigrationEnd } from '../apply/job.js';
import type { CliIo } from '../cli/io.js';
import { applyJobs, clusterClients, toJob } from '../cli/apply-moves.js';
import { planRun } from '../cli/plan.js';
import { readClusterInventory } from '../cli/cluster-inventory.js';
import type { Workload } from '../inventory/model.js';
import { enforcerGate } from '../gate/enforcer-gate.js';
import { readinessGate, type MigrationGate } from '../gate/gate.js';
import type { VerdictBoard } from '../gate/verdict-board.js';
import { RUN_JUDGES, tellExceptionsIn } from '../notify/notices.js';
import type { RunInput } from '../run/input.js';
import { storeRecorder } from '../run/store-recorder.js';
import type { NodeDirectory } from './node-directory.js';
import { probeKeysByWorkload } from './probe-keys.js';
import type { ServeConfig } from './serve-config.js';

/** What one rebalancing cycle of the service reads and writes. */
export interface CycleContext {
  readonly store: Store;
  readonly where: string;
  /** Who holds the rebalancing lock while a cycle runs: this process. */
  readonly holder: string;
  readonly config: ServeConfig;
  /** Kept across runs: the live feed's cache and last good readings. */
  readonly carbon: CarbonSource;
  readonly configPath: string;
  readonly kubeconfig?: string;
  /** Where the CLI pieces say what they say (the service's log). */
  readonly io: CliIo;
  readonly board: VerdictBoard;
  readonly nodes: NodeDirectory;
  readonly now: () => number;
  /** Aborted when the service stops: no new migration starts, and a verification window in progress ends. */
  readonly stopping: AbortSignal;
  readonly timeoutMs: number;
  readonly emit: (e: ApplyEvent) => void;
}

export type Ends = Readonly<Record<MigrationEnd, number>>;

/** What a cycle came to: values, not exceptions — a busy lock and an unprovable run are outcomes. */
export type CycleOutcome =
  | { readonly kind: 'busy'; readonly holder: string }
  | {
      readonly kind: 'ran';
      readonly runId?: number;
      readonly verdict: string;
      readonly moves: number;
      readonly ends: Ends;
      readonly settled: number;
    }
  | { readonly kind: 'invalid'; readonly exit: number }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

/** `run`: plan, prove, record, then migrate; `settle`: only finish what the journal shows in flight (at start). */
export type CycleMode = 'run' | 'settle';

/**
 * One rebalancing cycle of `shisa serve`, as `shisa apply --plan` would do it, under the
 * store's rebalancing lock (one cycle at a time across replicas): read the journal, plan and
 * prove a run from the clusters and the carbon feed, record it (its exceptions told in the
 * same transaction), settle what was in flight, carry out the proven moves with the
 * enforcers' verdicts as the gate, and write the summaries of finished runs.
 */
export async function rebalancingCycle(
  ctx: CycleContext,
  trigger: RunInput['trigger'],
  mode: CycleMode = 'run',
): Promise<CycleOutcome> {
  try {
    const taken = await tryRebalanceLock(ctx.store, ctx.holder);
    if (!taken.ok) return { kind: 'busy', holder: taken.holder };
    try {
      return await underLock(ctx, taken.lock, trigger, mode);
    } finally {
      await taken.lock.release();
    }
  } catch (err) {
    if (err instanceof StoreError) return { kind: 'failed', code: err.code, message: err.message };
    throw err;
  }
}

/** What a cycle found to do: the run it recorded (if it planned one), and the workloads' probe keys. */
interface Found {
  readonly runId?: number;
  readonly verdict: string;
  readonly moves: number;
  readonly workloads: readonly Workload[];
}

async function underLock(
  ctx: CycleContext,
  lock: RebalanceLock,
  trigger: RunInput['trigger'],
  mode: CycleMode,
): Promise<CycleOutcome> {
  const journal = await readJournal(ctx.store);
  const found = mode === 'run' ? await planned(ctx, lock, trigger, journal) : await inventoryOnly(ctx, journal);
  if ('kind' in found) return found;
  const rows = {
    unfinished: await unfinishedMigrations(ctx.store),
    ofRun: found.runId !== undefined && found.verdict === 'proven' ? await runMigrations(ctx.store, found.runId) : [],
  };
  const applied = await migrate(ctx, lock, found.workloads, {
    inFlight: rows.unfinished.filter((m) => m.state !== 'planned').map(toJob),
    planned: rows.ofRun.filter((m) => m.state === 'planned').map(toJob),
  });
  return {
    kind: 'ran',
    ...(found.runId !== undefined ? { runId: found.runId } : {}),
    verdict: found.verdict,
    moves: found.moves,
    ends: countEnds(applied.outcomes.map((o) => o.end)),
    settled: applied.settled,
  };
}

const loadedOf = (ctx: CycleContext) => ({ workspace: ctx.config.workspace, sources: ctx.config.sources });

/** The nodes the clusters reported, kept for the verdict board and the enforcers. */
function keepNodes(ctx: CycleContext, read: FleetClusters): void {
  const readable = new Set(read.clusters.filter((c) => c.state === 'read').map((c) => c.region));
  ctx.nodes.update(read.nodes, readable, ctx.now());
}

/** A run planned, proven and recorded, its exceptions told in the transaction that records it. */
async function planned(
  ctx: CycleContext,
  lock: RebalanceLock,
  trigger: RunInput['trigger'],
  journal: JournalView,
): Promise<Found | CycleOutcome> {
  const { config } = ctx;
  const recorder = storeRecorder(ctx.store, lock, ctx.where, (tx, w) =>
    tellExceptionsIn(tx, config.audience, w.exceptions, RUN_JUDGES, w.finishedAt),
  );
  const options = {
    config: ctx.configPath,
    trigger,
    carbonSource: ctx.carbon,
    timeoutMs: ctx.timeoutMs,
    onClusters: (read: FleetClusters) => keepNodes(ctx, read),
    ...kubeconfig(ctx),
  };
  const ran = await planRun('serve', options, ctx.io, loadedOf(ctx), recorder, journal);
  if (typeof ran === 'number') return { kind: 'invalid', exit: ran };
  const { result } = ran;
  if (result.recorded && !result.recorded.ok)
    return { kind: 'failed', code: result.recorded.code, message: result.recorded.message };
  return {
    ...(result.recorded?.id !== undefined ? { runId: result.recorded.id } : {}),
    verdict: result.outcome,
    moves: result.plan?.moves.length ?? 0,
    workloads: result.snapshot.workloads,
  };
}

/** The clusters read for what is in flight: its workloads' probe keys, and the nodes. */
async function inventoryOnly(ctx: CycleContext, journal: JournalView): Promise<Found | CycleOutcome> {
  const read = await readClusterInventory('serve', loadedOf(ctx), { journal, ...kubeconfig(ctx) }, ctx.io);
  if (typeof read === 'number') return { kind: 'invalid', exit: read };
  keepNodes(ctx, read.clusters);
  return { verdict: 'settled', moves: 0, workloads: read.read.workloads };
}

/** The executor over what is in flight and the run's planned moves, the enforcers' verdicts its gate. */
async function migrate(
  ctx: CycleContext,
  lock: RebalanceLock,
  workloads: readonly Workload[],
  jobs: Parameters<typeof applyJobs>[1],
) {
  const { config } = ctx;
  const keys = probeKeysByWorkload(config.workspace, workloads);
  const gate = enforcerGate({
    board: ctx.board,
    checksOf: (w) => keys.get(w) ?? [],
    readiness: readinessGate,
    now: ctx.now,
  });
  const clients = clusterClients(config.clusters, config.workspace.fleet.policy);
  try {
    return await applyJobs(
      {
        store: ctx.store,
        loaded: loadedOf(ctx),
        clusters: config.clusters,
        clients,
        audience: config.audience,
        gate: untilStopping(gate, ctx.stopping),
        emit: ctx.emit,
        now: ctx.now,
        timeoutMs: ctx.timeoutMs,
        maxParallel: config.workspace.fleet.policy.maxParallel,
        stopped: () => (ctx.stopping.aborted ? 'the service is stopping' : lock.lost()),
      },
      jobs,
    );
  } finally {
    for (const c of clients.values()) c.close();
  }
}

const kubeconfig = (ctx: CycleContext) => (ctx.kubeconfig !== undefined ? { kubeconfig: ctx.kubeconfig } : {});

function countEnds(ends: readonly MigrationEnd[]): Ends {
  const out: Record<MigrationEnd, number> = { done: 0, 'rolled-back': 0, skipped: 0, stuck: 0, failed: 0 };
  for (const e of ends) out[e] += 1;
  return out;
}

/**
 * The gate, with the service's stop as its signal: a verification window in progress ends
 * when the service stops, and the executor — asked before its next step — leaves the
 * migration in `verifying` for the next start to settle, rather than rolling it back now.
 */
function untilStopping(gate: MigrationGate, stopping: AbortSignal): MigrationGate {
  return { check: (subject, signal) => gate.check(subject, signal ? AbortSignal.any([signal, stopping]) : stopping) };
}

/**
 * Undoes a done move for drift remediation (on_drift auto-remediate or rollback): a migration
 * back to the region it came from, journaled in the run that made the move and carried out
 * make-before-break under the rebalancing lock, the copy's readiness its gate (it returns to
 * where it ran). Says what was done, as the drift exception records it.
 */
export async function undoMove(ctx: CycleContext, original: MigrationRow): Promise<string> {
  const taken = await tryRebalanceLock(ctx.store, ctx.holder);
  if (!taken.ok) return `not moved back: ${taken.holder} holds the rebalancing lock`;
  try {
    const back = { workload: original.workload, from: original.toRegion, to: original.fromRegion };
    const planned = original.planned ? { planned: original.planned as PlannedFacts } : {};
    const rows = await inTransaction(ctx.store, (tx) =>
      journalPlanned(tx, original.runId, [[{ ...back, ...planned }]], new Date(ctx.now())),
    );
    const clients = clusterClients(ctx.config.clusters, ctx.config.workspace.fleet.policy);
    try {
      const applied = await applyJobs(
        {
          store: ctx.store,
          loaded: loadedOf(ctx),
          clusters: ctx.config.clusters,
          clients,
          audience: ctx.config.audience,
          gate: untilStopping(readinessGate, ctx.stopping),
          emit: ctx.emit,
          now: ctx.now,
          timeoutMs: ctx.timeoutMs,
          maxParallel: 1,
          stopped: () => (ctx.stopping.aborted ? 'the service is stopping' : taken.lock.lost()),
        },
        { inFlight: [], planned: rows.map(toJob) },
      );
      const end = applied.outcomes[0];
      return end?.end === 'done'
        ? `moved back to ${back.to} (migration ${end.id})`
        : `moving back to ${back.to} ended ${end?.end ?? 'without starting'}${end?.reason ? `: ${end.reason}` : ''}`;
    } finally {
      for (const c of clients.values()) c.close();
    }
  } finally {
    await taken.lock.release();
  }
}
