import { createCarbonSource } from '../../regions/carbon/create-source.js';
import type { CarbonSourceKind } from '../../regions/carbon/reading.js';
import { readSignals } from '../../regions/carbon/signals.js';
import { environmentFrom, processEnvironment, type Environment } from '../config/environment.js';
import { tryRebalanceLock, type RebalanceLock } from '../../db/rebalance-lock.js';
import type { Workspace } from '../workspace/model.js';
import { plan } from '../planner/plan.js';
import { planToJson } from '../planner/plan-json.js';
import type { Plan } from '../planner/plan.js';
import { recordRun, type RunRecord } from '../../db/record-run.js';
import { isRebalancing, tryOpenStore, type Store } from '../../db/store.js';
import { StoreError } from '../../db/store-error.js';
import type { ZoneSignal } from '../../regions/carbon/staleness.js';
import { buildPromiseModel } from '../promises/build-model.js';
import { refText } from '../verify/proof.js';
import { redactSecrets } from '../diagnostics/redact.js';
import { STORE_WAIT_MS, storeTargetFor } from './store-target.js';
import { renderReport, reportToJson } from '../verify/report.js';
import { DEFAULT_TIMEOUT_MS, verify, type VerifyReport } from '../verify/verify.js';
import { EXIT, type CliIo } from './io.js';
import { loadWorkspaceWithInventory, printDiagnostics } from './report.js';

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
}

/**
 * `shisa plan`: load and check everything, read the carbon signal, plan. Prints the moves,
 * totals, the proven bound and gap, and why the rest stays. Plans only: nothing is applied.
 */
