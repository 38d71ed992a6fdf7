/**
 * `shisa serve` end to end: a schedule of a few seconds, three fake clusters, the fake
 * Electricity Maps server replaying the shipped 2022 traces, the fake Slack, and this test
 * playing the enforcers (POST /v1/verdicts from the target region's node). It shows runs on
 * schedule (a tick during a run skipped), migrations done with a Slack summary, a `violated`
 * verdict during the window rolling the move back with one exception message carrying the
 * evidence, `unknown` rolling back too, an exception that persists over runs told once and then
 * resolved, and a SIGTERM that stops cleanly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FEED_CHECK,
  MADRID,
  nodeOf,
  OSLO,
  SAO_PAULO,
  startServeWorld,
  WEB_CHECK,
  WORKER_CHECK,
  WRITE_TOKEN,
  READ_TOKEN,
  type ServeWorld,
} from './serve-world.js';
import { serveArgs, startServe, until, type LogLine, type RunningServe } from './serve-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'shisa-serve-e2e-'));
let world: ServeWorld;
let serve: RunningServe;
let api = '';

const verdict = (key: string, workload: string, state: string, evidence?: Record<string, number>) => ({
  at: new Date().toISOString(),
  from: 'unknown',
  verdict: { key, workload, state, reason: `${state} (from the test)`, maxMs: 60, ...(evidence ? { evidence } : {}) },
});

async function report(node: string, changes: unknown[]): Promise<Response> {
  return fetch(`${api}/v1/verdicts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${WRITE_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ node, changes }),
  });
}

const get = async (path: string) => {
  const res = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** The messages the hooks took, by idempotency key, in the order they came. */
const delivered = () =>
  world.slack.requests
    .filter((r) => r.status === 200)
    .map((r) => ({ key: String(r.headers['x-shisa-idempotency-key']), text: JSON.stringify(r.payload) }));

const step = (workload: string, state: string) => (l: LogLine) =>
  l.event === 'migration.step' && l.workload === workload && l.state === state;

/** Acts as the enforcers of Oslo the moment a copy there starts its verification window. */
function playEnforcers(l: LogLine): void {
  if (step('api/web', 'verifying')(l))
    void report(nodeOf(OSLO), [verdict(WEB_CHECK, 'api/web', 'violated', { samples: 120, p99Ms: 88, p50Ms: 41 })]);
  if (step('api/worker', 'verifying')(l)) void report(nodeOf(OSLO), [verdict(WORKER_CHECK, 'api/worker', 'unknown')]);
  if (step('api/feed', 'verifying')(l)) void report(nodeOf(OSLO), [verdict(FEED_CHECK, 'api/feed', 'holds')]);
}

beforeAll(async () => {
  world = await startServeWorld(dir, { verifyWindow: '5s' });
  serve = startServe(dir, serveArgs(world, '--shutdown-timeout', '20'), world.env, playEnforcers);
  const listening = await serve.waitFor((l) => l.event === 'api.listening', 30_000, 'the API listening');
  api = String(listening.url);
}, 60_000);

