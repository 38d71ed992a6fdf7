/**
 * What the hash chain alone cannot see: rows an entry records, deleted, edited or added
 * behind shisa's back. Each `run.recorded` entry binds digests of its run, decisions,
 * exceptions and migrations, each `migration.advanced` the migration after the step; `audit
 * verify` recomputes them. On embedded PGlite and on a real PostgreSQL server.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../db/audit-log.js';
import { advanceMigration } from '../../db/migration-journal.js';
import { recordRun, type RunRecord } from '../../db/record-run.js';
import { openStore, type Store, type StoreTarget } from '../../db/store.js';
import { Secret } from '../../scheduler/config/secret.js';
import { postgresForFile } from './postgres-for-file.js';
import { movesInOneBatch } from './run-fixture.js';

const postgres = postgresForFile();
const at = (m: number) => new Date(Date.UTC(2026, 11, 2, 12, m));

function run(moves: number): RunRecord {
  return {
    trigger: 'manual',
    startedAt: at(0),
    finishedAt: at(0),
    fleet: 'f.yaml',
    carbonSource: 'static',
    carbon: { fresh: 1, zones: 2, notFresh: [{ zone: 'NP', status: 'stale' }] },
    emissionsBefore: 20,
    emissionsAfter: 10,
    lowerBound: 9.5,
    gap: 0.05,
    verdict: 'proven',
    status: 'planned',
    timings: { plan_ms: 4 },
    ...movesInOneBatch(
      Array.from({ length: moves }, (_, i) => ({
        workload: `batch/m${i}`,
        from: 'r1',
        to: 'r2',
        savingGPerH: 1 + i / 3,
      })),
    ),
    kept: Array.from({ length: 30 }, (_, i) => ({
      workload: `batch/k${i}`,
      region: 'r1',
      reason: i % 3 ? 'budget' : 'not-worth-it',
      detail: `why ${i}`,
    })),
    readings: [],
    exceptions: [{ kind: 'stale-feed', concerns: 'NP', detail: { zone: 'NP', status: 'stale' } }],
  };
}

const tampering: [string, string, RegExp][] = [
  [
    'a deleted decision',
    `delete from decisions where id = (select min(id) + 7 from decisions where run_id = $1)`,
    /^the decisions of run \d+ differ from what this entry recorded \(33 recorded, 32 now/,
  ],
  [
    'an edited decision',
    `update decisions set reason = 'critical' where id = (select max(id) from decisions where run_id = $1)`,
    /^the decisions of run \d+ differ/,
  ],
  [
    'an added decision',
    `insert into decisions (run_id, kind, workload, from_region) values ($1, 'kept', 'batch/ghost', 'r1')`,
    /33 recorded, 34 now/,
  ],
  [
    'a deleted run (and, by cascade, its decisions and migrations)',
    `delete from runs where id = $1`,
    /^run \d+, which this entry records, is missing from the store \(deleted\)$/,
  ],
  [
    'an edited run',
    `update runs set emissions_after_g_per_h = 1 where id = $1`,
    /^run \d+ differs from what this entry recorded \(edited\)$/,
  ],
  [
    'an edited migration',
    `update migrations set state = 'done' where run_id = $1 and id = (select min(id) from migrations where run_id = $1)`,
    /^migration \d+ of run \d+ differs from what this entry recorded \(edited; it is now done\)$/,
  ],
  [
    'a deleted migration',
    `delete from migrations where id = (select max(id) from migrations where run_id = $1)`,
    /^migration \d+, which this entry records, is missing from the store \(deleted\)$/,
  ],
  [
    'a deleted exception',
    `delete from exceptions where run_id = $1`,
    /^the exceptions of run \d+ differ from what this entry recorded \(1 recorded, 0 now\)$/,
  ],
];

describe.each([
  { name: 'PGlite (embedded)', target: (): StoreTarget => ({ kind: 'pglite' }), skip: false },
  {
    name: 'PostgreSQL server',
    target: (): StoreTarget => ({ kind: 'postgres', url: new Secret(postgres.url(), 'DATABASE_URL') }),
    skip: !postgres.available,
  },
])('audit verify on $name', ({ target, skip }) => {
  let store: Store;
  let first: number;
  beforeAll(async () => {
    if (!skip) store = await openStore(target());
  }, 60_000);
  afterAll(async () => {
    if (!skip) await store.close();
  });
  beforeEach(async () => {
    if (skip) return;
    await store.query('truncate runs, audit_log, audit_head cascade');
    first = await recordRun(store, run(3));
    await recordRun(store, run(0));
    const [m] = await store.query<{ id: string }>('select min(id) as id from migrations where run_id = $1', [first]);
    await advanceMigration(store, Number(m!.id), { from: 'planned', to: 'creating' }, at(1));
  });

  it.skipIf(skip)(
    'finds the chain and every row it records intact, after a migration advanced; a notification timestamp is not tampering',
    async () => {
      await store.query(`update exceptions set notified_at = now()`);
      expect(await verifyAudit(store)).toEqual({ entries: 3 });
    },
  );

  for (const [what, sql, problem] of tampering) {
    it.skipIf(skip)(`finds ${what}, at the entry that records it`, async () => {
      await store.query(sql, [first]);
      const r = await verifyAudit(store);
      expect(r.broken?.problem).toMatch(problem);
      // Migrations are bound by their latest entry: the one advanced is entry 3.
      expect(r.broken?.seq).toBe(what === 'an edited migration' ? 3 : 1);
    });
  }

  it.skipIf(skip)("finds a run written behind shisa's back (no entry records it)", async () => {
    await store.query(
      `insert into runs (trigger, started_at, fleet, carbon_source, carbon, verdict, status, timings) values ('manual', now(), 'f.yaml', 'static', '{}', 'proven', 'planned', '{}')`,
    );
    const r = await verifyAudit(store);
    expect(r.broken?.seq).toBeUndefined();
    expect(r.broken?.problem).toMatch(/^run \d+ is in the store but no audit entry records it/);
  });

  it.skipIf(skip)('lists every problem, ordered by entry', async () => {
    await store.query(tampering[4]![1], [first]);
    await store.query(tampering[7]![1], [first]);
    const r = await verifyAudit(store);
    expect(r.problems?.map((p) => p.seq)).toEqual([1, 1]);
    expect(r.problems).toHaveLength(2);
  });
});
