/**
 * For `npm run bench:serve`: the time from a `violated` verdict arriving at POST /v1/verdicts
 * to the migration's gate failing (the executor starts the rollback the moment the gate
 * answers). The copy is verified against a fake API server on 127.0.0.1 through the product's
 * ObjectClient; the verdict is sent over HTTP with a write token, as an enforcer sends it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeCluster } from '../test/fakes/kube/fake-cluster.js';
import { writeKubeconfig } from '../test/fakes/kube/kubeconfig.js';

const shipped = (path: string): Promise<unknown> => import(new URL(`../dist/${path}`, import.meta.url).href);
const files = (await shipped(
  'regions/clusters/client/kubeconfig-files.js',
)) as typeof import('../regions/clusters/client/kubeconfig-files.js');
const { ObjectClient } = (await shipped(
  'regions/clusters/client/object-client.js',
)) as typeof import('../regions/clusters/client/object-client.js');
const { regionClusters } = (await shipped(
  'regions/clusters/client/region-kubeconfig.js',
)) as typeof import('../regions/clusters/client/region-kubeconfig.js');
const { environmentFrom } = (await shipped(
  'scheduler/config/environment.js',
)) as typeof import('../scheduler/config/environment.js');
const { enforcerGate } = (await shipped(
  'scheduler/gate/enforcer-gate.js',
)) as typeof import('../scheduler/gate/enforcer-gate.js');
const { readinessGate } = (await shipped('scheduler/gate/gate.js')) as typeof import('../scheduler/gate/gate.js');
type VerdictBoard = import('../scheduler/gate/verdict-board.js').VerdictBoard;

const OSAKA = 'region-osaka-01';
const CHECK = 'web/api>web/db@latency#api-db';
const span = { file: 'fleet.yaml', start: 0, end: 0, line: 1, col: 1 };

/** Milliseconds from each POST of a violated verdict to the gate's `fail`, `trials` times. */
export async function verdictToRollback(apiUrl: string, token: string, board: VerdictBoard, trials: number) {
  const dir = mkdtempSync(join(tmpdir(), 'shisa-bench-verdict-'));
  const fake = await startFakeCluster({ name: 'gke-osaka-01', controller: false });
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, [{ context: 'gke-osaka-01', cluster: fake }]);
  const read = await files.readKubeconfigs(files.kubeconfigPaths(kubeconfig, environmentFrom({}), dir), dir);
  const region = { name: OSAKA, zone: 'JP-KN', country: 'JP', compliance: [], cluster: 'gke-osaka-01' };
  const made = regionClusters(
    [{ ...region, clusterSpan: span, capacity: { cpu: 1, memoryGib: 1 }, labels: {}, span }],
    read.files,
    () => undefined,
  );
  const client = new ObjectClient(made.clusters[0]!);
  const gate = enforcerGate({ board, checksOf: () => [CHECK], readiness: readinessGate, now: Date.now });
  const ms: number[] = [];
  try {
    for (let i = 0; i < trials; i++) {
      const subject = {
        migration: i,
        workload: 'web/api',
        kind: 'Deployment' as const,
        target: client,
        windowMs: 60_000,
      };
      const checking = gate.check(subject);
      await new Promise((r) => setTimeout(r, 20));
      const sent = performance.now();
      const body = {
        node: 'osaka-1',
        changes: [
          {
            at: new Date().toISOString(),
            from: 'holds',
            verdict: { key: CHECK, workload: 'web/api', state: 'violated', reason: 'p99 above 30 ms', maxMs: 30 },
          },
        ],
      };
      const res = await fetch(`${apiUrl}/v1/verdicts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 202) throw new Error(`POST /v1/verdicts answered ${res.status}`);
      const verdict = await checking;
      if (verdict.verdict !== 'fail') throw new Error(`the gate said ${verdict.verdict}, not fail`);
      ms.push(performance.now() - sent);
    }
  } finally {
    client.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!;
  return { trials, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: ms.at(-1)! };
}
