/**
 * Slack down, and shisa killed in between: the fake Slack refuses every delivery (500, 429
 * with Retry-After, connections reset) while `shisa serve` runs and writes its messages; the
 * service is killed with SIGKILL during the outage and started again on the same store; then
 * Slack comes back. Afterwards every message of the outbox has been delivered exactly once
 * per idempotency key, and each channel received its messages in the order they were written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { outbox } from '../../db/schema.js';
import { openStore } from '../../db/store.js';
import { startServeWorld, type ServeWorld } from './serve-world.js';
import { killAll, serveArgs, startServe, type RunningServe } from './serve-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'shisa-slack-outage-'));
let world: ServeWorld | undefined;
const children: RunningServe[] = [];
afterAll(async () => {
  killAll(children);
  await world?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a Slack outage with a kill -9 in between', () => {
  it('delivers every message exactly once per key, in order per channel', async () => {
    world = await startServeWorld(dir, { verifyWindow: '1s', schedule: '*/3 * * * * *' });
    const w = world;
    w.slack.outage([
      { kind: 'status', status: 500 },
      { kind: 'status', status: 429, retryAfterSeconds: 1 },
      { kind: 'reset' },
      { kind: 'status', status: 503 },
    ]);
    const first = startServe(dir, serveArgs(w), w.env);
    children.push(first);
    // The first run moves the batch work (a summary to both channels) and rolls back the API
    // workloads (no enforcer reports: two exceptions); Slack refuses their delivery.
    await first.waitFor((l) => l.event === 'run.finished' && Number(l.moves) > 0, 90_000, 'the first run');
    await first.waitFor((l) => l.event === 'outbox.retry', 30_000, 'a refused delivery');
    const refusedBeforeKill = w.slack.requests.length;
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const second = startServe(dir, serveArgs(w), w.env);
    children.push(second);
    await second.waitFor((l) => l.event === 'outbox.retry', 60_000, 'a refused delivery after the restart');
    w.slack.outage(undefined);
    await second.waitFor((l) => l.event === 'outbox.delivered', 60_000, 'a delivery once Slack is back');
    // Drain: stop once nothing is pending (the outbox worker keeps trying with backoff).
    const deadline = Date.now() + 90_000;
    let pending = Infinity;
    while (pending > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      pending = await pendingCount(second);
    }
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    const store = await openStore({ kind: 'pglite', dir: join(dir, '.shisa') });
    const rows = await store.db.select().from(outbox).orderBy(asc(outbox.id));
    await store.close();
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.filter((r) => r.deliveredAt === null)).toEqual([]);
    expect(w.slack.requests.length).toBeGreaterThan(refusedBeforeKill);
    // Refused attempts before the kill and after the restart: the outage really spanned it.
    const refused = w.slack.requests.filter((r) => r.status !== 200).length;
    expect(refused).toBeGreaterThanOrEqual(2);

    const accepted = w.slack.requests.filter((r) => r.status === 200);
    const keys = accepted.map((r) => String(r.headers['x-shisa-idempotency-key']));
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(rows.map((r) => r.idempotencyKey).sort());
    for (const channel of ['sre', 'ops']) {
      const written = rows.filter((r) => r.channel === channel).map((r) => r.idempotencyKey);
      const arrived = accepted
        .filter((r) => r.hook.includes(`/B${channel}/`))
        .map((r) => String(r.headers['x-shisa-idempotency-key']));
      expect(arrived, channel).toEqual(written);
    }
  }, 300_000);
});

/** Messages still to deliver, from the service's own /metrics. */
async function pendingCount(serve: RunningServe): Promise<number> {
  const listening = serve.lines.find((l) => l.event === 'api.listening');
  const res = await fetch(`${String(listening?.url)}/metrics`, {
    headers: { authorization: 'Bearer read-token-for-tests' },
  });
  const text = await res.text();
  return [...text.matchAll(/^shisa_outbox_pending\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}
