import { readJournal } from '../../db/journal-view.js';
import {
  advanceMigration,
  type MigrationRow,
  type MigrationState,
  type PlannedFacts,
} from '../../db/migration-journal.js';
import type { Store } from '../../db/store.js';
import { ObjectClient } from '../../regions/clusters/client/object-client.js';
import type { RegionCluster } from '../../regions/clusters/client/region-kubeconfig.js';
import { readFleetClusters } from '../../regions/clusters/read-fleet-clusters.js';
import { applyMoves, type Applied } from '../apply/execute.js';
import type { ApplyEvent } from '../apply/events.js';
import type { MigrationJob } from '../apply/job.js';
import type { ApplyPorts } from '../apply/ports.js';
import type { FreshState } from '../apply/recheck.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import type { MigrationGate } from '../gate/gate.js';
import { tellExceptionsIn, type Audience } from '../notify/notices.js';
import { summariseAppliedRuns } from '../notify/run-summary.js';
import { clusterWorkloads } from '../workspace/cluster-workloads.js';
import type { Workspace } from '../workspace/model.js';

/** The files a command runs on, as loaded. */
export interface Loaded {
  readonly workspace: Workspace;
  readonly sources: ReadonlyMap<string, SourceFile>;
}

/** What carrying out migrations needs, whichever command does it (`apply`, `serve`). */
export interface MovesContext {
  readonly store: Store;
  readonly loaded: Loaded;
  readonly clusters: readonly RegionCluster[];
  readonly clients: ReadonlyMap<string, ObjectClient>;
  readonly audience: Audience;
  /** The verification window: readiness alone (`apply`), or with the enforcers' verdicts (`serve`). */
  readonly gate: MigrationGate;
  readonly emit: (e: ApplyEvent) => void;
  readonly now: () => number;
  /** Per proof obligation, when a batch is proven again. */
  readonly timeoutMs: number;
  readonly maxParallel: number;
  /** Why to stop writing (the lock was lost, the service is stopping), or undefined. */
  readonly stopped: () => string | undefined;
}

/** One client per region's cluster, with room for the executor's parallel migrations. */
export function clusterClients(
  clusters: readonly RegionCluster[],
  policy: Workspace['fleet']['policy'],
): Map<string, ObjectClient> {
  const concurrency = Math.max(4, policy.maxParallelPerCluster * 2);
  return new Map(clusters.map((c) => [c.region, new ObjectClient(c, { concurrency })]));
}

/**
 * Drives the migrations given (those in flight first, then a run's planned ones) through the
 * executor, each step journaled and a rollback told in its transaction; then writes the
 * summary of every run whose migrations have all finished.
 */
export async function applyJobs(
  ctx: MovesContext,
  jobs: { readonly inFlight: readonly MigrationJob[]; readonly planned: readonly MigrationJob[] },
): Promise<Applied> {
  const policy = ctx.loaded.workspace.fleet.policy;
  const ports: ApplyPorts = {
    cluster: (region) => ctx.clients.get(region),
    journal: toldJournal(ctx.store, ctx.audience, ctx.now),
    gate: ctx.gate,
    now: ctx.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    emit: ctx.emit,
    timing: applyTiming(policy),
    stopped: ctx.stopped,
  };
  const applied = await applyMoves(
    {
      ...jobs,
      budget: policy.migrationBudget,
      maxParallel: ctx.maxParallel,
      maxParallelPerCluster: policy.maxParallelPerCluster,
    },
    ports,
    () => observe(ctx.loaded, ctx.clusters, ctx.store, ctx.timeoutMs),
  );
  const fleet = ctx.loaded.workspace.fleet;
  await summariseAppliedRuns(ctx.store, ctx.audience, fleet.name ?? fleet.file, ctx.now);
  return applied;
}

/** How long the executor waits for what: the fleet's policy, and 5 attempts a second apart at finishing. */
function applyTiming(policy: Workspace['fleet']['policy']): ApplyPorts['timing'] {
  return {
    readyTimeoutMs: policy.readyTimeoutMs,
    verifyWindowMs: policy.verifyWindowMs,
    finishAttempts: 5,
    finishBackoffMs: 1000,
  };
}

/** The journal as the executor writes it: a rollback's exception is told in the transaction that records it. */
function toldJournal(store: Store, audience: Audience, now: () => number): ApplyPorts['journal'] {
  return {
    advance: (id, step) => {
      const at = new Date(now());
      return advanceMigration(store, id, step, at, (tx, row) => tellExceptionsIn(tx, audience, [row], [], at));
    },
  };
}

/** The clusters read again, as a batch is rechecked against them. */
async function observe(
  loaded: Loaded,
  clusters: readonly RegionCluster[],
  store: Store,
  timeoutMs: number,
): Promise<FreshState | string> {
  const { workspace: ws, sources } = loaded;
  const journal = await readJournal(store);
  const inFlight = journal.underWay.map((m) => ({ workload: m.workload, from: m.from, to: m.to }));
  const read = await readFleetClusters(ws.fleet, clusters, inFlight);
  const made = clusterWorkloads(ws.fleet, ws.intents, read, journal.lastMovedAt, (f) => sources.get(f));
  if (hasErrors(made.diagnostics)) {
    const n = made.diagnostics.filter((d) => d.severity === 'error').length;
    return `${n} objects in the clusters are invalid now (shisa inventory --config ${ws.fleet.file} says which)`;
  }
  return { fleet: ws.fleet, intents: ws.intents, read: made.read, timeoutMs };
}

/** A journal row as the executor takes it. */
export function toJob(m: MigrationRow): MigrationJob {
  return {
    id: m.id,
    runId: m.runId,
    workload: m.workload,
    from: m.fromRegion,
    to: m.toRegion,
    state: m.state as MigrationState,
    batch: m.batch,
    ...(m.planned ? { planned: m.planned as PlannedFacts } : {}),
  };
}
