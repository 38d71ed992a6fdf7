/**
 * The product's Slack webhook client (scheduler/notify/slack-webhook.ts) against the fake
 * Slack (test/fakes/slack/), real HTTP on 127.0.0.1: how each of Slack's answers is
 * classified (delivered, retry, permanent), and that the webhook URL — the credential —
 * never shows in what comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../scheduler/config/secret.js';
import { IDEMPOTENCY_HEADER, postWebhook, type WebhookAnswer } from '../../scheduler/notify/slack-webhook.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';

let slack: FakeSlack;
let url: Secret;
const answers: WebhookAnswer[] = [];
const message = {
  text: 'Run 7 moved 3 workloads',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*3 moves*' } }],
};

async function post(payload: unknown = message, to: Secret = url, timeoutMs = 2_000): Promise<WebhookAnswer> {
  const a = await postWebhook(to, payload, `run-7/summary`, { timeoutMs });
  answers.push(a);
  return a;
}

beforeAll(async () => {
  slack = await FakeSlack.start();
  url = new Secret(slack.addHook('ops'), 'SLACK_OPS_WEBHOOK');
});

afterAll(async () => {
  await slack.close();
});

describe('postWebhook against the fake Slack', () => {
  it('delivers a Block Kit message: 200 ok, the payload as sent, the idempotency key in a header', async () => {
    const before = slack.delivered('ops').length;
    expect(await post()).toEqual({ kind: 'delivered', status: 200 });
    expect(slack.delivered('ops').slice(before)).toEqual([message]);
    const last = slack.requests.at(-1)!;
    expect(last.headers[IDEMPOTENCY_HEADER]).toBe('run-7/summary');
    expect(last.headers['content-type']).toMatch(/^application\/json/);
  });

  it('429 is retried after the Retry-After Slack gave', async () => {
    slack.fail({ kind: 'status', status: 429, retryAfterSeconds: 7 });
    expect(await post()).toEqual({
      kind: 'retry',
      status: 429,
      retryAfterMs: 7_000,
      detail: 'rate limited (429): rate_limited',
    });
  });

  it('5xx, a reset connection, a slow answer and a closed port are retried', async () => {
    slack.fail({ kind: 'status', status: 500 }, { kind: 'status', status: 503, body: 'service unavailable' });
    expect(await post()).toMatchObject({ kind: 'retry', status: 500, detail: 'Slack answered 500: internal_error' });
    expect(await post()).toMatchObject({ kind: 'retry', status: 503 });
    slack.fail({ kind: 'reset' });
    expect(await post()).toMatchObject({ kind: 'retry', detail: /^could not reach Slack/ });
    slack.fail({ kind: 'slow', delayMs: 1_500 });
    expect(await post(message, url, 300)).toEqual({ kind: 'retry', detail: 'no answer in time' });
    const closed = await FakeSlack.start();
    const gone = new Secret(closed.addHook('gone'), 'SLACK_GONE_WEBHOOK');
    await closed.close();
    expect(await post(message, gone)).toEqual({ kind: 'retry', detail: 'could not reach Slack (ECONNREFUSED)' });
  });

  it("Slack's refusals are permanent, with Slack's word for why", async () => {
    expect(await post('just a string')).toEqual({
      kind: 'permanent',
      status: 400,
      detail: 'Slack refused the message (400): invalid_payload',
    });
    expect(await post({ blocks: undefined, attachments: [] })).toMatchObject({ status: 400, detail: /no_text/ });
    const tooLong = { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] };
    expect(await post(tooLong)).toMatchObject({ kind: 'permanent', status: 400, detail: /invalid_blocks/ });
    const unknown = new Secret(slack.urlOf('never-made'), 'SLACK_UNKNOWN_WEBHOOK');
    expect(await post(message, unknown)).toMatchObject({ kind: 'permanent', status: 404, detail: /no_service/ });
    const revoked = new Secret(slack.addHook('revoked'), 'SLACK_REVOKED_WEBHOOK');
    slack.revoke('revoked');
    expect(await post(message, revoked)).toMatchObject({ kind: 'permanent', status: 403, detail: /invalid_token/ });
    const archived = new Secret(slack.addHook('archived'), 'SLACK_ARCHIVED_WEBHOOK');
    slack.archive('archived');
    expect(await post(message, archived)).toMatchObject({ status: 410, detail: /channel_is_archived/ });
  });

  it("keeps Slack's answer to one clean line, and scrubs the URL from an answer that echoes it", async () => {
    slack.fail({ kind: 'status', status: 502, body: 'bad\r\ngateway\u0007' });
    expect(await post()).toMatchObject({ detail: 'Slack answered 502: bad gateway' });
    slack.fail({ kind: 'status', status: 500, body: `proxy could not forward to ${url.reveal()}` });
    expect(await post()).toMatchObject({ detail: 'Slack answered 500: proxy could not forward to [redacted]' });
  });

  it('never puts the webhook URL, or any part of its path, in an answer', () => {
    expect(answers.length).toBeGreaterThanOrEqual(14);
    for (const a of answers) expect(JSON.stringify(a)).not.toMatch(/secret-part|services\/|127\.0\.0\.1/);
  });
});
