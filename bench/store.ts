/**
 * `npm run bench:store`: recording a run with 50,000 decisions (2,500 moves and 47,500 kept
 * workloads with their reasons), its readings and an audit entry, in one transaction, on the
 * embedded PGlite (in a folder) and on a PostgreSQL server the benchmark starts. Target: ≤ 2 s
 * on each. Times the compiled store (dist/), median of 3.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '../scheduler/config/secret.js';
import { postgresBin, startPostgres } from '../test/db/postgres-server.js';
import { movesInOneBatch } from '../test/db/run-fixture.js';

const shipped = (path: string): Promise<unknown> => import(new URL(`../dist/${path}`, import.meta.url).href);
const { openStore } = (await shipped('db/store.js')) as typeof import('../db/store.js');
const { recordRun } = (await shipped('db/record-run.js')) as typeof import('../db/record-run.js');
const { verifyAudit } = (await shipped('db/audit-log.js')) as typeof import('../db/audit-log.js');
type RunRecord = import('../db/record-run.js').RunRecord;

const DECISIONS = 50_000;
const MOVES = 2_500;
const TARGET_MS = 2_000;
const RUNS = 3;

function record(k: number): RunRecord {
  const at = new Date(Date.UTC(2026, 10, 22, 12) + k * 3_600_000);
  return {
    trigger: 'cron',
    startedAt: at,
    finishedAt: new Date(at.getTime() + 1_000),
    fleet: 'generated-fleet.yaml',
    carbonSource: 'static',
    carbon: { fresh: 40, zones: 40, notFresh: [] },
    emissionsBefore: 471_178.2,
    emissionsAfter: 386_970.9,
    lowerBound: 386_778.3,
    gap: 0.0005,
    verdict: 'proven',
    status: 'planned',
    timings: { plan_ms: 530 },
    ...movesInOneBatch(
      Array.from({ length: MOVES }, (_, i) => ({
        workload: `team${i % 40}/w${i}`,
        from: `r${i % 16}`,
        to: `r${16 + (i % 8)}`,
        savingGPerH: 20 + (i % 50),
      })),
    ),
    kept: Array.from({ length: DECISIONS - MOVES }, (_, i) => ({
      workload: `team${i % 40}/k${i}`,
      region: `r${i % 40}`,
      reason: ['budget', 'capacity', 'latency', 'residency'][i % 4]!,
      detail: `r${(i + 7) % 40}: not enough room left there for it, with the other moves made`,
    })),
    readings: Array.from({ length: 40 }, (_, z) => ({
      zone: `Z${z}`,
      datetime: at,
      intensity: 20 + z * 10,
      estimated: true,
      source: 'static',
    })),
    exceptions: [],
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function time(target: Parameters<typeof openStore>[0]): Promise<number[]> {
  const store = await openStore(target);
  try {
    const times: number[] = [];
    for (let k = 0; k < RUNS; k++) {
      const t = performance.now();
      await recordRun(store, record(k));
      times.push(performance.now() - t);
    }
    const audit = await verifyAudit(store);
    if (audit.broken) throw new Error(`audit chain broken after the benchmark: ${audit.broken.problem}`);
    return times;
  } finally {
    await store.close();
  }
}

console.log(
  `shisa store benchmark (Node ${process.versions.node}): one run with ${DECISIONS.toLocaleString('en-US')} decisions per transaction, median of ${RUNS}\n`,
);
const dir = mkdtempSync(join(tmpdir(), 'shisa-bench-store-'));
const results: [string, number[] | string][] = [];
try {
  results.push(['PGlite (embedded, on disk)', await time({ kind: 'pglite', dir })]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (postgresBin()) {
  const server = await startPostgres();
  try {
    results.push([
      `PostgreSQL server (${server.version})`,
      await time({ kind: 'postgres', url: new Secret(server.url, 'DATABASE_URL') }),
    ]);
  } finally {
    server.stop();
  }
} else {
  results.push(['PostgreSQL server', "not run: initdb/pg_ctl not found (install Debian's postgresql)"]);
}
for (const [name, r] of results) {
  if (typeof r === 'string') console.log(`${name.padEnd(44)} ${r}`);
  else
    console.log(
      `${name.padEnd(44)} median ${median(r).toFixed(0).padStart(5)} ms  (runs ${r.map((x) => x.toFixed(0)).join(', ')} ms)  ${median(r) <= TARGET_MS ? 'within' : 'OVER'} the ${TARGET_MS / 1000} s target`,
    );
}
