/**
 * Two outbox workers on one PostgreSQL server (as two `shisa serve` replicas would be), each
 * with its own connection, draining the same outbox side by side into the fake Slack through
 * an outage: the claim's row locks and lease keep every message to one worker, so each is
 * delivered exactly once, and every channel hears its messages in the order they were written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueIn, outboxDepth } from '../../db/outbox.js';
import { inTransaction, openStore, type Store } from '../../db/store.js';
import { Secret } from '../../scheduler/config/secret.js';
import { deliverDue, type DeliveryPorts } from '../../scheduler/notify/outbox-worker.js';
import { postWebhook } from '../../scheduler/notify/slack-webhook.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import { postgresForFile } from './postgres-for-file.js';

const postgres = postgresForFile();
const CHANNELS = ['ops', 'batch-team', 'platform'] as const;
const PER_CHANNEL = 20;
let slack: FakeSlack;
const hooks = new Map<string, Secret>();

beforeAll(async () => {
  slack = await FakeSlack.start();
  for (const c of CHANNELS) hooks.set(c, new Secret(slack.addHook(c), `SLACK_${c.toUpperCase()}`));
});
afterAll(() => slack.close());

function ports(store: Store): DeliveryPorts {
  return {
    store,
    // Real time: the workers race as replicas would; backoffs are a few milliseconds.
    clock: { now: () => Date.now() },
    random: Math.random,
    webhook: (c) => hooks.get(c),
    post: (url, payload, key) => postWebhook(url, payload, key, { timeoutMs: 2_000 }),
  };
}

const policy = { leaseMs: 30_000, batch: 10, backoff: { baseMs: 5, maxMs: 50 } };

async function work(store: Store, until: number): Promise<number> {
  let rounds = 0;
  while (Date.now() < until) {
    rounds++;
    await deliverDue(ports(store), policy);
    const depth = await outboxDepth(store);
    if (depth.length === CHANNELS.length && depth.every((d) => d.pending === 0)) return rounds;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error('the outbox was not drained in time');
}

describe.skipIf(!postgres.available)('two outbox workers on one PostgreSQL server', () => {
  it(`deliver ${CHANNELS.length * PER_CHANNEL} messages exactly once, in order per channel, through an outage`, async () => {
    const target = { kind: 'postgres' as const, url: new Secret(postgres.url(), 'DATABASE_URL') };
    const a = await openStore(target);
    const b = await openStore(target);
    try {
      for (let n = 1; n <= PER_CHANNEL; n++)
        await inTransaction(a, (tx) =>
          enqueueIn(
            tx,
            CHANNELS.map((c) => ({ key: `${c}/${n}`, channel: c, payload: { text: `${c} ${n}` } })),
            new Date(),
          ),
        );
      const faults = Array.from({ length: 12 }, (_, i) =>
        i % 3 === 0
          ? { kind: 'reset' as const }
          : { kind: 'status' as const, status: i % 3 === 1 ? 500 : 429, retryAfterSeconds: 0 },
      );
      slack.fail(...faults);
      const until = Date.now() + 60_000;
      const [ra, rb] = await Promise.all([work(a, until), work(b, until)]);
      expect(ra + rb).toBeGreaterThan(2);
      for (const c of CHANNELS)
        expect(slack.delivered(c).map((p) => (p as { text: string }).text)).toEqual(
          Array.from({ length: PER_CHANNEL }, (_, i) => `${c} ${i + 1}`),
        );
      const ok = slack.requests.filter((r) => r.status === 200).map((r) => r.headers['x-shisa-idempotency-key']);
      expect(ok).toHaveLength(CHANNELS.length * PER_CHANNEL);
      expect(new Set(ok).size).toBe(ok.length);
      expect(slack.requests).toHaveLength(CHANNELS.length * PER_CHANNEL + faults.length);
    } finally {
      await a.close();
      await b.close();
    }
  }, 120_000);
});
