/**
 * Reloading `shisa serve`'s configuration: an invalid intent file (SIGHUP) is refused — the
 * service keeps running on the old configuration and one exception naming the file:line:col
 * is told in Slack; the file fixed (noticed by the file watch, no signal) is taken, and the
 * exception is told resolved. A new schedule takes effect without a restart.
 */
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { READ_TOKEN, startServeWorld, type ServeWorld } from './serve-world.js';
import { serveArgs, startServe, until, type RunningServe } from './serve-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'shisa-serve-reload-'));
let world: ServeWorld | undefined;
let serve: RunningServe | undefined;
afterAll(async () => {
  if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
  await world?.close();
  rmSync(dir, { recursive: true, force: true });
});

const told = (w: ServeWorld) =>
  w.slack.requests
    .filter((r) => r.status === 200)
    .map((r) => ({ key: String(r.headers['x-shisa-idempotency-key']), text: JSON.stringify(r.payload) }));

describe('reloading the configuration', () => {
  it('refuses an invalid one, keeps the old, says where; takes the fixed one and says it resolved', async () => {
    // Once a year: no scheduled run gets in the way; the first cycle only settles.
    world = await startServeWorld(dir, { schedule: '0 0 1 1 *' });
    const w = world;
    serve = startServe(dir, serveArgs(w), w.env);
    const s = serve;
    const listening = await s.waitFor((l) => l.event === 'api.listening', 30_000, 'the API');
    await s.waitFor((l) => l.event === 'run.finished', 60_000, 'the settling cycle');

    const intent = join(dir, 'intents', 'world.intent');
    const good = readFileSync(intent, 'utf8');
    writeFileSync(intent, good.replace('placement(flexible)', 'placement(flexibel)'));
    s.child.kill('SIGHUP');
    const rejected = await s.waitFor((l) => l.event === 'config.rejected', 30_000, 'the rejection');
    expect(rejected.level).toBe('error');
    const error = s.lines.find((l) => l.event === 'config.error')!;
    expect(error.msg).toMatch(/world\.intent:\d+:\d+/);
    const message = await until('the rejection in Slack', () => told(w).find((m) => /raised/.test(m.key)), 30_000);
    expect(message.text).toMatch(/Configuration rejected/);
    expect(message.text).toMatch(/world\.intent:\d+:\d+/);

    // Still serving, on the old configuration.
    const ready = await fetch(`${String(listening.url)}/readyz`);
    expect(ready.status).toBe(200);

    // Fixed, and a new schedule: the watch notices without a signal.
    writeFileSync(w.fleet, readFileSync(w.fleet, 'utf8').replace('"0 0 1 1 *"', '"*/5 * * * * *"'));
    writeFileSync(intent, good);
    await s.waitFor((l) => l.event === 'config.reloaded', 30_000, 'the reload');
    await s.waitFor((l) => l.event === 'schedule' && l.schedule === '*/5 * * * * *', 10_000, 'the new schedule');
    const resolved = await until('the resolution in Slack', () => told(w).find((m) => /resolved/.test(m.key)), 30_000);
    expect(resolved.text).toMatch(/world\.intent/);
    await s.waitFor((l) => l.event === 'run.started' && l.trigger === 'cron', 30_000, 'a run on the new schedule');

    // The run history says the configuration rejection is over.
    const res = await fetch(`${String(listening.url)}/v1/exceptions?kind=config-rejected`, {
      headers: { authorization: `Bearer ${READ_TOKEN}` },
    });
    // The signal and the watch may both have seen the bad file: a second refusal joins the episode, untold.
    const body = (await res.json()) as {
      exceptions: { id: number; resolvedAt: string | null; episodeOf: number | null }[];
    };
    const openers = body.exceptions.filter((e) => e.episodeOf === null);
    expect(openers).toHaveLength(1);
    expect(openers[0]!.resolvedAt).not.toBeNull();
    expect(body.exceptions.every((e) => e.episodeOf === null || e.episodeOf === openers[0]!.id)).toBe(true);
    expect(told(w).filter((m) => /^exception-/.test(m.key))).toHaveLength(2); // raised once, resolved once
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
  }, 180_000);
});
