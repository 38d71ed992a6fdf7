/**
 * What is told, and when, on the real embedded store (PGlite): a run's exceptions written
 * with their outbox messages in the run's transaction, an exception that persists told once
 * and its end told once, a rollback told in the transaction that journals it, and each
 * applied run summarised once, from the journal — also after a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exceptions, outbox } from '../../db/schema.js';
import { verifyAudit } from '../../db/audit-log.js';
import { advanceMigration, runMigrations, type MigrationState } from '../../db/migration-journal.js';
import { recordRun, type RunRecord } from '../../db/record-run.js';
import { openStore, type Store } from '../../db/store.js';
import type { NotifyChannel } from '../../regions/fleet/model.js';
import { tellExceptionsIn, type Audience } from '../../scheduler/notify/notices.js';
import { summariseAppliedRuns } from '../../scheduler/notify/run-summary.js';

const AT = new Date('2026-12-03T12:00:00Z');
const span = { file: 'fleet.yaml', line: 1, col: 1, start: 0, end: 1 };
const channel = (name: string, events: NotifyChannel['events']): NotifyChannel => ({
  name,
  webhookEnv: `HOOK_${name.toUpperCase()}`,
  events,
  span,
});
const AUDIENCE: Audience = {
  channels: new Map([
    ['ops', channel('ops', ['migrations', 'exceptions'])],
    ['news', channel('news', ['migrations'])],
    ['payments', channel('payments', ['exceptions'])],
  ]),
  intentChannelsOf: (row) => (row.concerns.startsWith('payments/') ? ['payments'] : []),
};
const JUDGED = ['unprovable', 'stale-feed', 'unreachable-cluster'];

function run(
  exceptionsSeen: RunRecord['exceptions'],
  moves: readonly { workload: string; from: string; to: string }[] = [],
): RunRecord {
  return {
    trigger: 'cron',
    startedAt: AT,
    finishedAt: AT,
    fleet: 'fleet.yaml',
    carbonSource: 'static',
    carbon: { fresh: 2, zones: 2, notFresh: [] },
    emissionsBefore: 10,
    emissionsAfter: 4,
    lowerBound: 4,
    gap: 0,
    verdict: 'proven',
    status: 'planned',
    timings: {},
    moves: moves.map((m) => ({ ...m, savingGPerH: 3 })),
    order: moves.length ? [moves] : [],
    inputs: { files: [], carbon: '0'.repeat(64) },
    audited: new Map(),
    kept: [],
    readings: [],
    exceptions: exceptionsSeen,
  };
}

const STALE = { kind: 'stale-feed' as const, concerns: 'JP-TK', detail: { zone: 'JP-TK', status: 'stale' } };
const UNREACHABLE = {
  kind: 'unreachable-cluster' as const,
  concerns: 'region-osaka-01',
  detail: { region: 'region-osaka-01', cluster: 'gke-osaka-01', reason: 'connect ECONNREFUSED' },
};

let store: Store;
beforeAll(async () => {
  store = await openStore({ kind: 'pglite' });
}, 120_000);
afterAll(async () => store?.close());

const record = (r: RunRecord, at = AT) =>
  recordRun(store, r, { after: (tx, w) => tellExceptionsIn(tx, AUDIENCE, w.exceptions, JUDGED, w.finishedAt ?? at) });
const keys = async () => (await store.db.select().from(outbox).orderBy(outbox.id)).map((m) => m.idempotencyKey);

describe('exceptions told with the run that found them', () => {
  it('tells an exception once while it persists, and its end once', async () => {
    const first = await record(run([STALE, UNREACHABLE]));
    const [stale, unreachable] = (await store.db.select().from(exceptions).orderBy(exceptions.id)).map((e) => e.id);
    expect(await keys()).toEqual([
      `exception-${stale}/raised/ops`,
      `exception-${stale}/raised/payments`,
      `exception-${unreachable}/raised/ops`,
      `exception-${unreachable}/raised/payments`,
    ]);
    const told = await store.db.select().from(outbox).orderBy(outbox.id);
    expect(JSON.stringify(told[0]!.payload)).toContain('Stale carbon feed: JP-TK');

    await record(run([STALE, UNREACHABLE]));
    await record(run([UNREACHABLE]));
    const rows = await store.db.select().from(exceptions).orderBy(exceptions.id);
    expect(rows.map((r) => [r.kind, r.episodeOf, r.resolvedAt !== null])).toEqual([
      ['stale-feed', null, true],
      ['unreachable-cluster', null, false],
      ['stale-feed', stale, false],
      ['unreachable-cluster', unreachable, false],
      ['unreachable-cluster', unreachable, false],
    ]);
    expect((await keys()).slice(4)).toEqual([
      `exception-${stale}/resolved/ops`,
      `exception-${stale}/resolved/payments`,
    ]);
    expect(first).toBeGreaterThan(0);

    // Raised again after it cleared: a new episode, told again.
    await record(run([STALE]));
    const again = (await store.db.select().from(exceptions).orderBy(exceptions.id)).at(-1)!;
    expect(again.episodeOf).toBeNull();
    expect((await keys()).slice(6)).toEqual([
      `exception-${again.id}/raised/ops`,
      `exception-${again.id}/raised/payments`,
      `exception-${unreachable}/resolved/ops`,
      `exception-${unreachable}/resolved/payments`,
    ]);
  });

  it('tells nothing when the run is not written (the messages roll back with it)', async () => {
    const before = await keys();
    await expect(
      recordRun(store, run([{ ...STALE, concerns: 'KR' }]), {
        after: async (tx, w) => {
          await tellExceptionsIn(tx, AUDIENCE, w.exceptions, JUDGED, AT);
          throw new Error('the disk filled');
        },
      }),
    ).rejects.toThrow();
    expect(await keys()).toEqual(before);
  });
});

const HAPPY: MigrationState[] = [
  'planned',
  'creating',
  'target-created',
  'target-ready',
  'verifying',
  'removing-source',
  'source-removed',
  'done',
];
const BACK: MigrationState[] = ['planned', 'creating', 'target-created', 'target-ready', 'verifying', 'rolling-back'];

describe('migrations told', () => {
  it('tells a rollback with its evidence in the transaction that journals it, to the intent owners', async () => {
    const runId = await record(
      run(
        [],
        [
          { workload: 'batch/etl', from: 'region-osaka-01', to: 'region-finland-01' },
          { workload: 'payments/report', from: 'region-tokyo-01', to: 'region-osaka-01' },
        ],
      ),
    );
    const [etl, report] = await runMigrations(store, runId);
    for (let i = 1; i < HAPPY.length; i++)
      expect((await advanceMigration(store, etl!.id, { from: HAPPY[i - 1]!, to: HAPPY[i]! }, AT)).ok).toBe(true);
    const reason = 'verification fail: p99 over';
    for (let i = 1; i < BACK.length; i++) {
      const step = { from: BACK[i - 1]!, to: BACK[i]!, ...(BACK[i] === 'rolling-back' ? { reason } : {}) };
      expect((await advanceMigration(store, report!.id, step, AT)).ok).toBe(true);
    }
    expect(await summariseAppliedRuns(store, AUDIENCE, 'tokyo-fintech', () => AT.getTime())).toEqual([]);
    const evidence = { check: 'payments/report>ledger@p#0', node: 'osaka-1', samples: 120, p99Ms: 84, boundMs: 50 };
    const back = await advanceMigration(
      store,
      report!.id,
      {
        from: 'rolling-back',
        to: 'rolled-back',
        exception: { kind: 'rollback', detail: { reason, deleted: [], evidence } },
      },
      AT,
      (tx, row) => tellExceptionsIn(tx, AUDIENCE, [row], [], AT),
    );
    expect(back.ok).toBe(true);
    const rollback = (await store.db.select().from(exceptions).orderBy(exceptions.id)).at(-1)!;
    const told = (await store.db.select().from(outbox).orderBy(outbox.id)).at(-1)!;
    expect(told.idempotencyKey).toBe(`exception-${rollback.id}/raised/payments`);
    const text = JSON.stringify(told.payload);
    for (const fact of ['Move rolled back', '*Samples*\\n120', '*p99*\\n84 ms', '*Bound*\\n50 ms'])
      expect(text).toContain(fact);

    // Every migration of the run finished: one summary per channel that hears of migrations, once.
    expect(await summariseAppliedRuns(store, AUDIENCE, 'tokyo-fintech', () => AT.getTime())).toEqual([runId]);
    expect(await summariseAppliedRuns(store, AUDIENCE, 'tokyo-fintech', () => AT.getTime())).toEqual([]);
    const summaries = (await store.db.select().from(outbox).orderBy(outbox.id)).slice(-2);
    expect(summaries.map((s) => s.idempotencyKey)).toEqual([`run-${runId}/summary/news`, `run-${runId}/summary/ops`]);
    const summary = JSON.stringify(summaries[0]!.payload);
    expect(summary).toContain('moved 1 workload');
    expect(summary).toContain('10.0 gCO2eq/h → 7.0 gCO2eq/h');
    expect(summary).toContain('payments/report: region-tokyo-01 → region-osaka-01 — verification fail: p99 over');
    const audit = await verifyAudit(store);
    expect(audit.broken).toBeUndefined();
    expect(audit.entries).toBeGreaterThan(10);
  });
});
