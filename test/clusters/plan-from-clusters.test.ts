/**
 * `shisa plan` and `shisa verify` on a fleet that reads its clusters, through the built CLI
 * against the three-cluster example on fake API servers: the same plan and proofs as the
 * same fleet described by inventory.yaml; a cluster that cannot be read makes its region
 * unknown (nothing moves into or out of it) while the rest is planned; the journal gives the
 * cooldown's last move and explains a workload found in two clusters mid-migration; a
 * workload that names an intent nobody declared is invalid input, located at its object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceMigration, type MigrationState } from '../../db/migration-journal.js';
import { openStore } from '../../db/store.js';
import type { KubeObject } from '../fakes/kube/objects.js';
import {
  EXAMPLE_FLEET,
  EXAMPLE_FLEET_FROM_FILE,
  runShisa,
  startExampleClusters,
  type ExampleClusters,
} from './example-clusters.js';

const dir = mkdtempSync(join(tmpdir(), 'shisa-plan-clusters-'));
const kubeconfig = join(dir, 'kubeconfig');
const AT = '2026-11-22T12:00:00Z';
let example: ExampleClusters;

interface PlanJson {
  fleet: string;
  moves: { workload: string; from: string; to: string }[];
  kept: { workload: string; region: string; reason: string; detail: string }[];
  unknown_regions?: { region: string; reason: string }[];
  verification: { applicable: boolean; obligations: unknown[] };
  [key: string]: unknown;
}

const shisa = (...args: string[]) => runShisa(dir, args);

let stores = 0;
/** `shisa plan --json` at AT from the clusters, recorded in a store of its own unless `dataDir` is given. */
async function planFromClusters(dataDir = join(dir, `store-${++stores}`), ...more: string[]) {
  const r = await shisa(
    'plan',
    '--config',
    EXAMPLE_FLEET,
    '--kubeconfig',
    kubeconfig,
    '--at',
    AT,
    '--data-dir',
    dataDir,
    '--json',
    ...more,
  );
  return { ...r, json: r.stdout ? (JSON.parse(r.stdout) as PlanJson) : undefined, dataDir };
}

const moves = (p: PlanJson | undefined) => (p?.moves ?? []).map((m) => `${m.workload}: ${m.from} → ${m.to}`).sort();
const kept = (p: PlanJson | undefined, workload: string) => p?.kept.find((k) => k.workload === workload);

function seeded(region: string, kind: string, name: string): KubeObject {
  const [ns, n] = name.split('/');
  const o = example
    .cluster(region)
    .objects.find(
      (x) =>
        x.kind === kind &&
        (x.metadata as { name?: string; namespace?: string }).name === n &&
        (x.metadata as { namespace?: string }).namespace === ns,
    );
  if (!o) throw new Error(`${region} has no ${kind} ${name}`);
  return structuredClone(o);
}

/** Drives the journaled migration of `workload` along `path`, at `at`, in the store at `dataDir`. */
async function advance(dataDir: string, workload: string, path: readonly MigrationState[], at: Date) {
  const store = await openStore({ kind: 'pglite', dir: dataDir });
  try {
    const [row] = await store.query<{ id: string }>('select id::text from migrations where workload = $1', [workload]);
    if (!row) throw new Error(`no migration of ${workload} is journaled`);
    for (let i = 1; i < path.length; i++) {
      const r = await advanceMigration(store, Number(row.id), { from: path[i - 1]!, to: path[i]! }, at);
      expect(r.ok).toBe(true);
    }
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  example = await startExampleClusters(kubeconfig);
  await example.whenPodsReady(15_000);
}, 60_000);