afterAll(async () => {
  if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
  await world?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('shisa serve', () => {
  it('runs on schedule, migrates, gates on the enforcers, and tells Slack', async () => {
    // Run 1 is a cron tick; while its moves are in their window, a tick is skipped and a trigger refused.
    const first = await serve.waitFor((l) => l.event === 'run.started' && l.trigger === 'cron', 30_000, 'a run');
    expect(first.msg).toMatch(/cron/);
    await serve.waitFor(step('api/web', 'verifying'), 60_000, 'api/web verifying');
    const busy = await fetch(`${api}/v1/runs`, { method: 'POST', headers: { authorization: `Bearer ${WRITE_TOKEN}` } });
    expect(busy.status).toBe(409);
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe('RUN_IN_PROGRESS');
    await serve.waitFor((l) => l.event === 'tick.skipped', 30_000, 'a skipped tick');

    // violated → rolled back as the verdict arrives, with the evidence; unknown → rolled back at the end.
    const web = await serve.waitFor((l) => l.event === 'migration.end' && l.workload === 'api/web', 60_000, 'web');
    expect(web.end).toBe('rolled-back');
    expect(String(web.reason)).toMatch(/violated/);
    const worker = await serve.waitFor((l) => l.event === 'migration.end' && l.workload === 'api/worker', 60_000, 'w');
    expect(worker.end).toBe('rolled-back');
    expect(String(worker.reason)).toMatch(/unknown/);
    const finished = await serve.waitFor(
      (l) => l.event === 'run.finished' && l.kind === 'ran' && l.moves === 6,
      60_000,
      'run 1',
    );
    expect(finished.ends).toMatchObject({ done: 4, 'rolled-back': 2 });

    const batch = world.placement();
    for (const name of ['batch/job-001', 'batch/job-002', 'batch/job-003'])
      expect(batch.get(name)).toEqual([{ region: OSLO, ready: 1 }]);
    expect(batch.get('api/web')).toEqual([{ region: MADRID, ready: 1 }]);
    expect(batch.get('api/feed')).toEqual([{ region: OSLO, ready: 1 }]);
    expect(batch.get('api/db')).toEqual([{ region: MADRID, ready: 1 }]);

    // Slack: one message per rollback (the violated one with samples, p99 and bound), one summary.
    const runId = Number(finished.runId);
    const told = await until('the summary in Slack', () => {
      const d = delivered();
      return (
        d.some((m) => m.key === `run-${runId}/summary/sre`) && d.filter((m) => /raised/.test(m.key)).length >= 2 && d
      );
    });
    const rollbacks = told.filter((m) => /raised/.test(m.key) && m.text.includes('Rolled back'));
    expect(rollbacks).toHaveLength(2);
    const webMessage = rollbacks.find((m) => m.text.includes('api/web'))!;
    expect(webMessage.text).toContain('88 ms');
    expect(webMessage.text).toContain('120');
    expect(webMessage.text).toContain('60 ms');
    const summary = told.find((m) => m.key === `run-${runId}/summary/sre`)!;
    expect(summary.text).toContain('batch/job-001');
    expect(summary.text).toContain('api/web');

    // The API: the run as recorded, the node as the clusters said, a preview that records nothing.
    const run = await get(`/v1/runs/${runId}`);
    expect(run.status).toBe(200);
    expect((run.body.run as { trigger: string }).trigger).toBe('cron');
    expect(await get(`/v1/nodes/${nodeOf(OSLO)}`)).toMatchObject({ status: 200, body: { region: OSLO } });
    const before = ((await get('/v1/runs?limit=500')).body.runs as unknown[]).length;
    const plan = await get('/v1/plan');
    expect(plan.status).toBe(200);
    expect(plan.body.recorded).toBe(false);
    // The refused verdict of a node in no region changes nothing.
    expect((await report('node-of-nowhere', [verdict(WEB_CHECK, 'api/web', 'holds')])).status).toBe(422);
    const after = ((await get('/v1/runs?limit=500')).body.runs as unknown[]).length;
    expect(after - before).toBeLessThanOrEqual(2); // scheduled runs may have come meanwhile, the preview is not one
  }, 180_000);

  it('tells an exception that persists over runs once, then that it resolved', async () => {
    await world.clusters.get(SAO_PAULO)!.down();
    const runsAfter = (n: number) => serve.lines.filter((l) => l.event === 'run.finished').length >= n;
    const base = serve.lines.filter((l) => l.event === 'run.finished').length;
    await until('three runs with São Paulo down', () => runsAfter(base + 3), 90_000);
    await world.clusters.get(SAO_PAULO)!.up();
    const told = await until(
      'the resolved message',
      () => {
        const d = delivered();
        return d.some((m) => /resolved/.test(m.key)) && d;
      },
      90_000,
    );
    const unreachable = told.filter((m) => m.text.includes(SAO_PAULO));
    expect(unreachable.filter((m) => /raised/.test(m.key))).toHaveLength(1);
    expect(unreachable.filter((m) => /resolved/.test(m.key))).toHaveLength(1);
    // Every message once: no key twice.
    const keys = delivered().map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
  }, 240_000);

  it('answers drift as on_drift says: alert for a workload that stayed, undo the move for one that moved', async () => {
    // api/web stayed in Madrid (its move was rolled back) and has no on_drift: alert.
    expect(
      (await report(nodeOf(MADRID), [verdict(WEB_CHECK, 'api/web', 'violated', { samples: 50, p99Ms: 75 })])).status,
    ).toBe(202);
    await serve.waitFor((l) => l.event === 'drift.raised' && l.workload === 'api/web', 30_000, 'the web drift');
    await report(nodeOf(MADRID), [verdict(WEB_CHECK, 'api/web', 'holds')]);
    await serve.waitFor((l) => l.event === 'drift.cleared' && l.workload === 'api/web', 30_000, 'the web drift over');

    // api/feed moved to Oslo in the last cooldown; on_drift(auto-remediate): the move is undone.
    await report(nodeOf(OSLO), [verdict(FEED_CHECK, 'api/feed', 'violated', { samples: 80, p99Ms: 95 })]);
    const undone = await serve.waitFor((l) => l.event === 'drift.raised' && l.workload === 'api/feed', 90_000, 'feed');
    expect(undone.msg).toMatch(/moved back to region-madrid-01/);
    expect(world.placement().get('api/feed')).toEqual([{ region: MADRID, ready: 1 }]);
    // It no longer runs where it drifted: the drift is over.
    const over = await serve.waitFor(
      (l) => l.event === 'drift.cleared' && l.workload === 'api/feed',
      30_000,
      'feed over',
    );
    expect(over.msg).toMatch(/moved out of region-oslo-01/);

    const drifts = await until('the drift messages', () => {
      const d = delivered().filter((m) => m.text.includes('Drift'));
      return d.length >= 4 && d;
    });
    const feed = drifts.find((m) => /raised/.test(m.key) && m.text.includes('api/feed'))!;
    expect(feed.text).toContain('auto-remediate');
    expect(feed.text).toContain('moved back to region-madrid-01');
    const web = drifts.find((m) => /raised/.test(m.key) && m.text.includes('api/web'))!;
    expect(web.text).toContain('alert');
    expect(drifts.filter((m) => /resolved/.test(m.key))).toHaveLength(2);
  }, 180_000);

  it('stops on SIGTERM within the bound, exit 0', async () => {
    const started = Date.now();
    serve.child.kill('SIGTERM');
    const exit = await serve.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(serve.lines.some((l) => l.event === 'stopped')).toBe(true);
    // No secret in the log: neither token nor the webhook URL.
    const log = JSON.stringify(serve.lines) + serve.other.join('');
    for (const secret of Object.values(world.env)) expect(log).not.toContain(secret);
  }, 60_000);
});
