import { createCarbonSource } from '../../regions/carbon/create-source.js';
import type { CarbonSourceKind } from '../../regions/carbon/reading.js';
import { tryRebalanceLock } from '../../db/rebalance-lock.js';
import { isRebalancing, tryOpenStore, type Store, type StoreOpen } from '../../db/store.js';
import { StoreError } from '../../db/store-error.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import type { Workspace } from '../workspace/model.js';
import { digestSource } from '../run/digest.js';
import { readJournal, type JournalView } from '../../db/journal-view.js';
import { fileInventory } from '../run/file-inventory.js';
import type { RunInput } from '../run/input.js';
import type { RunStore } from '../run/ports.js';
import { rebalance } from '../run/run.js';
import { silentNotifier } from '../run/silent-notifier.js';
import { storeRecorder } from '../run/store-recorder.js';
import { systemClock } from '../run/system-clock.js';
import { DEFAULT_TIMEOUT_MS } from '../verify/verify.js';
import { EXIT, environmentOf, type CliIo } from './io.js';
import { renderRun, renderStageTimes, runToJson, type StageTime } from './plan-render.js';
import { clusterInventory, NO_JOURNAL } from './cluster-inventory.js';
import { loadWithInventory, printDiagnostics } from './report.js';
import { STORE_WAIT_MS, storeTargetFor } from './store-target.js';

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
  const opening = options.record === false ? undefined : openForRun(options, io);
  if (!opening) {
    if (loaded.workspace.fleet.clusterInventory)
      io.stderr(
        'shisa plan: --no-record: the migration journal is not read, so cooldowns and migrations under way ' +
          'are not known to this plan\n',
      );
    return runAndRender(options, io, loaded, undefined, NO_JOURNAL, before);
  }
  return withRecording(options, io, opening, (store, journal) =>
    runAndRender(options, io, loaded, store, journal, [
      ...before,
      { stage: 'open store', ms: performance.now() - loadedAt },
    ]),
  );
}

/** Opening the store, as a value: what it opened, or the error it failed with (said later). */
type Opening = Promise<{ readonly opened: StoreOpen; readonly where: string } | { readonly failed: unknown }>;

function openForRun(options: PlanOptions, io: CliIo): Opening {
  const { target, where } = storeTargetFor(options.config, io.cwd, environmentOf(io), options.dataDir);
  return tryOpenStore(target, {
    holder: holderOf(options),
    rebalancing: true,
    waitMs: STORE_WAIT_MS,
    waitFor: (h) => !isRebalancing(h),
    onWait: (w) => io.stderr(`shisa plan: ${w}\n`),
  }).then(
    (opened) => ({ opened, where }),
    (failed: unknown) => ({ failed }),
  );
}

const kubeconfigOf = (o: PlanOptions) => (o.kubeconfig !== undefined ? { kubeconfig: o.kubeconfig } : {});

const holderOf = (options: PlanOptions) => `shisa plan --config ${options.config}`;

/**
 * A recorded run is a rebalancing run: one at a time per store, across replicas. A reader
 * that has the embedded database open briefly is waited for; another rebalancing is not.
 */
async function withRecording(
  options: PlanOptions,
  io: CliIo,
  opening: Opening,
  run: (store: RunStore, journal: JournalView) => Promise<number>,
): Promise<number> {
  const o = await opening;
  if ('failed' in o) return storeFailure(io, o.failed);
  const { opened, where } = o;
  if (!opened.ok) {
    io.stderr(`shisa plan: not run: ${opened.message}\n`);
    return EXIT.busy;
  }
  const store: Store = opened.store;
  try {
    const taken = await storeStep(io, () => tryRebalanceLock(store, holderOf(options)));
    if (typeof taken === 'number') return taken;
    if (!taken.ok) {
      io.stderr(
        `shisa plan: not run: another rebalancing holds the rebalancing lock of ${where} (${taken.holder}); ` +
          'nothing was planned\n',
      );
      return EXIT.busy;
    }
    try {
      // Read under the rebalancing lock: no other run journals or advances migrations meanwhile.
      const journal = await storeStep(io, () => readJournal(store));
      if (typeof journal === 'number') return journal;
      return await run(storeRecorder(store, taken.lock, where), journal);
    } finally {
      await taken.lock.release();
    }
  } finally {
    await store.close();
  }
}

/** Runs a store step; a StoreError becomes its one line on stderr and exit 1. */
async function storeStep<T>(io: CliIo, step: () => Promise<T>): Promise<T | number> {
  try {
    return await step();
  } catch (err) {
    return storeFailure(io, err);
  }
}

function storeFailure(io: CliIo, err: unknown): number {
  if (!(err instanceof StoreError)) throw err;
  io.stderr(`shisa plan: ${err.message}\n`);
  return EXIT.internal;
}

async function runAndRender(
  options: PlanOptions,
  io: CliIo,
  { workspace: ws, sources }: Loaded,
  store: RunStore | undefined,
  journal: JournalView,
  before: readonly StageTime[],
): Promise<number> {
  const now = io.now ?? Date.now;
  const clustersStarted = performance.now();
  const inventory = ws.fleet.clusterInventory
    ? await clusterInventory('plan', { workspace: ws, sources }, { ...kubeconfigOf(options), journal }, io)
    : fileInventory(ws, sources);
  if (typeof inventory === 'number') return inventory;
  const stagesBefore = ws.fleet.clusterInventory
    ? [...before, { stage: 'clusters', ms: performance.now() - clustersStarted }]
    : before;
  const kind = options.carbon ?? ws.fleet.carbon.source;
  const created = await createCarbonSource(ws.fleet.carbon, kind, { env: environmentOf(io), now });
  if (!created.source) {
    printDiagnostics(io, created.diagnostics);
    return EXIT.invalidInput;
  }
  const input: RunInput = {
    fleet: ws.fleet,
    intents: ws.intents,
    files: [...sources.values()].filter((s) => s.name !== ws.fleet.inventory?.display).map(digestSource),
    trigger: 'manual',
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
  if (options.timings) io.stderr(renderStageTimes([...stagesBefore, ...result.stages]));
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
