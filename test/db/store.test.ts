/**
 * The store on both drivers it runs on: embedded PGlite and a real PostgreSQL server started
 * by the test (see postgres-server.ts). The same code, queries and migrations serve both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAudit } from '../../db/audit-log.js';
import { getRun, listRuns } from '../../db/history.js';
import { advanceMigration } from '../../db/migration-journal.js';
import { recordRun, type RunRecord } from '../../db/record-run.js';
import { openStore, type Store, type StoreTarget } from '../../db/store.js';
import { StoreError } from '../../db/store-error.js';
import { Secret } from '../../scheduler/config/secret.js';
import { postgresForFile } from './postgres-for-file.js';
import { movesInOneBatch } from './run-fixture.js';
import { readFileSync } from 'node:fs';

const postgres = postgresForFile();
const usePostgres = postgres.available;

const drivers: { name: string; target: () => StoreTarget; skip: boolean }[] = [
  { name: 'PGlite (embedded)', target: () => ({ kind: 'pglite' }), skip: false },
  {
    name: 'PostgreSQL server',
    target: () => ({ kind: 'postgres', url: new Secret(postgres.url(), 'DATABASE_URL') }),
    skip: !usePostgres,
  },
];

describe.each(drivers)('the store on $name', ({ name, target, skip }) => {
  let store: Store;
  beforeAll(async () => {
    if (skip) return;
    store = await openStore(target());
    await store.query('truncate audit_log, audit_head');
  }, 60_000);
  afterAll(async () => {
    if (!skip) await store.close();
  });

  it.skipIf(skip)('applies the migrations once: every table exists, and opening again changes nothing', async () => {
    const tables = await store.query<{ tablename: string }>(
      `select tablename from pg_tables where schemaname = 'public' order by tablename`,
    );
    expect(tables.map((t) => t.tablename)).toEqual([
      'audit_head',
      'audit_log',
      'carbon_readings',
      'decisions',
      'exceptions',
      'migrations',
      'outbox',
      'runs',
      'schedule_ticks',
    ]);
    const again = await openStore(target());
    const applied = await again.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
    // Every migration in db/migrations, each applied once.
    const journal = JSON.parse(readFileSync('db/migrations/meta/_journal.json', 'utf8')) as { entries: unknown[] };
    expect(applied[0]?.n).toBe(journal.entries.length);
    await again.close();
    expect(store.driver).toBe(name.startsWith('PGlite') ? 'pglite' : 'postgres');
  });

  it.skipIf(skip)('records a run with its decisions in one transaction, and nothing of a run that fails', async () => {
    const at = new Date(Date.UTC(2026, 10, 22, 12));
    const run = (trigger: string): RunRecord => ({
      trigger: trigger as RunRecord['trigger'],
      startedAt: at,
      finishedAt: at,
      fleet: 'fleet.yaml',
      carbonSource: 'static',
      carbon: { fresh: 2, zones: 2, notFresh: [] },
      emissionsBefore: 10,
      emissionsAfter: 8,
      lowerBound: 7.9,
      gap: 0.0125,
      verdict: 'proven',
      status: 'planned',
      timings: { plan_ms: 3 },
      ...movesInOneBatch([{ workload: 'a/x', from: 'r1', to: 'r2', savingGPerH: 2 }]),
      kept: Array.from({ length: 2_500 }, (_, i) => ({
        workload: `a/k${i}`,
        region: 'r1',
        reason: i % 2 ? 'budget' : 'latency',
        detail: `why ${i}`,
      })),
      readings: [{ zone: 'JP-TK', datetime: at, intensity: 539, estimated: true, source: 'static' }],
      exceptions: [{ kind: 'stale-feed', concerns: 'NP', detail: { status: 'stale' } }],
    });
    const id = await recordRun(store, run('manual'));
    const found = await getRun(store, id);
    expect(found?.run).toMatchObject({ id, trigger: 'manual', verdict: 'proven', emissionsAfter: 8 });
    expect(found?.decisions).toHaveLength(2_501);
    expect(found?.decisions[0]).toMatchObject({
      kind: 'move',
      workload: 'a/x',
      fromRegion: 'r1',
      toRegion: 'r2',
      savingGPerH: 2,
      reason: null,
      detail: null,
    });
    expect(found?.decisions[2_500]).toMatchObject({
      kind: 'kept',
      workload: 'a/k2499',
      fromRegion: 'r1',
      toRegion: null,
      savingGPerH: null,
      reason: 'budget',
      detail: 'why 2499',
    });
    const before = await store.query<{ runs: number; audit: number }>(
      'select (select count(*)::int from runs) as runs, (select count(*)::int from audit_log) as audit',
    );
    // A trigger the schema does not allow fails the insert: nothing of that run is written.
    await expect(recordRun(store, run('telepathy'))).rejects.toThrow();
    const after = await store.query<{ runs: number; audit: number }>(
      'select (select count(*)::int from runs) as runs, (select count(*)::int from audit_log) as audit',
    );
    expect(after).toEqual(before);
    expect((await listRuns(store))[0]?.id).toBe(id);
    expect(await verifyAudit(store)).toMatchObject({ entries: before[0]!.audit });
    // The decisions' foreign key still holds after a run is recorded (the embedded driver
    // skips its per-row check only for the run's own decisions, inside that transaction).
    const orphan = `insert into decisions (run_id, kind, workload, from_region) values (${id + 1000}, 'kept', 'a/z', 'r1')`;
    await expect(store.query(orphan)).rejects.toThrow(/foreign key/);
    expect(await store.query('show session_replication_role')).toEqual([{ session_replication_role: 'origin' }]);
    const [migrated] = await store.query<{ n: number }>(
      `select count(*)::int as n from migrations where run_id = ${id}`,
    );
    expect(migrated?.n).toBe(1);
    await store.query(`delete from runs where id = ${id}`);
    expect(await store.query(`select id from decisions where run_id = ${id}`)).toEqual([]);
    await store.query('truncate runs cascade');
    await store.query('truncate audit_log, audit_head');
  });

  it.skipIf(skip)(
    "journals a proven plan's moves as planned migrations and drives each through its state machine, every step timestamped",
    async () => {
      const at = (m: number) => new Date(Date.UTC(2026, 10, 22, 12, m));
      const id = await recordRun(store, {
        trigger: 'cron',
        startedAt: at(0),
        finishedAt: at(0),
        fleet: 'f.yaml',
        carbonSource: 'static',
        carbon: { fresh: 1, zones: 1, notFresh: [] },
        emissionsBefore: 2,
        emissionsAfter: 1,
        lowerBound: 1,
        gap: 0,
        verdict: 'proven',
        status: 'planned',
        timings: {},
        ...movesInOneBatch([{ workload: 'a/x', from: 'r1', to: 'r2', savingGPerH: 1 }]),
        kept: [],
        readings: [],
        exceptions: [],
      });
      const [m] = await store.query<{ id: string; state: string }>(
        'select id, state from migrations where run_id = $1',
        [id],
      );
      expect(m?.state).toBe('planned');
      const mid = Number(m!.id);
      const path = [
        'planned',
        'creating',
        'target-created',
        'target-ready',
        'verifying',
        'removing-source',
        'source-removed',
        'done',
      ] as const;
      for (let k = 1; k < path.length; k++) {
        const step = await advanceMigration(store, mid, { from: path[k - 1]!, to: path[k]! }, at(k));
        expect(step.ok && step.row.state).toBe(path[k]);
      }
      // A second executor that still saw it verifying lost the race: a value, nothing written.
      const late = await advanceMigration(store, mid, { from: 'verifying', to: 'removing-source' }, at(8));
      expect(late).toMatchObject({ ok: false, reason: 'lost', state: 'done' });
      const [done] = await store.query<{ state: string; transitions: { state: string; at: string }[] }>(
        'select state, transitions from migrations where id = $1',
        [mid],
      );
      expect(done?.state).toBe('done');
      expect(done?.transitions.map((t) => t.state)).toEqual([...path]);
      expect(done?.transitions.map((t) => t.at)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((k) => at(k).toISOString()));
      const err = await advanceMigration(store, mid, { from: 'done', to: 'rolling-back' }, at(9)).catch(
        (e: unknown) => e,
      );
      expect((err as StoreError).code).toBe('MIGRATION_TRANSITION');
      expect((err as StoreError).message).toMatch(
        /cannot go from done to rolling-back \(allowed: none, it is finished\)/,
      );
      expect(
        (
          (await advanceMigration(store, 999_999, { from: 'source-removed', to: 'done' }, at(9)).catch(
            (e: unknown) => e,
          )) as StoreError
        ).code,
      ).toBe('MIGRATION_UNKNOWN');
      await store.query('truncate runs cascade');
      await store.query('truncate audit_log, audit_head');
    },
  );

  it.skipIf(skip)('keeps the audit chain whole, and finds a deleted entry', async () => {
    for (let k = 0; k < 4; k++)
      await appendAudit(store, new Date(Date.UTC(2026, 10, 22, 12, k)), {
        actor: 'test',
        action: 'a',
        subject: `s${k}`,
        payload: { k },
      });
    expect(await verifyAudit(store)).toEqual({ entries: 4 });
    await store.query('delete from audit_log where seq = 2');
    expect((await verifyAudit(store)).broken?.seq).toBe(3);
    await store.query('truncate audit_log, audit_head');
  });
});

describe.skipIf(!usePostgres)('two scheduler processes on one PostgreSQL', () => {
  it('append to one audit chain without gaps or forks, however their appends interleave', async () => {
    const url = new Secret(postgres.url(), 'DATABASE_URL');
    const [a, b] = await Promise.all([openStore({ kind: 'postgres', url }), openStore({ kind: 'postgres', url })]);
    try {
      await a.query('truncate audit_log, audit_head');
      const at = new Date(Date.UTC(2026, 10, 22, 12));
      await Promise.all(
        Array.from({ length: 40 }, (_, k) =>
          appendAudit(k % 2 ? a : b, at, { actor: k % 2 ? 'a' : 'b', action: 'x', subject: String(k), payload: {} }),
        ),
      );
      expect(await verifyAudit(a)).toEqual({ entries: 40 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('report an unreachable server as STORE_UNAVAILABLE without the password', async () => {
    const url = new Secret('postgres://shisa:hunter2@127.0.0.1:1/postgres', 'DATABASE_URL');
    const err = await openStore({ kind: 'postgres', url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('STORE_UNAVAILABLE');
    expect((err as StoreError).message).toMatch(/DATABASE_URL/);
    expect((err as StoreError).message).not.toMatch(/hunter2/);
  });
});
