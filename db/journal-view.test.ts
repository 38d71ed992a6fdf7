/**
 * readJournal on the real embedded store (PGlite in memory): migrations journaled by a real
 * recordRun and driven by advanceMigration, then read back as the run sees them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJournal } from './journal-view.js';
import { advanceMigration, type MigrationState } from './migration-journal.js';
import { recordRun, type RunRecord } from './record-run.js';
import { openStore, type Store } from './store.js';

const AT = new Date('2026-11-22T12:00:00Z');

function proven(moves: readonly { workload: string; from: string; to: string }[]): RunRecord {
  return {
    trigger: 'manual',
    startedAt: AT,
    finishedAt: AT,
    fleet: 'fleet.yaml',
    carbonSource: 'static',
    carbon: { fresh: 2, zones: 2, notFresh: [] },
    emissionsBefore: 10,
    emissionsAfter: 5,
    lowerBound: 5,
    gap: 0,
    verdict: 'proven',
    status: 'planned',
    timings: {},
    moves: moves.map((m) => ({ ...m, savingGPerH: 1 })),
    order: [moves],
    inputs: { files: [], carbon: '0'.repeat(64) },
    audited: new Map(),
    kept: [],
    readings: [],
    exceptions: [],
  };
}

/** Drives a migration along the happy path (or into a rollback) up to `until`. */
async function drive(store: Store, id: number, path: readonly MigrationState[], at: Date): Promise<void> {
  for (let i = 1; i < path.length; i++) {
    const r = await advanceMigration(store, id, { from: path[i - 1]!, to: path[i]! }, at);
    expect(r.ok).toBe(true);
  }
}

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

let store: Store;
beforeAll(async () => {
  store = await openStore({ kind: 'pglite' });
}, 120_000);
afterAll(async () => {
  await store?.close();
});

describe('readJournal', () => {
  it('is empty on a fresh store', async () => {
    const view = await readJournal(store);
    expect(view.underWay).toEqual([]);
    expect(view.lastMovedAt.size).toBe(0);
  });

  it('lists what is under way, gives the latest done or rolled-back time per workload, ignores planned ones', async () => {
    const runId = await recordRun(
      store,
      proven([
        { workload: 'ml/a', from: 'r1', to: 'r2' },
        { workload: 'ml/b', from: 'r1', to: 'r2' },
        { workload: 'ml/c', from: 'r2', to: 'r1' },
        { workload: 'ml/d', from: 'r2', to: 'r1' },
        { workload: 'ml/e', from: 'r1', to: 'r2' },
      ]),
    );
    const ids = (
      await store.query<{ id: string; workload: string }>(
        'select id::text, workload from migrations where run_id = $1 order by workload',
        [runId],
      )
    ).map((r) => Number(r.id));
    const [a, b, c, d] = ids as [number, number, number, number];
    await drive(store, a, HAPPY, new Date('2026-11-22T13:00:00Z'));
    await drive(store, b, HAPPY.slice(0, 4), AT); // target-ready: under way
    await drive(store, c, ['planned', 'creating', 'target-created', 'rolling-back'], AT); // a rollback is under way
    await drive(store, d, ['planned', 'creating', 'target-created', 'rolling-back', 'rolled-back'], AT); // over
    // ml/e stays planned: nothing created yet.

    // ml/a moved again later, and back: the later done is its last move.
    const again = await recordRun(store, proven([{ workload: 'ml/a', from: 'r2', to: 'r1' }]));
    const [{ id: againId }] = (await store.query<{ id: string }>('select id::text from migrations where run_id = $1', [
      again,
    ])) as [{ id: string }];
    await drive(store, Number(againId), HAPPY, new Date('2026-11-23T09:30:00Z'));

    const view = await readJournal(store);
    expect(view.underWay).toEqual([
      { id: b, workload: 'ml/b', from: 'r1', to: 'r2', state: 'target-ready' },
      { id: c, workload: 'ml/c', from: 'r2', to: 'r1', state: 'rolling-back' },
    ]);
    // A rolled-back move (ml/d) starts the cooldown too.
    expect([...view.lastMovedAt].sort()).toEqual([
      ['ml/a', Date.parse('2026-11-23T09:30:00Z')],
      ['ml/d', AT.getTime()],
    ]);
  });

  it('a store that is gone is a StoreError with a stable code, not a driver stack', async () => {
    const gone = await openStore({ kind: 'pglite' });
    await gone.close();
    await expect(readJournal(gone)).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_READ_FAILED' });
  });
});
