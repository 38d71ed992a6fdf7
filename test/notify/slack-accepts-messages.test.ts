/**
 * The messages shisa builds (scheduler/notify/slack-message.ts), sent through the product's
 * webhook client to the fake Slack, whose Block Kit checks judge them: every kind is accepted
 * (200 `ok`), including a run of 500 moves and 500 rollbacks with hostile names, which must
 * stay within Slack's limits rather than be refused (a refused notification is a lost one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../scheduler/config/secret.js';
import {
  exceptionMessage,
  resolvedMessage,
  runSummaryMessage,
  type ExceptionInput,
  type RunSummaryInput,
} from '../../scheduler/notify/slack-message.js';
import { postWebhook } from '../../scheduler/notify/slack-webhook.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';

let slack: FakeSlack;
let url: Secret;
const AT = '2026-12-03T19:00:00Z';
const evil = '<!channel> & <http://evil.example|click>\n\u202ename';

beforeAll(async () => {
  slack = await FakeSlack.start();
  url = new Secret(slack.addHook('ops'), 'SLACK_OPS_WEBHOOK');
});
afterAll(() => slack.close());

const send = (payload: unknown, key: string) => postWebhook(url, payload, key, { timeoutMs: 5_000 });

const bigRun: RunSummaryInput = {
  runId: 42,
  fleet: `fleet ${evil}`,
  atIso: AT,
  beforeGPerH: 123_456.7,
  afterGPerH: 98_765.4,
  gap: 0.012,
  done: Array.from({ length: 500 }, (_, i) => ({
    workload: `batch/${evil}-${'w'.repeat(200)}-${i}`,
    from: 'region-osaka-01',
    to: 'region-finland-01',
  })),
  rolledBack: Array.from({ length: 500 }, (_, i) => ({
    workload: `jp/${evil}-${i}`,
    from: 'region-tokyo-01',
    to: 'region-osaka-01',
    reason: `the copy did not serve within 600 s ${'because '.repeat(100)}`,
  })),
};

const exceptions: readonly ExceptionInput[] = [
  {
    kind: 'unprovable',
    atIso: AT,
    runId: 42,
    obligation: `latency ${evil}`,
    conflicts: Array.from({ length: 400 }, (_, i) => ({
      constraint: `residency-${i} ${evil}`,
      file: `intents/${evil}.intent`,
      line: i + 1,
    })),
  },
  {
    kind: 'rollback',
    atIso: AT,
    workload: `jp/${evil}`,
    from: 'region-tokyo-01',
    to: 'region-osaka-01',
    reason: 'violated: p99 above the bound',
    deleted: Array.from({ length: 300 }, (_, i) => `ConfigMap jp/${evil}-${i}`),
    evidence: { samples: 1200, p99Ms: 48.2, boundMs: 30 },
  },
  { kind: 'stale-feed', atIso: AT, zone: `JP-${evil}`, ageSeconds: 7_500 },
  { kind: 'unreachable-cluster', atIso: AT, region: evil, cluster: evil, reason: 'x'.repeat(5_000) },
  { kind: 'breaker', atIso: AT, node: evil, destination: evil },
  { kind: 'config-rejected', atIso: AT, file: `fleet ${evil}.yaml`, line: 3, col: 7, message: 'm'.repeat(5_000) },
];

describe('the fake Slack accepts every message shisa builds', () => {
  it('a run summary of 500 moves and 500 rollbacks with hostile names', async () => {
    expect(await send(runSummaryMessage(bigRun), 'run-42/summary')).toEqual({ kind: 'delivered', status: 200 });
  });

  it.each(exceptions.map((e) => [e.kind, e] as const))('the %s exception and its resolution', async (kind, e) => {
    expect(await send(exceptionMessage(e), `${kind}/raised`)).toEqual({ kind: 'delivered', status: 200 });
    expect(await send(resolvedMessage(e), `${kind}/resolved`)).toEqual({ kind: 'delivered', status: 200 });
  });

  it('and nothing it delivered can mention a channel or carry a link shisa did not write', () => {
    const delivered = slack.delivered('ops');
    expect(delivered).toHaveLength(1 + 2 * exceptions.length);
    for (const p of delivered) {
      const json = JSON.stringify(p);
      expect(json).not.toContain('<!channel>');
      expect(json).not.toContain('<http://evil.example');
      expect(json).not.toContain('\u202e');
    }
  });
});
