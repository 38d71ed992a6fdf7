import { inArray } from 'drizzle-orm';
import { getRun } from '../../db/history.js';
import { runMigrations, startedRuns, unfinishedMigrations } from '../../db/migration-journal.js';
import { decisions } from '../../db/schema.js';
import type { Store } from '../../db/store.js';
import { ObjectClient } from '../../regions/clusters/client/object-client.js';
import type { RegionCluster } from '../../regions/clusters/client/region-kubeconfig.js';
import type { CarbonSourceKind } from '../../regions/carbon/reading.js';
import type { Applied } from '../apply/execute.js';
import type { ApplyEvent } from '../apply/events.js';
import { readinessGate } from '../gate/gate.js';
import { audienceOf } from '../notify/audience.js';
import { RUN_JUDGES, tellExceptionsIn, type Audience } from '../notify/notices.js';
import { storeRecorder } from '../run/store-recorder.js';
import { DEFAULT_TIMEOUT_MS } from '../verify/verify.js';
import { renderApplyEvent, renderApplySummary, summaryJson, type ApplySummary } from './apply-render.js';
import { dryRun } from './apply-dry-run.js';
import { EXIT, type CliIo } from './io.js';
import { planRun } from './plan.js';
import { openRebalancingStore, storeStep, withRebalancing, type Rebalancing } from './rebalancing.js';
import { regionAccess } from './read-clusters.js';
import { loadWithInventory } from './report.js';
import { applyJobs, clusterClients, toJob, type Loaded, type MovesContext } from './apply-moves.js';

export interface ApplyOptions {
  readonly config: string;
  /** Apply the moves of this recorded run. */
  readonly run?: number;
  /** Plan (and record) a run now, then apply it. */
  readonly plan: boolean;
  /** Only settle what is in flight and go on with the run it belongs to. */
  readonly resume: boolean;
  readonly dryRun: boolean;
  /** Migrations under way at once (default: the fleet's policy.max_parallel). */
  readonly maxParallel?: number;
  readonly json: boolean;
  readonly kubeconfig?: string;
  readonly dataDir?: string;
  /** For --plan: as `shisa plan` takes them. */
  readonly carbon?: CarbonSourceKind;
  readonly at?: number;
  readonly timeoutMs?: number;
}

/** Exit code when some migration was left in flight or failed: `shisa apply --resume` finishes the first. */
export const EXIT_INCOMPLETE = 5;

/**
 * `shisa apply`: carries out a proven run's moves through the Kubernetes API, make-before-
 * break, journaled (scheduler/apply/). Every start first settles what the journal shows in
 * flight. Exit 0 when every migration it started ended done or cleanly rolled back (skips
 * included), 3 when the run is unprovable (nothing applied), 5 when one was left in flight
 * or failed, 4 busy, 2 invalid input, 1 internal or store failure.
 */
export async function applyCommand(options: ApplyOptions, io: CliIo): Promise<number> {
  const chosen = [options.run !== undefined, options.plan].filter(Boolean).length;
  if (chosen > 1) return invalid(io, 'give one of --run N and --plan, not both');
  if (chosen === 0 && !options.resume)
    return invalid(io, 'say what to apply: --run N (a recorded run), --plan (plan one now), or --resume');
  const loaded = await loadWithInventory('apply', options.config, io, 'apply moves workloads', { readsClusters: true });
  if (!loaded) return EXIT.invalidInput;
  if (!loaded.workspace.fleet.clusterInventory)
    return invalid(
      io,
      `${options.config} reads its workloads from an inventory file; apply moves them in their clusters, ` +
        'so the fleet ' +
        'must read them there: inventory: { source: clusters }',
    );
  const opening = options.dryRun && options.plan ? undefined : openRebalancingStore('apply', options, io);
  const clusters = await regionAccess(loaded.workspace, loaded.sources, options.kubeconfig, io);
  if (!clusters) {
    void opening?.then((o) => ('opened' in o && o.opened.ok ? o.opened.store.close() : undefined));
    return EXIT.invalidInput;
  }
  if (!opening)
    return invalid(io, '--dry-run with --plan: plan with `shisa plan`, then `shisa apply --run N --dry-run`');
  return withRebalancing('apply', io, opening, (held) => applyHeld(options, io, loaded, clusters, held));
}

function invalid(io: CliIo, message: string): number {
  io.stderr(`shisa apply: ${message}\n`);
  return EXIT.invalidInput;
}

