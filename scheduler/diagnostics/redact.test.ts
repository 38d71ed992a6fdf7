import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('masks webhook URL paths and long mixed tokens', () => {
    expect(redactSecrets('webhok_env: https://hooks.slack.com/services/T01/B02/abcDEF123')).toBe(
      'webhok_env: https://hooks.slack.com/…',
    );
    expect(redactSecrets('tokn_env: corpusTok3nLeak0987654321')).toBe('tokn_env: [redacted]');
    expect(redactSecrets('auth: xoxb-123456789012-abcdefABCDEF12')).toBe('auth: [redacted]');
  });
  it('masks whatever follows an authorization scheme, even a token of one case', () => {
    expect(redactSecrets('header Authorization: Bearer abcdefghijklmnop.qrstu-vwxyz')).toBe(
      'header Authorization: Bearer [redacted]',
    );
    expect(redactSecrets('basic dXNlcjpwYXNz refused')).toBe('basic [redacted] refused');
    expect(redactSecrets('the bearer token is missing')).toBe('the bearer token is missing');
  });
  it('leaves ordinary config text alone', () => {
    const line = '  - { name: batch/reconcile-001, region: region-singapore-01, cpu: 4, memory_gib: 16 }';
    expect(redactSecrets(line)).toBe(line);
    expect(redactSecrets('webhook_env: SLACK_WEBHOOK_PAYMENTS_ONCALL')).toBe(
      'webhook_env: SLACK_WEBHOOK_PAYMENTS_ONCALL',
    );
  });
});

describe('redactSecrets, the class', () => {
  it.each([
    [
      'a Slack webhook URL',
      'notify: "https://hooks.slack.com/services/T0AAA/B0BBB/xYzSecret123"',
      'notify: "https://hooks.slack.com/…"',
    ],
    [
      'a password in a database URL',
      'url: postgres://shisa:hunter2@db.internal:5432/shisa',
      'url: postgres://[redacted]@db.internal:5432/shisa',
    ],
    ['a Slack bot token', 'token xoxb-1234-5678-abcdef', 'token [redacted]'],
    ['a GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', '[redacted]'],
    [
      'a JWT (a Kubernetes service-account token)',
      'bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzaGlzYSJ9.c2lnbmF0dXJl',
      'bearer [redacted]',
    ],
    ['an Electricity Maps token', 'auth-token: oMEEd5O0iPYbV3sXGTD4', 'auth-token: [redacted]'],
    ['a hex API key', 'key 3f9a0c1d2e3f4a5b6c7d8e9f0a1b2c3d', 'key [redacted]'],
  ])('masks %s', (_, text, shown) => {
    expect(redactSecrets(text)).toBe(shown);
  });

  it.each([
    'region-northamerica-northeast1',
    'payments/ledger-db-replica-0001',
    'SLACK_WEBHOOK_PAYMENTS_ONCALL_2026',
    'pod 2f1c6c9e-4b1a-4f0e-9a57-0c2d1e3f4a5b',
    'intents/data-platform-2026-team-a.intent',
  ])('leaves the name %s alone', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });
});
