/**
 * `shisa apply` when things go wrong, each through the built CLI against fake API servers:
 * a copy that never gets ready, a target cluster that disappears mid-move, a source that
 * refuses the delete, a 409 on apply, an object in the target that differs, a workload that
 * changed since it was planned, capacity taken by someone else before the batch. After each:
 * no workload lost, none left running twice, the source untouched unless the move was done.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../db/store.js';
import { runShisa } from '../clusters/example-clusters.js';
import { call } from '../kube-fake/client.js';
import { applyArgs, startShisa } from './apply-cli.js';
import { FINLAND, OSAKA, startApplyWorld, type ApplyWorld, type ApplyWorldOptions } from './apply-world.js';

const root = mkdtempSync(join(tmpdir(), 'shisa-apply-faults-'));
let worlds = 0;
let world: ApplyWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Two batch workloads in Osaka bound for Finland, nothing else. */
async function twoMoves(options: ApplyWorldOptions = {}): Promise<ApplyWorld> {
  world = await startApplyWorld(join(root, `w${++worlds}`), { batch: 2, jp: 0, ...options });
  await world.settled();
  return world;
}

/** Records a run (`shisa plan`), so a test can change the world before `apply --run 1`. */
async function plan(w: ApplyWorld): Promise<void> {
  const r = await runShisa(root, ['plan', '--config', w.fleet, '--kubeconfig', w.kubeconfig]);
  expect(r.code, r.stderr).toBe(0);
}

/** Each workload in exactly one cluster with its replica ready, and where. */
function placedOnce(w: ApplyWorld): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, copies] of w.placement()) {
    expect(copies, name).toHaveLength(1);
    expect(copies[0]!.ready, name).toBe(1);
    out[name] = copies[0]!.region;
  }
  expect(Object.keys(out).sort()).toEqual([...w.workloads.keys()].sort());
  return out;
}

async function journal(w: ApplyWorld) {
  const store = await openStore({ kind: 'pglite', dir: join(w.dir, '.shisa') });
  try {
    return {
      migrations: await store.query<{ workload: string; state: string; reason: string | null }>(
        'select workload, state, reason from migrations order by id',
      ),
      exceptions: await store.query<{ kind: string; concerns: string }>(
        'select kind, concerns from exceptions order by id',
      ),
      outbox: (await store.query<{ key: string }>('select idempotency_key as key from outbox order by id')).map(
        (m) => m.key,
      ),
    };
  } finally {
    await store.close();
  }
}

const labelledIn = (w: ApplyWorld, region: string) =>
  ['deployments', 'configmaps', 'secrets', 'services'].flatMap((t) =>
    w
      .cluster(region)
      .list(t)
      .filter((o) => o.metadata.labels?.['shisa.io/migration'] !== undefined),
  );

