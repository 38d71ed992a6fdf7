import { createCarbonSource } from '../../regions/carbon/create-source.js';
import type { CarbonSource } from '../../regions/carbon/source.js';
import type { CarbonSourceKind } from '../../regions/carbon/reading.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import type { Workspace } from '../workspace/model.js';
import { digestSource } from '../run/digest.js';
import type { JournalView } from '../../db/journal-view.js';
import type { RecordOptions } from '../../db/record-run.js';
import { audienceOf } from '../notify/audience.js';
import { RUN_JUDGES, tellExceptionsIn } from '../notify/notices.js';
import { fileInventory } from '../run/file-inventory.js';
import type { RunInput } from '../run/input.js';
import type { InventorySource, RunStore } from '../run/ports.js';
import type { RunResult } from '../run/result.js';
import { rebalance } from '../run/run.js';
import { silentNotifier } from '../run/silent-notifier.js';
import { storeRecorder } from '../run/store-recorder.js';
import { systemClock } from '../run/system-clock.js';
import { DEFAULT_TIMEOUT_MS } from '../verify/verify.js';
import { EXIT, environmentOf, type CliIo } from './io.js';
import { renderRun, renderStageTimes, runToJson, type StageTime } from './plan-render.js';
import { NO_JOURNAL, readClusterInventory } from './cluster-inventory.js';
import { loadedInventory } from '../run/loaded-inventory.js';
import type { FleetClusters } from '../../regions/clusters/read-fleet-clusters.js';
import { loadWithInventory, printDiagnostics } from './report.js';
import { openRebalancingStore, withRebalancing } from './rebalancing.js';

export interface PlanOptions {
  readonly config: string;
  readonly carbon?: CarbonSourceKind;
  readonly at?: number;
  readonly json: boolean;
  /** Per proof obligation (default DEFAULT_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  /** Record the run in the store (default true). */
  readonly record?: boolean;
  /** The embedded database's folder (default `.shisa/` next to the fleet file). */
  readonly dataDir?: string;
  /** Print each stage's time on stderr (default false). */
  readonly timings?: boolean;
  /** For a fleet that reads the clusters: the kubeconfig (default: $KUBECONFIG, then ~/.kube/config). */
  readonly kubeconfig?: string;
  /** The carbon source to use, kept across runs by a service (default: made from the fleet for this run). */
  readonly carbonSource?: CarbonSource;
  /** What started the run (default `manual`). */
  readonly trigger?: RunInput['trigger'];
  /** Told what the clusters said, for a fleet that reads them (`shisa serve` keeps their nodes). */
  readonly onClusters?: (read: FleetClusters) => void;
}

interface Loaded {
  readonly workspace: Workspace;
  readonly sources: ReadonlyMap<string, SourceFile>;
}

/**
 * `shisa plan`: one rebalancing run (scheduler/run/), rendered. Prints the moves, totals, the
 * proven bound and gap, why the rest stays, and the proof. Plans only: nothing is applied.
 */
export async function planCommand(options: PlanOptions, io: CliIo): Promise<number> {
  const started = performance.now();
  const loaded = await loadWithInventory('plan', options.config, io, 'a plan is about workloads and where they run', {
    readsClusters: true,
  });
  const loadedAt = performance.now();
  const before: StageTime[] = [{ stage: 'load', ms: loadedAt - started }];
  if (!loaded) return EXIT.invalidInput;
  // The store opens once the files are known to be good, not meanwhile: at 100,000 workloads
  // the embedded database next to the parse costs ~100 MB more peak memory for ~0.05 s here.
  const opening = options.record === false ? undefined : openRebalancingStore('plan', options, io);
  if (!opening) {
    if (loaded.workspace.fleet.clusterInventory)
      io.stderr(
        'shisa plan: --no-record: the migration journal is not read, so cooldowns and migrations under way ' +
          'are not known to this plan\n',
      );
    return runAndRender(options, io, loaded, undefined, NO_JOURNAL, before);
  }
  // A recorded run tells what it found (through the outbox), whichever command recorded it.
  const audience = audienceOf(loaded.workspace.fleet, loaded.workspace.intents);
  const tell: RecordOptions['after'] = (tx, w) =>
    tellExceptionsIn(tx, audience, w.exceptions, RUN_JUDGES, w.finishedAt);
  return withRebalancing('plan', io, opening, ({ store, lock, where, journal }) =>
    runAndRender(options, io, loaded, storeRecorder(store, lock, where, tell), journal, [
      ...before,
      { stage: 'open store', ms: performance.now() - loadedAt },
    ]),
  );
}

