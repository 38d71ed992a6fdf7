/**
 * `shisa apply` end to end, through the built CLI against three fake API servers: a plan of
 * 22 moves in two batches applied make-before-break (each workload afterwards in its target
 * only, with what its pods need, as kubectl sees it too), the journal and the audit chain
 * afterwards, and `--dry-run`, which writes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/store.js';
import { runShisa } from '../clusters/example-clusters.js';
import { Kubectl, kubectlAvailable } from '../kube-fake/kubectl.js';
import { applyArgs, startShisa, type ApplyRun } from './apply-cli.js';
import { FINLAND, OSAKA, REGIONS, startApplyWorld, TOKYO, type ApplyWorld } from './apply-world.js';

const root = mkdtempSync(join(tmpdir(), 'shisa-apply-e2e-'));
let world: ApplyWorld;
let run: ApplyRun;

beforeAll(async () => {
  world = await startApplyWorld(join(root, 'world'));
  await world.settled();
  run = await startShisa(root, applyArgs(world, '--plan')).done;
}, 120_000);

afterAll(async () => {
  await world?.close();
  rmSync(root, { recursive: true, force: true });
});

const targetOf = (workload: string) => (workload.startsWith('batch/') ? FINLAND : OSAKA);

describe('shisa apply --plan on three clusters', () => {
  it('plans, proves and applies 22 moves in 2 batches, every one done', () => {
    expect(run.stderr).toContain('planned run 1: 22 moves, proven');
    expect(run.code, run.stderr).toBe(0);
    const batches = run.events.filter((e) => e.type === 'batch' && (e.batch as number) > 0);
    expect(batches.map((b) => [b.batch, b.of])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(run.summary).toMatchObject({ done: 22, rolled_back: 0, skipped: 0, stuck: 0, failed: 0 });
    expect(run.summary!.saved_g_per_h).toBeGreaterThan(0);
  });

  it('follows the proven order: no move of batch 2 starts before every move of batch 1 ended', () => {
    const at = (pred: (e: (typeof run.events)[number]) => boolean) => run.events.findIndex(pred);
    const secondBatch = at((e) => e.type === 'batch' && e.batch === 2);
    const firstEnds = run.events.filter((e) => e.type === 'end').slice(0, 12);
    expect(firstEnds).toHaveLength(12);
    for (const e of firstEnds) expect(run.events.indexOf(e)).toBeLessThan(secondBatch);
    const creating = run.events.filter((e) => e.type === 'step' && e.state === 'creating');
    expect(creating.filter((e) => run.events.indexOf(e) > secondBatch)).toHaveLength(10);
  });

  it('leaves each workload running exactly once, in its target, labelled with its migration', () => {
    const placement = world.placement();
    expect(placement.size).toBe(22);
    for (const [workload, copies] of placement) {
      expect(copies, workload).toHaveLength(1);
      expect(copies[0]!.region, workload).toBe(targetOf(workload));
      expect(copies[0]!.ready, workload).toBe(1);
      expect(copies[0]!.labelled, workload).toMatch(/^\d+$/);
    }
  });

  it("copies each workload's ConfigMaps, Secret and Service, and its namespace's shared ConfigMap once", () => {
    for (const workload of world.workloads.keys()) {
      const [ns, name] = workload.split('/') as [string, string];
      const target = world.cluster(targetOf(workload));
      expect(target.get('configmaps', ns, `${name}-config`)?.data, workload).toEqual({ mode: name });
      expect(target.get('secrets', ns, `${name}-secret`)?.data, workload).toEqual({
        token: Buffer.from(`token-of-${name}`).toString('base64'),
      });
      const svc = target.get('services', ns, name);
      expect((svc?.spec as { selector?: unknown }).selector).toEqual({ app: name });
      expect(svc?.metadata.labels?.['shisa.io/migration']).toMatch(/^\d+$/);
      expect(target.get('configmaps', ns, 'shared-config')?.data).toEqual({ shared: ns });
    }
    const sharedWrites = world
      .cluster(FINLAND)
      .requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/configmaps/shared-config'));
    expect(sharedWrites).toHaveLength(1);
  });

  it('removes only the workload from its source: its ConfigMaps, Secrets and Services stay', () => {
    for (const workload of world.workloads.keys()) {
      const [ns, name] = workload.split('/') as [string, string];
      const source = world.cluster(workload.startsWith('batch/') ? OSAKA : TOKYO);
      expect(source.get('deployments', ns, name), workload).toBeUndefined();
      expect(
        source.list('pods', ns).filter((p) => p.metadata.labels?.app === name),
        workload,
      ).toEqual([]);
      expect(source.get('configmaps', ns, `${name}-config`), workload).toBeDefined();
      expect(source.get('services', ns, name), workload).toBeDefined();
    }
  });

  it('is what kubectl sees too', async (ctx) => {
    if (!kubectlAvailable()) {
      if (process.env.CI === 'true') throw new Error('kubectl is required in CI');
      console.warn('SKIPPED: kubectl is not installed here; the fake is not judged by kubectl');
      return ctx.skip();
    }
    const kubectl = await Kubectl.create(
      REGIONS.map((r) => ({ context: world.cluster(r).name, cluster: world.cluster(r) })),
    );
    try {
      for (const region of REGIONS) {
        const fake = world.cluster(region);
        const r = await kubectl.run(fake.name, ['get', 'deployments', '-A', '-l', 'shisa.io/migration', '-o', 'json']);
        expect(r.code, r.stderr).toBe(0);
        const items = (JSON.parse(r.stdout) as { items: { metadata: { namespace: string; name: string } }[] }).items;
        const names = items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`).sort();
        const expected = [...world.workloads.keys()].filter((w) => targetOf(w) === region).sort();
        expect(names, region).toEqual(expected);
      }
    } finally {
      await kubectl.cleanup();
    }
  }, 60_000);

  it('journals every migration done, with no migration left in flight, and the audit chain verifies', async () => {
    const store = await openStore({ kind: 'pglite', dir: join(world.dir, '.shisa') });
    try {
      const rows = await store.query<{ state: string; n: string }>(
        'select state, count(*)::text as n from migrations group by state',
      );
      expect(rows).toEqual([{ state: 'done', n: '22' }]);
      const steps = await store.query<{ transitions: { state: string }[] }>('select transitions from migrations');
      for (const s of steps)
        expect(s.transitions.map((t) => t.state)).toEqual([
          'planned',
          'creating',
          'target-created',
          'target-ready',
          'verifying',
          'removing-source',
          'source-removed',
          'done',
        ]);
    } finally {
      await store.close();
    }
    const audit = await runShisa(root, ['audit', 'verify', '--config', world.fleet]);
    expect(audit.code, audit.stderr + audit.stdout).toBe(0);
  });

  it('plans nothing more on the next run: the moved workloads are cooling down where they are now', async () => {
    const again = await startShisa(root, applyArgs(world, '--plan')).done;
    expect(again.code, again.stderr).toBe(0);
    expect(again.summary).toMatchObject({ done: 0, rolled_back: 0, skipped: 0 });
    expect(again.stderr).toContain('0 moves, proven');
  }, 60_000);
});

describe('shisa apply --dry-run', () => {
  it('prints every call it would make and writes nothing, neither to the clusters nor to the journal', async () => {
    const dir = join(root, 'dry');
    const w = await startApplyWorld(dir, { batch: 2, jp: 0 });
    try {
      await w.settled();
      const planned = await runShisa(root, ['plan', '--config', w.fleet, '--kubeconfig', w.kubeconfig]);
      expect(planned.code, planned.stderr).toBe(0);
      const before = REGIONS.map((r) => w.cluster(r).requests.length);
      const r = await runShisa(root, [
        'apply',
        '--config',
        w.fleet,
        '--kubeconfig',
        w.kubeconfig,
        '--run',
        '1',
        '--dry-run',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(
        `${FINLAND}: PATCH /apis/apps/v1/namespaces/batch/deployments/batch-001?fieldManager=shisa&force=false`,
      );
      expect(r.stdout).toContain(`${OSAKA}: DELETE /apis/apps/v1/namespaces/batch/deployments/batch-002`);
      expect(r.stdout).toContain('Dry run: 2 planned moves; nothing was written.');
      const during = REGIONS.flatMap((reg, i) => w.cluster(reg).requests.slice(before[i]));
      expect(during.length).toBeGreaterThan(0);
      expect(during.filter((q) => q.method !== 'GET')).toEqual([]);
      const store = await openStore({ kind: 'pglite', dir: join(dir, '.shisa') });
      try {
        expect(await store.query('select state from migrations')).toEqual([{ state: 'planned' }, { state: 'planned' }]);
      } finally {
        await store.close();
      }
    } finally {
      await w.close();
    }
  }, 60_000);
});
