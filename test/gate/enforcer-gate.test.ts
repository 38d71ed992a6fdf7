/**
 * The enforcer gate (scheduler/gate/enforcer-gate.ts) over a migrated copy in a fake cluster,
 * read through the real cluster client and the readiness gate, with verdicts arriving on the
 * board as POST /v1/verdicts will put them there: a copy passes only when its eBPF-verified
 * checks held in its target region to the end of the window and it stayed ready; a violation
 * ends the window at once; no verdict, `unknown`, or verdicts from another region never pass.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigPaths, readKubeconfigs } from '../../regions/clusters/client/kubeconfig-files.js';
import { ObjectClient } from '../../regions/clusters/client/object-client.js';
import { regionClusters } from '../../regions/clusters/client/region-kubeconfig.js';
import type { Region } from '../../regions/fleet/model.js';
import { environmentFrom } from '../../scheduler/config/environment.js';
import { enforcerGate } from '../../scheduler/gate/enforcer-gate.js';
import { readinessGate, type GateSubject } from '../../scheduler/gate/gate.js';
import { VerdictBoard, type ReportedVerdict } from '../../scheduler/gate/verdict-board.js';
import { startFakeCluster, type FakeCluster } from '../fakes/kube/fake-cluster.js';
import { writeKubeconfig } from '../fakes/kube/kubeconfig.js';

const OSAKA = 'region-osaka-01';
const dir = mkdtempSync(join(tmpdir(), 'shisa-enforcer-gate-'));
const CHECK = 'web/api>web/db@latency#api-db';
let fake: FakeCluster;
let client: ObjectClient;

function region(name: string, cluster: string): Region {
  const span = { file: 'fleet.yaml', start: 0, end: 0, line: 1, col: 1 };
  return {
    name,
    zone: 'JP-KN',
    country: 'JP',
    compliance: [],
    cluster,
    clusterSpan: span,
    capacity: { cpu: 100, memoryGib: 400 },
    labels: {},
    span,
  };
}

const deployment = (name: string, ready: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { namespace: 'web', name, labels: { app: name } },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } } } },
  status: {
    replicas: 1,
    readyReplicas: ready,
    availableReplicas: ready,
    updatedReplicas: 1,
    observedGeneration: 1,
    conditions: [{ type: 'Available', status: ready ? 'True' : 'False' }],
  },
});

beforeAll(async () => {
  fake = await startFakeCluster({ name: 'gke-osaka-01', controller: false });
  fake.seed([deployment('api', 1), deployment('broken', 0), deployment('plain', 1)]);
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, [{ context: 'gke-osaka-01', cluster: fake }]);
  const files = await readKubeconfigs(kubeconfigPaths(kubeconfig, environmentFrom({}), dir), dir);
  const made = regionClusters([region(OSAKA, 'gke-osaka-01')], files.files, () => undefined);
  expect(made.diagnostics).toEqual([]);
  client = new ObjectClient(made.clusters[0]!);
});

afterAll(async () => {
  client?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

const regionOf = (node: string) =>
  node.startsWith('osaka-') ? OSAKA : node.startsWith('tokyo-') ? 'region-tokyo-01' : undefined;

function verdict(state: ReportedVerdict['state'], extra: Partial<ReportedVerdict> = {}): ReportedVerdict {
  return { key: CHECK, workload: 'web/api', state, reason: `api → db ${state}`, maxMs: 30, ...extra };
}

/** The gate over `workload` with a window of `windowMs`, and verdicts reported at the given offsets. */
async function gateWith(
  workload: string,
  windowMs: number,
  reports: readonly { afterMs: number; node: string; verdict: ReportedVerdict }[],
) {
  const board = new VerdictBoard(regionOf);
  const gate = enforcerGate({
    board,
    checksOf: (w) => (w === 'web/plain' ? [] : [CHECK]),
    readiness: readinessGate,
    now: Date.now,
  });
  const subject: GateSubject = { migration: 1, workload, kind: 'Deployment', target: client, windowMs };
  const timers = reports.map((r) => setTimeout(() => board.report(r.node, [r.verdict], Date.now()), r.afterMs));
  const started = Date.now();
  try {
    const result = await gate.check(subject);
    return { result, ms: Date.now() - started, board };
  } finally {
    timers.forEach(clearTimeout);
  }
}