export async function planCommand(options: PlanOptions, io: CliIo): Promise<number> {
  const ws = await loadWorkspaceWithInventory(
    'plan',
    options.config,
    io,
    'reading workloads from the clusters comes with the cluster client',
  );
  if (!ws) return EXIT.invalidInput;
  const env = io.env ? environmentFrom(io.env) : processEnvironment();
  if (options.record === false) return planOnce(options, io, ws, env, undefined);
  // A recorded run is a rebalancing run: one at a time per store, across replicas. A reader
  // that has the embedded database open briefly is waited for; another rebalancing is not.
  const { target, where } = storeTargetFor(options.config, io.cwd, env, options.dataDir);
  const holder = `shisa plan --config ${options.config}`;
  const opened = await storeStep(io, () =>
    tryOpenStore(target, {
      holder,
      rebalancing: true,
      waitMs: STORE_WAIT_MS,
      waitFor: (h) => !isRebalancing(h),
      onWait: (w) => io.stderr(`shisa plan: ${w}\n`),
    }),
  );
  if (typeof opened === 'number') return opened;
  if (!opened.ok) {
    io.stderr(`shisa plan: not run: ${opened.message}\n`);
    return EXIT.busy;
  }
  const store = opened.store;
  try {
    const taken = await storeStep(io, () => tryRebalanceLock(store, holder));
    if (typeof taken === 'number') return taken;
    if (!taken.ok) {
      io.stderr(
        `shisa plan: not run: another rebalancing holds the rebalancing lock of ${where} (${taken.holder}); nothing was planned\n`,
      );
      return EXIT.busy;
    }
    try {
      return await planOnce(options, io, ws, env, { store, lock: taken.lock, where });
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
    if (!(err instanceof StoreError)) throw err;
    io.stderr(`shisa plan: ${err.message}\n`);
    return EXIT.internal;
  }
}

interface Recording {
  readonly store: Store;
  readonly lock: RebalanceLock;
  readonly where: string;
}

async function planOnce(
  options: PlanOptions,
  io: CliIo,
  ws: Workspace,
  env: Environment,
  recording: Recording | undefined,
): Promise<number> {
  const now = io.now ?? Date.now;
  const kind = options.carbon ?? ws.fleet.carbon.source;
  const created = await createCarbonSource(ws.fleet.carbon, kind, { env, now });
  if (!created.source) {
    printDiagnostics(io, created.diagnostics);
    return EXIT.invalidInput;
  }
  const at = options.at ?? now();
  const zones = [...new Set(ws.fleet.regions.map((r) => r.zone))];
  const signals = await readSignals(created.source, zones, at, ws.fleet.carbon.maxStalenessMs);
  const started = performance.now();
  const result = plan({
    fleet: ws.fleet,
    intents: ws.intents,
    workloads: ws.workloads,
    signals: new Map(signals.map((s) => [s.zone, s])),
    now: at,
  });
  const elapsedMs = performance.now() - started;
  const carbon = signals
    .filter((s) => s.status !== 'fresh')
    .map((s) => ({ zone: s.zone, status: s.status, ...(s.problem ? { problem: s.problem.message } : {}) }));
  // Checks 1 and 2: the intents are consistent and the plan is safe, step by step.
  const mesh = buildPromiseModel(ws.fleet, ws.intents, ws.workloads);
  const proof = await verify(mesh, ws.intents, {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    checks: ['intents', 'plan'],
    moves: result.moves,
  });
  const batches = (proof.plan?.order.batches ?? []).map((b) => b.map((m) => mesh.workloads[m.workload]!.name));
  // A run that lost its lock while it planned stops here: another may be running already.
  const lost = recording?.lock.lost();
  if (lost) {
    io.stderr(`shisa plan: stopped: lost the rebalancing lock (${lost}); nothing was recorded\n`);
    return EXIT.internal;
  }
  if (options.json) {
    const verification = {
      ...reportToJson(proof, { times: false }),
      applicable: proof.proven,
      order: proof.proven ? batches : [],
    };
    io.stdout(
      JSON.stringify(
        { ...planToJson(result, { fleet: ws.fleet.file, carbonSource: kind, carbon }), verification },
        null,
        2,
      ) + '\n',
    );
  } else {
    io.stdout(
      render(result, ws.fleet.name ?? ws.fleet.file, kind, zones.length - carbon.length, zones.length, elapsedMs) +
        '\n',
    );
    for (const c of carbon)
      io.stdout(
        `  carbon: ${c.zone} ${c.status}${c.problem ? ` (${c.problem})` : ''}: nothing moves into or out of it\n`,
      );
    io.stdout('\n' + renderProof(proof, batches) + '\n');
  }
  if (recording) {
    const finished = now();
    try {
      const id = await recordRun(
        recording.store,
        runRecord(result, proof, signals, {
          fleet: ws.fleet.file,
          carbonSource: kind,
          startedAt: at,
          finishedAt: finished,
          planMs: elapsedMs,
        }),
        { guard: (tx) => recording.lock.guard(tx) },
      );
      (options.json ? io.stderr : io.stdout)(
        `Recorded as run ${id} in ${recording.where} (shisa history --config ${options.config})\n`,
      );
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      io.stderr(
        err.code === 'STORE_LOCK_LOST'
          ? `shisa plan: stopped: ${err.message}; nothing was recorded\n`
          : `shisa plan: ${err.message}; nothing of the run was written\n`,
      );
      return EXIT.internal;
    }
  }
  return proof.proven ? EXIT.ok : EXIT.unprovable;
}

/** The run as the store keeps it. */
function runRecord(
  result: Plan,
  proof: VerifyReport,
  signals: readonly ZoneSignal[],
  run: { fleet: string; carbonSource: string; startedAt: number; finishedAt: number; planMs: number },
): RunRecord {
  const notFresh = signals
    .filter((s) => s.status !== 'fresh')
    .map((s) => ({ zone: s.zone, status: s.status, ...(s.problem ? { problem: s.problem.message } : {}) }));
  return {
    trigger: 'manual',
    startedAt: new Date(run.startedAt),
    finishedAt: new Date(run.finishedAt),
    fleet: run.fleet,
    carbonSource: run.carbonSource,
    carbon: { fresh: signals.length - notFresh.length, zones: signals.length, notFresh },
    emissionsBefore: result.emissions.before,
    emissionsAfter: result.emissions.after,
    lowerBound: result.lowerBound,
    gap: result.gap,
    verdict: proof.proven ? 'proven' : 'unprovable',
    status: proof.proven ? 'planned' : 'unprovable',
    timings: {
      plan_ms: Math.round(run.planMs),
      ...Object.fromEntries(Object.entries(proof.ms).map(([k, v]) => [`verify_${k}_ms`, Math.round(v)])),
    },
    moves: result.moves,
    kept: result.kept.map((k) => ({ workload: k.workload, region: k.region, reason: k.reason, detail: k.detail })),
    readings: signals.flatMap((s) =>
      s.reading
        ? [
            {
              zone: s.zone,
              datetime: new Date(s.reading.datetime),
              intensity: s.reading.intensity,
              estimated: s.reading.isEstimated,
              source: s.reading.source,
            },
          ]
        : [],
    ),
    exceptions: [
      ...proof.unprovable.map((u) => ({
        kind: 'unprovable' as const,
        concerns: u.obligation,
        detail: {
          reason: u.reason,
          message: redactSecrets(u.message),
          core: u.core.map((c) => ({ text: refText(c), file: c.span.file, line: c.span.line, col: c.span.col })),
        },
      })),
      ...notFresh.map((n) => ({ kind: 'stale-feed' as const, concerns: n.zone, detail: n })),
    ],
  };
}

/** The verdict under the plan: one line when proven, the failed obligations with their cores when not. */
function renderProof(proof: VerifyReport, batches: readonly (readonly string[])[]): string {
  const total = Object.values(proof.ms).reduce((a, b) => a + b, 0);
  const seconds = (total / 1000).toFixed(1);
  if (proof.proven) {
    const order = proof.obligations.find((o) => o.name.startsWith('every step of the migration order'));
    const by = (m: string) => proof.obligations.filter((o) => o.method === m).length;
    const how = [
      `${by('z3')} by Z3`,
      `${by('model')} by a checked placement`,
      `${by('evaluated')} evaluated`,
      ...(by('rules') ? [`${by('rules')} by rules`] : []),
    ].join(', ');
    return [
      `Proof       ${proof.obligations.length} obligations proven in ${seconds} s (${how}): the intents are consistent and the plan is safe`,
      `Order       ${order?.detail ?? `${batches.length} batches`}`,
    ].join('\n');
  }
  return [
    `Proof       UNPROVABLE: this plan is not applicable and nothing moves (Z3, ${seconds} s)`,
    '',
    renderReport(proof, (o) => o.verdict === 'unprovable'),
  ].join('\n');
}

const g = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

function render(p: Plan, fleet: string, source: string, fresh: number, zones: number, elapsedMs: number): string {
  const lines: string[] = [];
  lines.push(
    `Plan for ${fleet} at ${new Date(p.at).toISOString().slice(0, 16).replace('T', ' ')} UTC (carbon: ${source}, ${fresh} of ${zones} zones fresh)`,
  );
  lines.push('');
  if (p.moves.length === 0) {
    lines.push(`No moves (budget ${p.budget}).`);
  } else {
    lines.push(`Moves: ${p.moves.length} of a budget of ${p.budget}`);
    const w = Math.max(...p.moves.map((m) => m.workload.length));
    const f = Math.max(...p.moves.map((m) => m.from.length));
    const t = Math.max(...p.moves.map((m) => m.to.length));
    for (const m of p.moves)
      lines.push(`  ${m.workload.padEnd(w)}  ${m.from.padEnd(f)} → ${m.to.padEnd(t)}  −${g(m.savingGPerH)} gCO2eq/h`);
  }
  lines.push('');
  const cut = p.emissions.before > 0 ? ((p.emissions.before - p.emissions.after) / p.emissions.before) * 100 : 0;
  lines.push(
    `Emissions   ${g(p.emissions.before)} → ${g(p.emissions.after)} gCO2eq/h (−${cut.toFixed(1)}%)${p.unknownEmissions ? `; ${p.unknownEmissions} workloads in zones without data not counted` : ''}`,
  );
  lines.push(
    `Bound       ${g(p.lowerBound)} gCO2eq/h; gap ${(p.gap * 100).toFixed(3)}%${p.optimality === 'proven' ? ' (proven optimal)' : ''}`,
  );
  lines.push(`Baseline    greedy "greenest region first" would reach ${g(p.greedyAfter)} gCO2eq/h`);
  lines.push(
    `Kept        ${
      Object.entries(p.keptByReason)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
  );
  lines.push(
    `Planned in ${elapsedMs < 10 ? elapsedMs.toFixed(1) : Math.round(elapsedMs)} ms. Nothing is applied (shisa apply comes later).`,
  );
  return lines.join('\n');
}