async function applyHeld(
  options: ApplyOptions,
  io: CliIo,
  loaded: Loaded,
  clusters: readonly RegionCluster[],
  held: Rebalancing,
): Promise<number> {
  const { store } = held;
  const audience = audienceOf(loaded.workspace.fleet, loaded.workspace.intents);
  const runId = await chooseRun(options, io, loaded, held, audience);
  if (typeof runId === 'object') return runId.exit;
  const rows = await storeStep('apply', io, async () => ({
    unfinished: await unfinishedMigrations(store),
    ofRun: runId === undefined ? [] : await runMigrations(store, runId),
  }));
  if (typeof rows === 'number') return rows;
  const inFlight = rows.unfinished.filter((m) => m.state !== 'planned').map(toJob);
  const planned = rows.ofRun.filter((m) => m.state === 'planned').map(toJob);
  const fleet = loaded.workspace.fleet;
  const clients = clusterClients(clusters, fleet.policy);
  try {
    if (options.dryRun) return await dryRun({ inFlight, planned, runId }, clients, io, options.json);
    const now = io.now ?? Date.now;
    const started = now();
    const emit = (e: ApplyEvent) =>
      options.json
        ? io.stdout(`${JSON.stringify({ ...e, at: new Date(now()).toISOString() })}\n`)
        : io.stderr(renderApplyEvent(e));
    if (runId !== undefined) emit({ type: 'batch', batch: 0, of: 0, moves: planned.length });
    const context: MovesContext = {
      store,
      loaded,
      clusters,
      clients,
      audience,
      gate: readinessGate,
      emit,
      now,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxParallel: options.maxParallel ?? fleet.policy.maxParallel,
      stopped: () => held.lock.lost(),
    };
    const applied = await storeStep('apply', io, () => applyJobs(context, { inFlight, planned }));
    if (typeof applied === 'number') return applied;
    const summary = await summarise(store, applied, runId, [...clients.values()], now() - started);
    io.stdout(options.json ? `${JSON.stringify(summaryJson(summary))}\n` : renderApplySummary(summary));
    const lost = held.lock.lost();
    if (lost) io.stderr(`shisa apply: stopped: lost the rebalancing lock (${lost}); run shisa apply --resume\n`);
    return summary.outcomes.some((o) => o.end === 'stuck' || o.end === 'failed') || lost ? EXIT_INCOMPLETE : EXIT.ok;
  } finally {
    for (const c of clients.values()) c.close();
  }
}

/** The run whose planned moves to apply (undefined: none, only settle), or the exit code that stops. */
async function chooseRun(
  options: ApplyOptions,
  io: CliIo,
  loaded: Loaded,
  held: Rebalancing,
  audience: Audience,
): Promise<number | undefined | { exit: number }> {
  if (options.plan) {
    const ran = await planRun(
      'apply',
      options,
      io,
      loaded,
      storeRecorder(held.store, held.lock, held.where, (tx, w) =>
        tellExceptionsIn(tx, audience, w.exceptions, RUN_JUDGES, w.finishedAt),
      ),
      held.journal,
    );
    if (typeof ran === 'number') return { exit: ran };
    const { result } = ran;
    if (!result.recorded?.ok) {
      const why = result.recorded && !result.recorded.ok ? result.recorded.message : 'the run was not recorded';
      io.stderr(`shisa apply: ${why}; nothing was applied\n`);
      return { exit: EXIT.internal };
    }
    if (result.outcome !== 'proven') {
      const failed = result.proof.obligations.filter((o) => o.verdict === 'unprovable').map((o) => o.name);
      io.stderr(`shisa apply: run ${result.recorded.id} is unprovable (${failed.join('; ')}); nothing was applied\n`);
      return { exit: EXIT.unprovable };
    }
    io.stderr(`shisa apply: planned run ${result.recorded.id}: ${result.plan?.moves.length ?? 0} moves, proven\n`);
    return result.recorded.id;
  }
  if (options.run !== undefined) {
    const found = await storeStep('apply', io, () => getRun(held.store, options.run!));
    if (typeof found === 'number') return { exit: found };
    if (!found) {
      io.stderr(
        `shisa apply: there is no run ${options.run} in ${held.where} (shisa history --config ${options.config})\n`,
      );
      return { exit: EXIT.invalidInput };
    }
    if (found.run.verdict !== 'proven') {
      io.stderr(
        `shisa apply: run ${options.run} is ${found.run.verdict}: only a proven plan is applied; nothing was applied\n`,
      );
      return { exit: EXIT.unprovable };
    }
    return options.run;
  }
  // --resume alone: the latest run that was started (some migration left `planned`) and not finished.
  const open = await storeStep('apply', io, () => startedRuns(held.store));
  if (typeof open === 'number') return { exit: open };
  return open.length ? Math.max(...open) : undefined;
}

/** The outcome with what the moves saved (their runs' own figures) and the API requests made. */
async function summarise(
  store: Store,
  applied: Applied,
  runId: number | undefined,
  clients: readonly ObjectClient[],
  ms: number,
): Promise<ApplySummary> {
  const runIds = [...new Set(applied.outcomes.map((o) => o.runId))];
  const moves = runIds.length ? await store.db.select().from(decisions).where(inArray(decisions.runId, runIds)) : [];
  const saving = new Map(
    moves.filter((d) => d.kind === 'move').map((d) => [`${d.runId}\u0000${d.workload}`, d.savingGPerH ?? 0]),
  );
  const savedGPerH = applied.outcomes
    .filter((o) => o.end === 'done')
    .reduce((sum, o) => sum + (saving.get(`${o.runId}\u0000${o.workload}`) ?? 0), 0);
  return {
    ...(runId !== undefined ? { run: runId } : {}),
    outcomes: applied.outcomes,
    settled: applied.settled,
    savedGPerH,
    requests: clients.reduce((n, c) => n + c.requests, 0),
    watches: clients.reduce((n, c) => n + c.watches, 0),
    ms,
  };
}
