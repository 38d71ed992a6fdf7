/**
 * The outbox (db/outbox.ts) and its worker (scheduler/notify/outbox-worker.ts) on the
 * embedded store, sending through the product's webhook client to the fake Slack over
 * loopback: written only with what it reports, each key once, delivered exactly once and in
 * order per channel through an outage, refusals given up on without holding the channel back,
 * and a claim that is a lease.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimDue, enqueueIn, outboxDepth, recordAttempt } from '../../db/outbox.js';
import { inTransaction, openStore, type Store } from '../../db/store.js';
import { Secret } from '../../scheduler/config/secret.js';
import { deliverDue, type DeliveryPorts } from '../../scheduler/notify/outbox-worker.js';
import { postWebhook } from '../../scheduler/notify/slack-webhook.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';

let slack: FakeSlack;
let store: Store;
let now: number;
const hooks = new Map<string, Secret>();
const policy = { leaseMs: 60_000, batch: 10, backoff: { baseMs: 1_000, maxMs: 60_000 } };

beforeAll(async () => {
  slack = await FakeSlack.start();
  for (const channel of ['ops', 'batch-team'])
    hooks.set(channel, new Secret(slack.addHook(channel), `SLACK_${channel.toUpperCase()}`));
});
afterAll(() => slack.close());

beforeEach(async () => {
  store = await openStore({ kind: 'pglite' });
  now = Date.parse('2026-12-03T10:00:00Z');
  slack.requests.length = 0;
});
afterEach(() => store.close());

const ports = (): DeliveryPorts => ({
  store,
  clock: { now: () => now },
  random: () => 0.5,
  webhook: (c) => hooks.get(c),
  post: (url, payload, key) => postWebhook(url, payload, key, { timeoutMs: 2_000 }),
});

const message = (channel: string, n: number) => ({
  key: `${channel}/${n}`,
  channel,
  payload: { text: `${channel} message ${n}` },
});

async function enqueue(...messages: ReturnType<typeof message>[]): Promise<void> {
  await inTransaction(store, (tx) => enqueueIn(tx, messages, new Date(now)));
}

/**
 * Rounds until nothing is pending, moving the clock to the next retry each time (rows behind
 * a channel's head keep the time they were written, so only later times are retries).
 */
async function drain(maxRounds = 50): Promise<number> {
  for (let round = 1; round <= maxRounds; round++) {
    await deliverDue(ports(), policy);
    if ((await outboxDepth(store)).every((d) => d.pending === 0)) return round;
    const [next] = await store.query<{ ms: number }>(
      'select (extract(epoch from min(next_attempt_at)) * 1000)::float8 as ms from outbox ' +
        'where delivered_at is null and failed_at is null and next_attempt_at > $1',
      [new Date(now).toISOString()],
    );
    now = Math.max(now, Number(next!.ms));
  }
  throw new Error(`outbox not drained in ${maxRounds} rounds`);
}

