import { claimDue, recordAttempt, type AttemptResult, type ClaimedMessage } from '../../db/outbox.js';
import type { Store } from '../../db/store.js';
import type { Secret } from '../config/secret.js';
import type { Clock } from '../run/ports.js';
import { retryDelayMs, type BackoffPolicy } from './delivery-backoff.js';
import type { WebhookAnswer } from './slack-webhook.js';

export interface DeliveryPorts {
  readonly store: Store;
  readonly clock: Clock;
  readonly random: () => number;
  /** The webhook of a notify channel, from the environment; undefined for a channel the fleet no longer has. */
  readonly webhook: (channel: string) => Secret | undefined;
  /** One attempt (slack-webhook.ts's postWebhook in production). */
  readonly post: (url: Secret, payload: unknown, key: string) => Promise<WebhookAnswer>;
}

export interface DeliveryPolicy {
  /** How long a claimed message is this worker's: longer than one attempt's deadline. */
  readonly leaseMs: number;
  /** Most messages claimed in one round (at most one per channel). */
  readonly batch: number;
  readonly backoff: BackoffPolicy;
}

/** What one round did, message by message; errors never hold a webhook URL. */
export interface DeliveryRound {
  readonly delivered: number;
  readonly retried: number;
  readonly failed: number;
  readonly attempts: readonly { readonly key: string; readonly channel: string; readonly result: AttemptResult }[];
}

/**
 * One round of the outbox worker: claims the messages due (the oldest unsent one of each
 * channel), sends each once, and records the answer — delivered, to be retried after a
 * backoff (or Slack's Retry-After), or failed for good. Channels are sent to side by side;
 * within a channel, order is kept by the claim. A store failure is thrown (the claims'
 * leases run out and the next round takes them again); Slack's answers are values.
 */
export async function deliverDue(ports: DeliveryPorts, policy: DeliveryPolicy): Promise<DeliveryRound> {
  const claimed = await claimDue(ports.store, new Date(ports.clock.now()), policy.leaseMs, policy.batch);
  const attempts = await Promise.all(
    claimed.map(async (m) => {
      const result = await attempt(ports, policy, m);
      await recordAttempt(ports.store, m.id, result, new Date(ports.clock.now()));
      return { key: m.key, channel: m.channel, result };
    }),
  );
  const count = (kind: AttemptResult['kind']) => attempts.filter((a) => a.result.kind === kind).length;
  return { delivered: count('delivered'), retried: count('retry'), failed: count('permanent'), attempts };
}

async function attempt(ports: DeliveryPorts, policy: DeliveryPolicy, m: ClaimedMessage): Promise<AttemptResult> {
  const url = ports.webhook(m.channel);
  if (!url) return { kind: 'permanent', error: `no webhook for channel "${m.channel}" (not in the fleet's notify)` };
  const answer = await ports.post(url, m.payload, m.key);
  if (answer.kind === 'delivered') return { kind: 'delivered' };
  if (answer.kind === 'permanent') return { kind: 'permanent', error: answer.detail };
  const wait = retryDelayMs(m.attempts + 1, answer.retryAfterMs, policy.backoff, ports.random);
  return { kind: 'retry', nextAttemptAt: new Date(ports.clock.now() + wait), error: answer.detail };
}
