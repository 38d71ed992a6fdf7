import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('masks webhook URL paths and long mixed tokens', () => {
    expect(redactSecrets('webhok_env: https://hooks.slack.com/services/T01/B02/abcDEF123')).toBe('webhok_env: https://hooks.slack.com/…');
    expect(redactSecrets('tokn_env: corpusTok3nLeak0987654321')).toBe('tokn_env: [redacted]');
    expect(redactSecrets('auth: xoxb-123456789012-abcdefABCDEF12')).toBe('auth: [redacted]');
  });
  it('leaves ordinary config text alone', () => {
    const line = '  - { name: batch/reconcile-001, region: region-singapore-01, cpu: 4, memory_gib: 16 }';
    expect(redactSecrets(line)).toBe(line);
    expect(redactSecrets('webhook_env: SLACK_WEBHOOK_PAYMENTS_ONCALL')).toBe('webhook_env: SLACK_WEBHOOK_PAYMENTS_ONCALL');
  });
});
