import { describe, expect, it } from 'vitest';
import { MAX_CHANGES, parseVerdictReport } from './verdict-report.js';

const status = {
  key: 'web/api>web/db@latency#api-db',
  intent: 'latency',
  at: 'intents/web.intent:4:3',
  workload: 'web/api',
  dependency: 'web/db',
  destinations: ['10.0.0.7:5432'],
  maxMs: 30,
  percentile: 'p99',
  state: 'violated',
  reason: 'p99 above 30 ms',
  evidence: { samples: 1200, failures: 0, rto: 0, p99Ms: 48.2, percentile: 'p99', bucketMs: [32, 64] },
  since: '2026-12-03T10:00:00Z',
};
const report = (over: Record<string, unknown> = {}) => ({
  node: 'osaka-node-1.example',
  changes: [{ at: '2026-12-03T10:00:00Z', from: 'holds', verdict: status }],
  ...over,
});

describe('parseVerdictReport', () => {
  it('takes what the enforcer sends (VerdictReporter: {node, changes: [{at, from, verdict}]})', () => {
    expect(parseVerdictReport(report())).toEqual({
      ok: true,
      node: 'osaka-node-1.example',
      verdicts: [
        {
          key: status.key,
          workload: 'web/api',
          state: 'violated',
          reason: 'p99 above 30 ms',
          maxMs: 30,
          evidence: status.evidence,
        },
      ],
    });
  });

  it.each([
    ['not an object', 'hello', /^body: /],
    ['no node', { changes: [] }, /^node: /],
    ['a node name with a slash', report({ node: 'a/b' }), /^node: expected a node name/],
    [
      'an unknown state',
      report({ changes: [{ at: 'x', from: 'holds', verdict: { ...status, state: 'fine' } }] }),
      /^changes\.0\.verdict\.state/,
    ],
    [
      'a reason with a newline',
      report({ changes: [{ at: 'x', from: 'h', verdict: { ...status, reason: 'a\nb' } }] }),
      /reason: control characters/,
    ],
    [
      'an infinite bound',
      report({ changes: [{ at: 'x', from: 'h', verdict: { ...status, maxMs: Infinity } }] }),
      /maxMs/,
    ],
    ['a negative bound', report({ changes: [{ at: 'x', from: 'h', verdict: { ...status, maxMs: -1 } }] }), /maxMs/],
    ['a huge key', report({ changes: [{ at: 'x', from: 'h', verdict: { ...status, key: 'k'.repeat(5000) } }] }), /key/],
    [
      'nested evidence',
      report({ changes: [{ at: 'x', from: 'h', verdict: { ...status, evidence: { deep: { a: 1 } } } }] }),
      /evidence/,
    ],
    [
      'too many changes',
      report({ changes: Array.from({ length: MAX_CHANGES + 1 }, () => ({ at: 'x', from: 'h', verdict: status })) }),
      /at most 1000 changes/,
    ],
  ])('refuses %s, whole, saying where', (_what, body, message) => {
    const r = parseVerdictReport(body);
    expect(r).toMatchObject({ ok: false, code: 'VERDICTS_INVALID' });
    expect(r.ok ? '' : r.message).toMatch(message);
  });
});