describe('the outbox', () => {
  it('is written with what it reports or not at all, and each key once', async () => {
    await expect(
      inTransaction(store, async (tx) => {
        await enqueueIn(tx, [message('ops', 1)], new Date(now));
        throw new Error('the run failed to record');
      }),
    ).rejects.toThrow('the run failed to record');
    expect(await outboxDepth(store)).toEqual([]);
    await enqueue(message('ops', 1));
    await enqueue(message('ops', 1), message('ops', 2));
    expect(await outboxDepth(store)).toEqual([{ channel: 'ops', pending: 2, failed: 0 }]);
  });

  it('delivers every message exactly once, in order per channel, through an outage of 429s, 5xx and resets', async () => {
    for (let n = 1; n <= 5; n++) await enqueue(message('ops', n), message('batch-team', n));
    slack.fail(
      { kind: 'status', status: 500 },
      { kind: 'reset' },
      { kind: 'status', status: 429, retryAfterSeconds: 30 },
      { kind: 'status', status: 503 },
      { kind: 'reset' },
      { kind: 'status', status: 502 },
    );
    const rounds = await drain();
    expect(rounds).toBeGreaterThan(5);
    for (const channel of ['ops', 'batch-team']) {
      const texts = slack.delivered(channel).map((p) => (p as { text: string }).text);
      expect(texts).toEqual([1, 2, 3, 4, 5].map((n) => `${channel} message ${n}`));
    }
    const keys = slack.requests.filter((r) => r.status === 200).map((r) => r.headers['x-shisa-idempotency-key']);
    expect(new Set(keys).size).toBe(keys.length);
    expect(await outboxDepth(store)).toEqual([
      { channel: 'batch-team', pending: 0, failed: 0 },
      { channel: 'ops', pending: 0, failed: 0 },
    ]);
    // Ten deliveries and the six refused attempts, each recorded once.
    const [sum] = await store.query<{ attempts: number }>('select sum(attempts)::int as attempts from outbox');
    expect(sum?.attempts).toBe(16);
    expect(slack.requests).toHaveLength(16);
  });

  it('waits out the Retry-After Slack asked for before trying again', async () => {
    await enqueue(message('ops', 1));
    slack.fail({ kind: 'status', status: 429, retryAfterSeconds: 30 });
    const first = await deliverDue(ports(), policy);
    expect(first).toMatchObject({ delivered: 0, retried: 1 });
    now += 29_000;
    expect(await deliverDue(ports(), policy)).toMatchObject({ delivered: 0, retried: 0 });
    now += 1_000;
    expect(await deliverDue(ports(), policy)).toMatchObject({ delivered: 1 });
  });

  it('gives up on a message Slack refuses, and the channel goes on with the next', async () => {
    await enqueue(message('ops', 1));
    await inTransaction(store, (tx) =>
      enqueueIn(tx, [{ key: 'ops/bad', channel: 'ops', payload: 'not a message' }], new Date(now)),
    );
    await enqueue(message('ops', 3), message('gone-channel', 1));
    await drain();
    expect(slack.delivered('ops').map((p) => (p as { text: string }).text)).toEqual(['ops message 1', 'ops message 3']);
    const failed = await store.query<{ idempotency_key: string; last_error: string }>(
      'select idempotency_key, last_error from outbox where failed_at is not null order by id',
    );
    expect(failed).toEqual([
      { idempotency_key: 'ops/bad', last_error: 'Slack refused the message (400): invalid_payload' },
      {
        idempotency_key: 'gone-channel/1',
        last_error: 'no webhook for channel "gone-channel" (not in the fleet\'s notify)',
      },
    ]);
    expect(await outboxDepth(store)).toContainEqual({ channel: 'ops', pending: 0, failed: 1 });
  });

  it('treats a claim as a lease: a worker that dies mid-send leaves the message to the next once the lease ends', async () => {
    await enqueue(message('ops', 1), message('ops', 2));
    const claimed = await claimDue(store, new Date(now), 60_000, 10);
    expect(claimed.map((c) => c.key)).toEqual(['ops/1']);
    // The claiming worker dies here, before sending: nothing is claimable until its lease ends.
    expect(await claimDue(store, new Date(now + 59_000), 60_000, 10)).toEqual([]);
    const again = await claimDue(store, new Date(now + 60_000), 60_000, 10);
    expect(again.map((c) => c.key)).toEqual(['ops/1']);
    await recordAttempt(store, again[0]!.id, { kind: 'delivered' }, new Date(now + 60_000));
    // A late answer from the first worker changes nothing once the message is delivered.
    await recordAttempt(store, claimed[0]!.id, { kind: 'permanent', error: 'late' }, new Date(now + 61_000));
    const [row] = await store.query<{ failed_at: string | null; attempts: number }>(
      "select failed_at, attempts from outbox where idempotency_key = 'ops/1'",
    );
    expect(row).toEqual({ failed_at: null, attempts: 1 });
    expect((await claimDue(store, new Date(now + 61_000), 60_000, 10)).map((c) => c.key)).toEqual(['ops/2']);
  });
});