describe('the enforcer gate', () => {
  it('passes a ready copy whose checks held in its region from their first measurement to the end', async () => {
    const { result } = await gateWith('web/api', 600, [
      { afterMs: 50, node: 'osaka-1', verdict: verdict('unknown', { reason: 'window filling' }) },
      { afterMs: 150, node: 'osaka-1', verdict: verdict('holds') },
      { afterMs: 300, node: 'osaka-2', verdict: verdict('holds') },
    ]);
    expect(result).toEqual({
      verdict: 'pass',
      detail: 'still serving after 1 s; 1 latency checks held in region-osaka-01 (3 verdicts)',
    });
  });

  it('fails as soon as a violation arrives, with its evidence, without waiting out the window', async () => {
    const evidence = { samples: 1200, failures: 0, p99Ms: 48.2 };
    const { result, ms } = await gateWith('web/api', 20_000, [
      { afterMs: 50, node: 'osaka-1', verdict: verdict('holds') },
      { afterMs: 200, node: 'osaka-1', verdict: verdict('violated', { reason: 'p99 above 30 ms', evidence }) },
    ]);
    expect(result).toEqual({
      verdict: 'fail',
      reason: `${CHECK} violated in ${OSAKA}: p99 above 30 ms (1200 samples, p99 48.2 ms, bound 30 ms) [node osaka-1]`,
      evidence: { check: CHECK, node: 'osaka-1', samples: 1200, p99Ms: 48.2, boundMs: 30 },
    });
    expect(ms).toBeLessThan(10_000);
  });

  it('is unknown with no verdict in the window, or only unknown ones, or a lapse after holding', async () => {
    expect((await gateWith('web/api', 300, [])).result).toEqual({
      verdict: 'unknown',
      reason: `${CHECK}: no verdict from the enforcers in ${OSAKA} within the window`,
    });
    const unknownOnly = await gateWith('web/api', 300, [
      { afterMs: 50, node: 'osaka-1', verdict: verdict('unknown', { reason: 'no connects seen' }) },
    ]);
    expect(unknownOnly.result).toMatchObject({
      verdict: 'unknown',
      reason: /could not say within the window \(no connects seen\)/,
    });
    const lapse = await gateWith('web/api', 400, [
      { afterMs: 50, node: 'osaka-1', verdict: verdict('holds') },
      { afterMs: 150, node: 'osaka-1', verdict: verdict('unknown', { reason: 'probe detached' }) },
    ]);
    expect(lapse.result).toMatchObject({ verdict: 'unknown', reason: /stopped holding .* \(probe detached\)/ });
  });

  it('never lets verdicts from another region, or from a node in no region, speak for the target', async () => {
    const { result, board } = await gateWith('web/api', 300, [
      { afterMs: 50, node: 'tokyo-1', verdict: verdict('holds') },
      { afterMs: 60, node: 'mystery-node', verdict: verdict('holds') },
    ]);
    expect(result).toMatchObject({ verdict: 'unknown', reason: /no verdict from the enforcers in region-osaka-01/ });
    expect(board.report('mystery-node', [verdict('holds')], Date.now())).toEqual({
      accepted: 0,
      refused: 'node "mystery-node" is in no region of the fleet',
    });
  });

  it('still needs the copy ready: checks that hold do not pass a copy that stopped serving', async () => {
    const { result } = await gateWith('web/broken', 300, [{ afterMs: 50, node: 'osaka-1', verdict: verdict('holds') }]);
    expect(result).toMatchObject({ verdict: 'fail', reason: /stopped serving/ });
  });

  it('is the readiness gate alone for a workload with no eBPF-verified checks', async () => {
    expect((await gateWith('web/plain', 100, [])).result).toEqual({
      verdict: 'pass',
      detail: 'still serving after 0 s',
    });
  });
});
