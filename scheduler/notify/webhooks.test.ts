import { describe, expect, it } from 'vitest';
import type { NotifyChannel } from '../../regions/fleet/model.js';
import { environmentFrom } from '../config/environment.js';
import { readWebhooks } from './webhooks.js';

const span = { file: 'fleet.yaml', start: 10, end: 20, line: 31, col: 5 };
const channels = new Map<string, NotifyChannel>(
  ['sre', 'batch', 'ml', 'web', 'ops', 'relay'].map((name) => [
    name,
    { name, webhookEnv: `SLACK_${name.toUpperCase()}`, events: ['exceptions'], span },
  ]),
);
const SECRET_PART = 'T000/B000/XXXXsecretXXXX';

describe('readWebhooks', () => {
  const { byChannel, diagnostics } = readWebhooks(
    channels,
    environmentFrom({
      SLACK_SRE: `https://hooks.slack.com/services/${SECRET_PART}`,
      SLACK_BATCH: `not a url ${SECRET_PART}`,
      SLACK_ML: `http://hooks.slack.com/services/${SECRET_PART}`,
      SLACK_WEB: `https://user:pw@hooks.slack.com/services/${SECRET_PART}`,
      SLACK_RELAY: `http://127.0.0.1:8080/services/${SECRET_PART}`,
    }),
  );

  it('takes https URLs, and plain http only to a loopback relay', () => {
    expect([...byChannel.keys()].sort()).toEqual(['relay', 'sre']);
    expect(byChannel.get('sre')!.reveal()).toBe(`https://hooks.slack.com/services/${SECRET_PART}`);
  });

  it('says, at the channel in the fleet file, what is wrong with each other one', () => {
    expect(diagnostics.map((d) => [d.code, d.span.line, d.span.col, d.message])).toEqual([
      ['notify/webhook', 31, 5, 'channel "batch": the environment variable SLACK_BATCH does not hold a URL'],
      [
        'notify/webhook',
        31,
        5,
        'channel "ml": the URL in SLACK_ML is not https (only a loopback relay may be plain http)',
      ],
      ['notify/webhook', 31, 5, 'channel "web": the URL in SLACK_WEB carries a user name or password'],
      ['notify/webhook', 31, 5, 'channel "ops": the environment variable SLACK_OPS is not set'],
    ]);
    expect(diagnostics[0]!.expected).toMatch(/SLACK_BATCH holding the channel's Slack incoming-webhook URL/);
  });

  it('never shows any part of a URL, however it is printed', () => {
    const printed =
      JSON.stringify({ diagnostics, byChannel: [...byChannel.values()] }) + String([...byChannel.values()]);
    expect(printed).not.toContain('secret');
    expect(printed).not.toContain('T000/B000');
    expect(printed).not.toContain('127.0.0.1:8080');
  });
});
