import type { VerdictStatus } from '../../enforcer/status.js';

/** A verdict as /status shows it, for unit tests: shop/web → shop/db, 15 ms p99, holds. */
export function verdictStatus(v: Partial<VerdictStatus> = {}): VerdictStatus {
  return {
    key: 'shop/web>shop/db@web#0',
    intent: 'web',
    at: 'intents/web.intent:2:3',
    workload: 'shop/web',
    dependency: 'shop/db',
    destinations: ['10.0.0.7:5432'],
    maxMs: 15,
    percentile: 'p99',
    state: 'holds',
    reason: 'p99 in [0.032, 0.064) ms is within 15 ms over 100 connects',
    since: '2025-01-01T00:00:00.000Z',
    ...v,
  };
}
