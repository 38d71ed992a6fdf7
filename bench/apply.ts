/**
 * `npm run bench:apply`: `shisa apply --plan` moving 200 workloads across three fake API servers
 * (test/fakes/kube/, real HTTPS on 127.0.0.1) whose controllers take a realistic 500 ms to make
 * a Deployment's pods ready (and to take them away). The world is test/apply/apply-world.ts:
 * 100 Deployments from Osaka to Finland, then 100 from Tokyo into the room they free in Osaka,
 * each with its ConfigMap, Secret and Service. Each run gets a fresh world and store; times
 * are wall clock, one run each (the sequential baseline alone takes minutes):
 *
 *   one at a time  policy.max_parallel 1, max_parallel_per_cluster 1
 *   defaults       policy.max_parallel 10, max_parallel_per_cluster 4 (shisa's defaults)
 *   concurrent     policy.max_parallel 20, max_parallel_per_cluster 10
 *
 * and prints API requests per migration (besides watches) and watches. Targets: at most 15
 * requests per migration; the concurrent run at least 5× faster than one at a time.
 * Afterwards each world must hold every workload exactly once, ready, in its target.
 * `npm run bench:apply -- 40` moves another number of workloads (half each way).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyArgs, startShisa, type Summary } from '../test/apply/apply-cli.js';
import { FINLAND, OSAKA, startApplyWorld } from '../test/apply/apply-world.js';

const MOVES = Number(process.argv[2] ?? 200);
const READINESS_DELAY_MS = 500;
const TARGET_REQUESTS = 15;
const TARGET_SPEEDUP = 5;

interface Setting {
  readonly label: string;
  readonly maxParallel: number;
  readonly maxParallelPerCluster: number;
}

const SETTINGS: readonly Setting[] = [
  { label: 'one at a time', maxParallel: 1, maxParallelPerCluster: 1 },
  { label: 'defaults', maxParallel: 10, maxParallelPerCluster: 4 },
  { label: 'concurrent', maxParallel: 20, maxParallelPerCluster: 10 },
];

interface Measured {
  readonly setting: Setting;
  readonly seconds: number;
  readonly summary: Summary;
}

/** Every workload exactly once among the clusters, ready, in the region its move was bound for. */
function misplaced(world: Awaited<ReturnType<typeof startApplyWorld>>): string[] {
  const placement = world.placement();
  const wrong: string[] = [];
  for (const workload of world.workloads.keys()) {
    const copies = placement.get(workload) ?? [];
    const target = workload.startsWith('batch/') ? FINLAND : OSAKA;
    if (copies.length !== 1 || copies[0]!.region !== target || copies[0]!.ready < 1)
      wrong.push(`${workload}: ${JSON.stringify(copies)}`);
  }
  return wrong;
}

async function measure(setting: Setting): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'shisa-bench-apply-'));
  const world = await startApplyWorld(join(dir, 'world'), {
    batch: Math.ceil(MOVES / 2),
    jp: Math.floor(MOVES / 2),
    readinessDelayMs: READINESS_DELAY_MS,
    readyTimeout: '5m',
    verifyWindow: '0s',
    maxParallel: setting.maxParallel,
    maxParallelPerCluster: setting.maxParallelPerCluster,
  });
  try {
    await world.settled(120_000);
    let ended = 0;
    const started = process.hrtime.bigint();
    const run = await startShisa(dir, applyArgs(world, '--plan'), (e) => {
      if (e.type === 'end' && ++ended % 50 === 0) process.stderr.write(`  ${setting.label}: ${ended} ended\n`);
    }).done;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const summary = run.summary;
    if (run.code !== 0 || !summary) throw new Error(`apply (${setting.label}) exit ${run.code}:\n${run.stderr}`);
    if (summary.done !== MOVES) throw new Error(`apply (${setting.label}) did ${summary.done} of ${MOVES} moves`);
    const wrong = misplaced(world);
    if (wrong.length > 0) throw new Error(`after ${setting.label}: ${wrong.length} misplaced, e.g. ${wrong[0]}`);
    return { setting, seconds, summary };
  } finally {
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(results: readonly Measured[]): boolean {
  const baseline = results[0]!.seconds;
  console.log('setting          max_parallel  per_cluster   wall s  speed-up  req/migration  watches');
  for (const { setting, seconds, summary } of results)
    console.log(
      `${setting.label.padEnd(16)} ${String(setting.maxParallel).padStart(12)} ` +
        `${String(setting.maxParallelPerCluster).padStart(12)} ${seconds.toFixed(1).padStart(8)} ` +
        `${(baseline / seconds).toFixed(1).padStart(8)}× ${(summary.requests / summary.done).toFixed(1).padStart(14)} ` +
        `${String(summary.watches).padStart(8)}`,
    );
  const concurrent = results[results.length - 1]!;
  const speedup = baseline / concurrent.seconds;
  const worstRequests = Math.max(...results.map((r) => r.summary.requests / r.summary.done));
  const ok = speedup >= TARGET_SPEEDUP && worstRequests <= TARGET_REQUESTS;
  console.log(
    `targets: speed-up ${speedup.toFixed(1)}× (≥ ${TARGET_SPEEDUP}×), ` +
      `requests per migration at most ${worstRequests.toFixed(1)} (≤ ${TARGET_REQUESTS}): ${ok ? 'met' : 'MISSED'}`,
  );
  return ok;
}

async function main(): Promise<void> {
  console.log(
    `shisa apply benchmark (Node ${process.versions.node}, ${process.arch}): ${MOVES} moves, ` +
      `three fake clusters, readiness delay ${READINESS_DELAY_MS} ms`,
  );
  const results: Measured[] = [];
  for (const setting of SETTINGS) {
    process.stderr.write(`running ${setting.label} …\n`);
    results.push(await measure(setting));
  }
  if (!report(results)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