const kubeconfigOf = (o: Pick<PlanOptions, 'kubeconfig'>) =>
  o.kubeconfig !== undefined ? { kubeconfig: o.kubeconfig } : {};

async function runAndRender(
  options: PlanOptions,
  io: CliIo,
  loaded: Loaded,
  store: RunStore | undefined,
  journal: JournalView,
  before: readonly StageTime[],
): Promise<number> {
  const ran = await planRun('plan', options, io, loaded, store, journal);
  if (typeof ran === 'number') return ran;
  const { result } = ran;
  const ws = loaded.workspace;
  if (options.timings) io.stderr(renderStageTimes([...before, ...ran.stages, ...result.stages]));
  const recorded = result.recorded;
  if (recorded && !recorded.ok && recorded.code === 'STORE_LOCK_LOST') {
    io.stderr(`shisa plan: stopped: ${recorded.message}; nothing was recorded\n`);
    return EXIT.internal;
  }
  io.stdout(
    options.json
      ? JSON.stringify(runToJson(result, ws.fleet.file), null, 2) + '\n'
      : renderRun(result, ws.fleet.name ?? ws.fleet.file),
  );
  if (recorded && !recorded.ok) {
    io.stderr(`shisa plan: ${recorded.message}; nothing of the run was written\n`);
    return EXIT.internal;
  }
  if (recorded && store) {
    // With --json, stdout is the JSON alone.
    const line = `Recorded as run ${recorded.id} in ${store.where} (shisa history --config ${options.config})\n`;
    if (options.json) io.stderr(line);
    else io.stdout(line);
  }
  return result.outcome === 'proven' ? EXIT.ok : EXIT.unprovable;
}

/**
 * One rebalancing run for a command (`plan`, `apply --plan`): the inventory (file, or the
 * clusters read with the journal), the carbon source, then scheduler/run/'s pipeline,
 * recorded when a store is given. A number is the exit code of what stopped it (said).
 */
export async function planRun(
  command: string,
  options: Omit<PlanOptions, 'json'>,
  io: CliIo,
  { workspace: ws, sources }: Loaded,
  store: RunStore | undefined,
  journal: JournalView,
): Promise<{ readonly result: RunResult; readonly stages: readonly StageTime[] } | number> {
  const now = io.now ?? Date.now;
  const clustersStarted = performance.now();
  const inventory = ws.fleet.clusterInventory
    ? await readAndKeep(command, { workspace: ws, sources }, options, journal, io)
    : fileInventory(ws, sources);
  if (typeof inventory === 'number') return inventory;
  const stages: StageTime[] = ws.fleet.clusterInventory
    ? [{ stage: 'clusters', ms: performance.now() - clustersStarted }]
    : [];
  const kind = options.carbon ?? ws.fleet.carbon.source;
  const created = options.carbonSource
    ? { source: options.carbonSource, diagnostics: [] }
    : await createCarbonSource(ws.fleet.carbon, kind, { env: environmentOf(io), now });
  if (!created.source) {
    printDiagnostics(io, created.diagnostics);
    return EXIT.invalidInput;
  }
  const input: RunInput = {
    fleet: ws.fleet,
    intents: ws.intents,
    files: [...sources.values()].filter((s) => s.name !== ws.fleet.inventory?.display).map(digestSource),
    trigger: options.trigger ?? 'manual',
    ...(options.at !== undefined ? { at: options.at } : {}),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  const result = await rebalance(input, {
    inventory,
    carbon: created.source,
    clock: systemClock(now),
    ...(store ? { store } : {}),
    notifier: silentNotifier,
  });
  return { result, stages };
}

/** The clusters read for a run, with what they said handed to `onClusters`. */
async function readAndKeep(
  command: string,
  loaded: Loaded,
  options: Omit<PlanOptions, 'json'>,
  journal: JournalView,
  io: CliIo,
): Promise<InventorySource | number> {
  const read = await readClusterInventory(command, loaded, { ...kubeconfigOf(options), journal }, io);
  if (typeof read === 'number') return read;
  options.onClusters?.(read.clusters);
  return loadedInventory(read.read);
}