afterAll(async () => {
  await example?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('shisa plan and verify from the clusters', () => {
  it('plans exactly what the same fleet plans from inventory.yaml, and records it', async () => {
    const clusters = await planFromClusters();
    expect(clusters.code, clusters.stderr).toBe(0);
    expect(clusters.stderr).toMatch(/^Recorded as run 1 in /m);
    const file = await shisa('plan', '--config', EXAMPLE_FLEET_FROM_FILE, '--at', AT, '--no-record', '--json');
    expect(file.code, file.stderr).toBe(0);
    const fromFile = JSON.parse(file.stdout) as PlanJson;
    expect(moves(clusters.json)).toEqual([
      'batch/etl-orders: region-tokyo-01 → region-finland-01',
      'batch/image-resize: region-osaka-01 → region-finland-01',
      'batch/nightly-report: region-tokyo-01 → region-finland-01',
      'risk/scoring: region-tokyo-01 → region-osaka-01',
    ]);
    // Everything but the fleet file's name: moves, emissions, bound, kept and why, the proof.
    expect({ ...clusters.json, fleet: '' }).toEqual({ ...fromFile, fleet: '' });
    expect(clusters.json?.unknown_regions).toBeUndefined();
  }, 60_000);

  it('verifies the same obligations, with the same verdicts, as from inventory.yaml', async () => {
    const fromClusters = await shisa('verify', '--config', EXAMPLE_FLEET, '--kubeconfig', kubeconfig, '--json');
    const fromFile = await shisa('verify', '--config', EXAMPLE_FLEET_FROM_FILE, '--json');
    expect(fromClusters.code, fromClusters.stderr).toBe(0);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const verdicts = (out: string) =>
      (JSON.parse(out) as { obligations: { name: string; verdict: string }[] }).obligations.map((o) => [
        o.name,
        o.verdict,
      ]);
    expect(verdicts(fromClusters.stdout)).toEqual(verdicts(fromFile.stdout));
    expect(verdicts(fromClusters.stdout).length).toBeGreaterThan(0);
  }, 60_000);

  it('with Osaka unreadable: exit 0, Osaka unknown, nothing moves into or out of it, the rest is planned', async () => {
    const osaka = example.cluster('region-osaka-01');
    await osaka.fake.down();
    try {
      const r = await planFromClusters();
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        /region-osaka-01 is unknown: cluster gke-osaka-01 could not be read \(.+\); nothing moves/,
      );
      expect(r.json?.unknown_regions).toEqual([
        {
          region: 'region-osaka-01',
          reason: expect.stringMatching(/^cluster gke-osaka-01 could not be read/) as unknown,
        },
      ]);
      // Tokyo's batch still goes to Finland; risk scoring, which may only go to Osaka, stays.
      expect(moves(r.json)).toEqual([
        'batch/etl-orders: region-tokyo-01 → region-finland-01',
        'batch/nightly-report: region-tokyo-01 → region-finland-01',
      ]);
      // Finland is too far from the ledger; Osaka, the one it could use, is unknown.
      const scoring = kept(r.json, 'risk/scoring') as unknown as {
        region: string;
        cleaner: { region: string; reason: string }[];
      };
      expect(scoring.region).toBe('region-tokyo-01');
      expect(scoring.cleaner.map((c) => [c.region, c.reason])).toEqual([
        ['region-finland-01', 'latency'],
        ['region-osaka-01', 'region-unknown'],
      ]);
      expect(r.stdout).not.toContain(osaka.fake.token);
      expect(r.stderr).not.toContain(osaka.fake.token);

      const text = await shisa(
        'plan',
        '--config',
        EXAMPLE_FLEET,
        '--kubeconfig',
        kubeconfig,
        '--at',
        AT,
        '--no-record',
      );
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(
        /^ {2}cluster: region-osaka-01 unknown, cluster gke-osaka-01 could not be read .*: nothing moves into or out of it$/m,
      );
    } finally {
      await osaka.fake.up();
    }
  }, 60_000);

  it('takes the last move from the journal (cooldown) and a copy mid-migration as in flight, not a duplicate', async () => {
    const first = await planFromClusters();
    expect(first.code, first.stderr).toBe(0);
    // As an executor would: etl-orders moved an hour before AT (cooldown 6h); nightly-report's
    // target was created in Finland, its source still runs in Tokyo.
    await advance(
      first.dataDir,
      'batch/etl-orders',
      [
        'planned',
        'creating',
        'target-created',
        'target-ready',
        'verifying',
        'removing-source',
        'source-removed',
        'done',
      ],
      new Date(Date.parse(AT) - 3_600_000),
    );
    await advance(first.dataDir, 'batch/nightly-report', ['planned', 'creating', 'target-created'], new Date(AT));
    const finland = example.cluster('region-finland-01');
    finland.fake.seed([seeded('region-tokyo-01', 'CronJob', 'batch/nightly-report')]);
    try {
      const again = await planFromClusters(first.dataDir);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toMatch(/duplicate/);
      expect(kept(again.json, 'batch/etl-orders')).toMatchObject({
        reason: 'cooldown',
        detail: 'moved at 2026-11-22T11:00:00.000Z, cooling down until 2026-11-22T17:00:00.000Z',
      });
      expect(kept(again.json, 'batch/nightly-report')).toMatchObject({
        region: 'region-tokyo-01',
        reason: 'held',
        detail: 'a journaled migration from region-tokyo-01 to region-finland-01 is under way',
      });
      expect(moves(again.json)).toEqual([
        'batch/image-resize: region-osaka-01 → region-finland-01',
        'risk/scoring: region-tokyo-01 → region-osaka-01',
      ]);

      // Without the journal the two copies are a duplicate: said, and neither moves.
      const blind = await planFromClusters(undefined, '--no-record');
      expect(blind.code, blind.stderr).toBe(0);
      expect(blind.stderr).toMatch(/--no-record: the migration journal is not read/);
      expect(blind.stderr).toMatch(/warning\[cluster\/duplicate-workload\]/);
      expect(kept(blind.json, 'batch/nightly-report')).toMatchObject({
        reason: 'held',
        detail: 'also runs in region-tokyo-01 and no journaled migration explains it',
      });
    } finally {
      finland.fake.remove('CronJob', 'batch', 'nightly-report');
    }
  }, 90_000);

  it('a workload naming an intent nobody declared is invalid input: exit 2, located at its object, nothing planned', async () => {
    const tokyo = example.cluster('region-tokyo-01');
    const stray = seeded('region-tokyo-01', 'Deployment', 'batch/etl-orders');
    (stray.metadata as Record<string, unknown>).name = 'etl-typo';
    (stray.metadata as { labels: Record<string, string> }).labels['shisa.io/intent'] = 'nightly-btach';
    tokyo.fake.seed([stray]);
    try {
      const r = await planFromClusters();
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /error\[inventory\/unknown-intent\]: workload "batch\/etl-typo" names unknown intent "nightly-btach"/,
      );
      expect(r.stderr).toMatch(/^cluster gke-tokyo-01: namespace batch, Deployment etl-typo: error/m);
      expect(r.stderr).toMatch(/did you mean "nightly-batch"\?/);
      expect(r.stderr).toMatch(/nothing was done$/m);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    } finally {
      tokyo.fake.remove('Deployment', 'batch', 'etl-typo');
    }
  }, 60_000);
});
