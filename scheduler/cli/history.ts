import { getRun, listRuns, type DecisionRow, type RunRow } from '../../db/history.js';
import { tryOpenStore, type Store } from '../../db/store.js';
import { StoreError } from '../../db/store-error.js';
import { EXIT, environmentOf, type CliIo } from './io.js';
import { STORE_WAIT_MS, storeTargetFor } from './store-target.js';

export interface StoreCommandOptions {
  readonly config: string;
  readonly dataDir?: string;
  readonly json: boolean;
}

/**
 * Opens the store a command reads, runs `fn`, closes it. Another process holding the
 * embedded database is waited for briefly, then named (exit 4); a store fault is one clear
 * line (exit 1).
 */
export async function withStore(
  command: string,
  options: StoreCommandOptions,
  io: CliIo,
  fn: (store: Store) => Promise<number>,
): Promise<number> {
  const env = environmentOf(io);
  const { target } = storeTargetFor(options.config, io.cwd, env, options.dataDir);
  try {
    const opened = await tryOpenStore(target, {
      holder: `shisa ${command} --config ${options.config}`,
      waitMs: STORE_WAIT_MS,
      onWait: (w) => io.stderr(`shisa ${command}: ${w}\n`),
    });
    if (!opened.ok) {
      io.stderr(`shisa ${command}: ${opened.message}\n`);
      return EXIT.busy;
    }
    try {
      return await fn(opened.store);
    } finally {
      await opened.store.close();
    }
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    io.stderr(`shisa ${command}: ${err.message}\n`);
    return EXIT.internal;
  }
}

const when = (d: Date | null): string => (d ? d.toISOString().slice(0, 19).replace('T', ' ') : '-');
const g = (x: number | null): string =>
  x === null ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const percent = (gap: number | null): string => (gap === null ? '-' : `${(gap * 100).toFixed(3)}%`);

type ListCells = readonly [string, string, string, string, string, string, string, string];

/** One line of the run list: run, started, trigger, verdict, status, before, after, gap. */
function listLine([run, started, trigger, verdict, status, before, after, gap]: ListCells): string {
  const cells = [
    run.padStart(5),
    started,
    trigger.padEnd(7),
    verdict.padEnd(10),
    status.padEnd(10),
    before.padStart(12),
    after.padStart(12),
    gap,
  ];
  return cells.join('  ') + '\n';
}

/** `shisa history [RUN]`: the recorded runs, newest first, or one run with its decisions. */
export async function historyCommand(
  run: number | undefined,
  options: StoreCommandOptions,
  io: CliIo,
): Promise<number> {
  return withStore('history', options, io, async (store) => {
    if (run === undefined) {
      printRuns(await listRuns(store), options.json, io);
      return EXIT.ok;
    }
    const found = await getRun(store, run);
    if (!found) {
      io.stderr(`shisa history: no run ${run} is recorded (shisa history lists them)\n`);
      return EXIT.invalidInput;
    }
    printRun(found, options.json, io);
    return EXIT.ok;
  });
}

function printRuns(rows: readonly RunRow[], json: boolean, io: CliIo): void {
  if (json) io.stdout(JSON.stringify({ runs: rows.map(runJson) }, null, 2) + '\n');
  else if (rows.length === 0) io.stdout('No runs recorded yet (shisa plan records one).\n');
  else {
    io.stdout(
      listLine(['RUN', 'STARTED (UTC)'.padEnd(19), 'TRIGGER', 'VERDICT', 'STATUS', 'BEFORE g/h', 'AFTER g/h', 'GAP']),
    );
    for (const r of rows)
      io.stdout(
        listLine([
          String(r.id),
          when(r.startedAt),
          r.trigger,
          r.verdict,
          r.status,
          g(r.emissionsBefore),
          g(r.emissionsAfter),
          percent(r.gap),
        ]),
      );
  }
}

function printRun(found: { run: RunRow; decisions: readonly DecisionRow[] }, json: boolean, io: CliIo): void {
  const moves = found.decisions.filter((d) => d.kind === 'move');
  const kept = found.decisions.filter((d) => d.kind === 'kept');
  if (json) {
    const body = {
      run: runJson(found.run),
      moves: moves.map((d) => ({
        workload: d.workload,
        from: d.fromRegion,
        to: d.toRegion,
        saving_g_per_h: d.savingGPerH,
      })),
      kept: kept.map((d) => ({ workload: d.workload, region: d.fromRegion, reason: d.reason, detail: d.detail })),
    };
    io.stdout(JSON.stringify(body, null, 2) + '\n');
    return;
  }
  const r = found.run;
  io.stdout(
    `Run ${r.id}: ${r.trigger}, ${when(r.startedAt)} → ${when(r.finishedAt)} UTC, ` +
      `fleet ${r.fleet}, carbon ${r.carbonSource}\n`,
  );
  io.stdout(
    `Verdict ${r.verdict}, status ${r.status}; emissions ${g(r.emissionsBefore)} → ${g(r.emissionsAfter)} gCO2eq/h, ` +
      `bound ${g(r.lowerBound)}, gap ${percent(r.gap)}\n\n`,
  );
  io.stdout(`Moves (${moves.length}):\n`);
  for (const d of moves) io.stdout(`  ${d.workload}  ${d.fromRegion} → ${d.toRegion}  −${g(d.savingGPerH)} gCO2eq/h\n`);
  const byReason = new Map<string, number>();
  for (const d of kept) byReason.set(d.reason ?? '-', (byReason.get(d.reason ?? '-') ?? 0) + 1);
  const reasons = [...byReason]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  io.stdout(`Kept (${kept.length}): ${reasons || 'none'}\n`);
}

function runJson(r: RunRow): Record<string, unknown> {
  return {
    id: r.id,
    trigger: r.trigger,
    started_at: r.startedAt.toISOString(),
    finished_at: r.finishedAt?.toISOString() ?? null,
    fleet: r.fleet,
    carbon_source: r.carbonSource,
    carbon: r.carbon,
    emissions_g_per_h: { before: r.emissionsBefore, after: r.emissionsAfter },
    lower_bound_g_per_h: r.lowerBound,
    gap: r.gap,
    verdict: r.verdict,
    status: r.status,
    timings: r.timings,
  };
}