describe('shisa apply when things go wrong', () => {
  it('rolls back a copy that never gets ready (timeout): its objects are deleted, the source untouched', async () => {
    const w = await twoMoves({ readyTimeout: '2s' });
    w.cluster(FINLAND).setBehaviour('batch', 'batch-001', 'never-ready');
    const sourceBefore = w.cluster(OSAKA).get('deployments', 'batch', 'batch-001')!;
    const r = await startShisa(root, applyArgs(w, '--plan')).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary).toMatchObject({ done: 1, rolled_back: 1, stuck: 0 });
    const back = r.summary!.migrations.find((m) => m.workload === 'batch/batch-001')!;
    expect(back.reason).toMatch(/did not serve within 2 s \(0 of 1 replicas ready/);
    expect(w.cluster(OSAKA).get('deployments', 'batch', 'batch-001')!.metadata.resourceVersion).toBe(
      sourceBefore.metadata.resourceVersion,
    );
    expect(placedOnce(w)).toEqual({ 'batch/batch-001': OSAKA, 'batch/batch-002': FINLAND });
    expect(w.cluster(FINLAND).get('configmaps', 'batch', 'batch-001-config')).toBeUndefined();
    const j = await journal(w);
    expect(j.migrations.map((m) => m.state)).toEqual(['rolled-back', 'done']);
    expect(j.exceptions).toEqual([{ kind: 'rollback', concerns: 'batch/batch-001' }]);
    // Told through the outbox: the rollback as it was journaled, then the run's summary once both finished.
    expect(j.outbox).toEqual([expect.stringMatching(/^exception-\d+\/raised\/sre$/), 'run-1/summary/sre']);
    const audit = await runShisa(root, ['audit', 'verify', '--config', w.fleet]);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
  }, 60_000);

  it('leaves a move in flight when the target cluster disappears mid-move; --resume rolls it back once it is back', async () => {
    const w = await twoMoves({ readyTimeout: '3s' });
    const finland = w.cluster(FINLAND);
    finland.setBehaviour('batch', 'batch-001', 'never-ready');
    finland.setBehaviour('batch', 'batch-002', 'never-ready');
    let downed: Promise<void> | undefined;
    const first = await startShisa(root, applyArgs(w, '--plan'), (e) => {
      if (e.type === 'step' && e.state === 'target-created') downed ??= finland.down();
    }).done;
    await downed;
    expect(first.code, first.stderr).toBe(5);
    expect(first.summary).toMatchObject({ done: 0, stuck: 2 });
    expect(first.summary!.migrations[0]!.reason).toMatch(/rollback not finished: cannot read region-finland-01/);
    // Both sources were never touched: each workload runs in Osaka.
    for (const n of ['batch-001', 'batch-002'])
      expect(w.cluster(OSAKA).get('deployments', 'batch', n)?.spec).toMatchObject({ replicas: 1 });
    expect((await journal(w)).migrations.map((m) => m.state)).toEqual(['rolling-back', 'rolling-back']);
    await finland.up();
    const resumed = await startShisa(root, applyArgs(w, '--resume')).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.summary).toMatchObject({ rolled_back: 2, stuck: 0 });
    expect(resumed.summary!.migrations.map((m) => m.resumed_from)).toEqual(['rolling-back', 'rolling-back']);
    expect(placedOnce(w)).toEqual({ 'batch/batch-001': OSAKA, 'batch/batch-002': OSAKA });
    expect(labelledIn(w, FINLAND)).toEqual([]);
  }, 120_000);

  it('retries a delete the source cluster refuses until it is done, and never rolls back after the source started going', async () => {
    const w = await twoMoves();
    const osaka = w.cluster(OSAKA);
    osaka.faults.fail(500, { method: 'DELETE', pathPrefix: '/apis/apps/v1/namespaces/batch/deployments/', times: 6 });
    const r = await startShisa(root, applyArgs(w, '--plan')).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary).toMatchObject({ done: 2, rolled_back: 0 });
    const deletes = osaka.requests.filter((q) => q.method === 'DELETE' && q.path.includes('/deployments/'));
    expect(deletes.filter((q) => q.status === 500)).toHaveLength(6);
    expect(deletes.filter((q) => q.status === 200)).toHaveLength(2);
    expect(placedOnce(w)).toEqual({ 'batch/batch-001': FINLAND, 'batch/batch-002': FINLAND });
  }, 120_000);

  it("rolls back on a 409 Conflict from server-side apply, with the server's reason", async () => {
    const w = await twoMoves();
    w.cluster(FINLAND).faults.fail(409, {
      method: 'PATCH',
      pathPrefix: '/apis/apps/v1/namespaces/batch/deployments/batch-002',
      times: 1,
    });
    const r = await startShisa(root, applyArgs(w, '--plan')).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary).toMatchObject({ done: 1, rolled_back: 1 });
    const back = r.summary!.migrations.find((m) => m.workload === 'batch/batch-002')!;
    expect(back.reason).toMatch(
      /applying Deployment batch\/batch-002 to region-finland-01 failed: unexpected answer 409/,
    );
    expect(placedOnce(w)).toEqual({ 'batch/batch-001': FINLAND, 'batch/batch-002': OSAKA });
    // Its own ConfigMap and Secret are gone again; the shared ConfigMap stays, batch-001 uses it.
    expect(w.cluster(FINLAND).get('configmaps', 'batch', 'batch-002-config')).toBeUndefined();
    expect(w.cluster(FINLAND).get('configmaps', 'batch', 'shared-config')).toBeDefined();
  }, 60_000);

  it('refuses a copy whose ConfigMap the target has already, different, and applies nothing of it', async () => {
    const w = await twoMoves();
    w.cluster(FINLAND).seed([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'batch-001-config', namespace: 'batch' },
        data: { mode: 'theirs' },
      },
    ]);
    const patchesBefore = w.cluster(FINLAND).requests.length;
    const r = await startShisa(root, applyArgs(w, '--plan')).done;
    expect(r.code, r.stderr).toBe(0);
    const back = r.summary!.migrations.find((m) => m.workload === 'batch/batch-001')!;
    expect(back).toMatchObject({ end: 'rolled-back' });
    expect(back.reason).toBe(
      'region-finland-01 already has a ConfigMap batch/batch-001-config that differs from the one in region-osaka-01; nothing was applied',
    );
    const writes = w
      .cluster(FINLAND)
      .requests.slice(patchesBefore)
      .filter((q) => q.method !== 'GET');
    expect(writes.filter((q) => q.path.includes('batch-001'))).toEqual([]);
    expect(w.cluster(FINLAND).get('configmaps', 'batch', 'batch-001-config')?.data).toEqual({ mode: 'theirs' });
    expect(placedOnce(w)).toEqual({ 'batch/batch-001': OSAKA, 'batch/batch-002': FINLAND });
  }, 60_000);

  it('skips, with the reason, a workload that changed between plan and apply', async () => {
    const w = await twoMoves();
    await plan(w);
    const osaka = w.cluster(OSAKA);
    const d = osaka.get('deployments', 'batch', 'batch-002')!;
    const spec = structuredClone(d.spec) as { template: { spec: { containers: { resources: unknown }[] } } };
    spec.template.spec.containers[0]!.resources = { requests: { cpu: '2', memory: '1Gi' } };
    const patched = await call(osaka, 'PATCH', '/apis/apps/v1/namespaces/batch/deployments/batch-002', {
      body: { spec },
      contentType: 'application/merge-patch+json',
    });
    expect(patched.status).toBe(200);
    await w.settled();
    const r = await startShisa(root, applyArgs(w, '--run', '1')).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary).toMatchObject({ done: 1, skipped: 1 });
    expect(r.summary!.migrations.find((m) => m.workload === 'batch/batch-002')!.reason).toBe(
      'batch/batch-002 changed since it was planned (cpu 1 → 2 cores)',
    );
    expect(placedOnce(w)).toEqual({ 'batch/batch-001': FINLAND, 'batch/batch-002': OSAKA });
    expect((await journal(w)).migrations.map((m) => m.state)).toEqual(['done', 'skipped']);
  }, 60_000);

  it('skips the moves into a region whose room someone else took before the batch', async () => {
    const w = await twoMoves();
    await plan(w);
    // Another team's pod takes 9 of Finland's 10.5 cores.
    w.cluster(FINLAND).seed([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'big-job', namespace: 'default' },
        spec: {
          nodeName: 'gke-finland-01-node-1',
          containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '9', memory: '1Gi' } } }],
        },
        status: { phase: 'Running' },
      },
    ]);
    const r = await startShisa(root, applyArgs(w, '--run', '1')).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary).toMatchObject({ done: 0, skipped: 2 });
    for (const m of r.summary!.migrations) expect(m.reason).toMatch(/^no longer proven safe: .*capacity/);
    expect(placedOnce(w)).toEqual({ 'batch/batch-001': OSAKA, 'batch/batch-002': OSAKA });
    expect(labelledIn(w, FINLAND)).toEqual([]);
  }, 60_000);
});
