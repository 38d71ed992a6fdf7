/**
 * Gate (a): only a proven plan's moves are journaled as migrations — the rows an executor
 * (`shisa apply`, to come) will drive. An unprovable run is still recorded whole (its moves as
 * decisions, so history shows what was planned and why it was refused), but not one
 * migration. Real recordRun on the real embedded store (PGlite, in memory).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../db/audit-log.js';
import { recordRun, type RunRecord } from '../../db/record-run.js';
import { openStore, type Store } from '../../db/store.js';

const AT = new Date('2026-11-22T12:00:00Z');
const MOVES = [
  { workload: 'ml/train-001', from: 'region-tokyo-01', to: 'region-stockholm-01', savingGPerH: 37.5 },
  { workload: 'ml/train-002', from: 'region-tokyo-01', to: 'region-osaka-01', savingGPerH: 12.25 },
] as const;

function run(verdict: RunRecord['verdict'], moves: RunRecord['moves'] = MOVES): RunRecord {
  return {
    trigger: 'manual',
    startedAt: AT,
    finishedAt: AT,
    fleet: 'fleet.yaml',
    carbonSource: 'static',
    carbon: { fresh: 3, zones: 3, notFresh: [] },
    emissionsBefore: 100,
    emissionsAfter: 50.25,
    lowerBound: 50,
    gap: 0.005,
    verdict,
    status: verdict === 'proven' ? 'planned' : verdict === 'unprovable' ? 'unprovable' : 'failed',
    timings: { plan_ms: 1 },
    moves,
    // Proven one move per batch, in reverse: the journal must keep this order, not the plan's.
    order: verdict === 'proven' ? moves.map((m) => [m]).reverse() : [],
    inputs: { files: [{ file: 'fleet.yaml', sha256: 'a'.repeat(64) }], carbon: 'b'.repeat(64) },
    audited: new Map([['ml/train-002', ['ml-audited']]]),
    kept: [{ workload: 'ml/train-003', region: 'region-tokyo-01', reason: 'cooldown', detail: 'moved recently' }],
    readings: [],
    exceptions:
      verdict === 'unprovable'
        ? [{ kind: 'unprovable', concerns: 'all intents are jointly satisfiable', detail: { reason: 'unsat' } }]
        : [],
  };
}

// One store for the file (starting PGlite takes seconds on a busy 2-core machine); every
// assertion is about the runs its own test recorded.
let store: Store;
beforeAll(async () => {
  store = await openStore({ kind: 'pglite' });
}, 120_000);
afterAll(async () => {
  await store?.close();
});

const migrationRows = (...runIds: number[]) =>
  store.query<{
    run_id: string;
    workload: string;
    from_region: string;
    to_region: string;
    batch: number;
    position: number;
    state: string;
  }>(
    'select run_id::text, workload, from_region, to_region, batch, position, state from migrations where run_id = any($1::bigint[]) order by position',
    [runIds],
  );
/** The migrations the run's audit entry binds (id → row digest). */
const auditedMigrations = async (runId: number) =>
  (
    await store.query<{ m: Record<string, string> }>(
      "select payload->'rows'->'migrations' as m from audit_log where action = 'run.recorded' and subject = $1",
      [`run ${runId}`],
    )
  )[0]?.m;
const moveDecisions = (runId: number) =>
  store.query<{ n: number }>("select count(*)::int as n from decisions where run_id = $1 and kind = 'move'", [runId]);

describe('gate: an unproven plan is never journaled as migrations', () => {
  it('an unprovable run with moves journals no migration, though its moves are kept as decisions', async () => {
    const id = await recordRun(store, run('unprovable'));
    expect(await migrationRows(id)).toEqual([]);
    // The run itself is there, whole: the gate is about migrations, not about forgetting.
    expect(await moveDecisions(id)).toEqual([{ n: 2 }]);
    expect(await store.query('select verdict, status from runs where id = $1', [id])).toEqual([
      { verdict: 'unprovable', status: 'unprovable' },
    ]);
    // The audit entry, which binds every row the run wrote, binds no migration either.
    expect(await auditedMigrations(id)).toEqual({});
  });

  it('a run that was not proven at all (not-run) journals no migration either', async () => {
    const id = await recordRun(store, run('not-run'));
    expect(await migrationRows(id)).toEqual([]);
  });

  it('a proven run journals exactly its moves, each planned, under its run, in the proven order', async () => {
    const id = await recordRun(store, run('proven'));
    expect(await migrationRows(id)).toEqual([
      {
        run_id: String(id),
        workload: 'ml/train-002',
        from_region: 'region-tokyo-01',
        to_region: 'region-osaka-01',
        batch: 0,
        position: 0,
        state: 'planned',
      },
      {
        run_id: String(id),
        workload: 'ml/train-001',
        from_region: 'region-tokyo-01',
        to_region: 'region-stockholm-01',
        batch: 1,
        position: 1,
        state: 'planned',
      },
    ]);
    const ids = await store.query<{ id: string }>('select id::text from migrations where run_id = $1 order by id', [
      id,
    ]);
    expect(Object.keys((await auditedMigrations(id)) ?? {}).sort()).toEqual(ids.map((r) => r.id).sort());
  });

  it('after a proven and an unprovable run, only the proven run has migrations', async () => {
    const proven = await recordRun(store, run('proven', [MOVES[0]]));
    const unprovable = await recordRun(store, run('unprovable', [MOVES[1]]));
    const rows = await migrationRows(proven, unprovable);
    expect(rows.map((r) => [r.run_id, r.workload])).toEqual([[String(proven), 'ml/train-001']]);
  });
});

describe('what a recorded run keeps besides its decisions', () => {
  it('the digest of each input file and of the carbon signals', async () => {
    const id = await recordRun(store, run('proven'));
    expect(await store.query('select inputs from runs where id = $1', [id])).toEqual([
      { inputs: { files: [{ file: 'fleet.yaml', sha256: 'a'.repeat(64) }], carbon: 'b'.repeat(64) } },
    ]);
  });

  it('one audit entry per decision about a workload of an intent with compliance { audit: true }, chained after the run', async () => {
    const id = await recordRun(store, run('proven'));
    const entries = await store.query<{ seq: number; action: string; subject: string; payload: unknown }>(
      "select seq, action, subject, payload from audit_log where payload->>'run' = $1 or subject = $2 order by seq",
      [String(id), `run ${id}`],
    );
    expect(entries.map((e) => [e.action, e.subject])).toEqual([
      ['run.recorded', `run ${id}`],
      ['decision.audited', 'workload ml/train-002'],
    ]);
    expect(entries[1]!.seq).toBe(entries[0]!.seq + 1);
    expect(entries[1]!.payload).toEqual({
      run: id,
      intents: ['ml-audited'],
      verdict: 'proven',
      decision: 'move',
      from: 'region-tokyo-01',
      to: 'region-osaka-01',
      savingGPerH: 12.25,
    });
    const verdict = await verifyAudit(store);
    expect(verdict.broken).toBeUndefined();
    expect(verdict.problems ?? []).toEqual([]);
  });
});
