import { describe, expect, it } from 'vitest';
import { HIST_SLOTS } from './histogram.js';
import type { DestCounters } from './latency-window.js';
import { judge, PERCENTILE_Q } from './verdict.js';

/** A window's counts with `n` connects in each given slot. */
const inWindow = (counts: Readonly<Record<number, number>>, failures = 0, rto = 0): DestCounters => {
  const slots = new Array<number>(HIST_SLOTS).fill(0);
  for (const [s, c] of Object.entries(counts)) slots[Number(s)] = c;
  return { slots, connects: slots.reduce((a, b) => a + b, 0), failures, rto };
};

// Slots (bpf/shisa.h): 6 = [32, 64) µs, a connect on the same host (~50 µs);
// 13 = [4096, 8192) µs; 14 = [8192, 16384) µs, straddling a 15 ms bound;
// 20 = [524288, 1048576) µs, a connect that took about a second (a SYN retransmitted).
const FAST = 6;
const SLOW = 20;

describe('judge', () => {
  it('maps percentile names to quantiles', () => {
    expect(PERCENTILE_Q).toEqual({ p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99, p999: 0.999 });
  });

  it('is unknown below min_samples, and says how many connects there were', () => {
    const v = judge(inWindow({ [FAST]: 12 }), 15, 'p99', 20);
    expect(v.state).toBe('unknown');
    expect(v.reason).toBe('12 connects in the window; need 20');
    // Evidence is still reported, so people can see what little there is.
    expect(v.evidence).toMatchObject({ samples: 12, percentile: 'p99', bucketMs: [0.032, 0.064] });
  });

  it('judges from exactly min_samples connects on', () => {
    expect(judge(inWindow({ [FAST]: 19 }), 15, 'p99', 20).state).toBe('unknown');
    expect(judge(inWindow({ [FAST]: 20 }), 15, 'p99', 20).state).toBe('holds');
  });

  it('is unknown for an empty window, never a pass, and mentions failures', () => {
    const v = judge(inWindow({}, 3), 15, 'p99', 1);
    expect(v.state).toBe('unknown');
    expect(v.reason).toBe('0 connects in the window, 3 failed; need 1');
    expect(v.evidence).toEqual({ samples: 0, failures: 3, rto: 0, percentile: 'p99' });
  });

  it('says "connect" for one sample', () => {
    expect(judge(inWindow({ [FAST]: 1 }), 15, 'p99', 20).reason).toBe('1 connect in the window; need 20');
  });

  it('holds for a 15 ms bound when connects take ~50 µs', () => {
    const v = judge(inWindow({ [FAST]: 100 }), 15, 'p99', 20);
    expect(v.state).toBe('holds');
    expect(v.reason).toBe('p99 in [0.032, 0.064) ms is within 15 ms over 100 connects');
    expect(v.evidence).toEqual({
      samples: 100,
      failures: 0,
      rto: 0,
      percentile: 'p99',
      p50Ms: 0.048,
      p99Ms: 0.064,
      valueMs: 0.064,
      bucketMs: [0.032, 0.064],
      maxMs: 0.064,
    });
  });

  it('is violated for a 15 ms bound when connects take ~1 s', () => {
    const v = judge(inWindow({ [SLOW]: 40 }, 0, 40), 15, 'p99', 20);
    expect(v.state).toBe('violated');
    expect(v.reason).toBe('p99 in [524.288, 1048.576) ms exceeds 15 ms over 40 connects');
    expect(v.evidence).toMatchObject({
      samples: 40,
      rto: 40,
      percentile: 'p99',
      bucketMs: [524.288, 1048.576],
      maxMs: 1048.576,
    });
    expect(v.evidence.p99Ms).toBeGreaterThan(524);
  });

  it('judges the intent’s percentile: one slow connect in 100 breaks p999 but not p99', () => {
    const counts = inWindow({ [FAST]: 99, [SLOW]: 1 });
    expect(judge(counts, 15, 'p99', 20).state).toBe('holds');
    const p999 = judge(counts, 15, 'p999', 20);
    expect(p999.state).toBe('violated');
    expect(p999.evidence).toMatchObject({
      percentile: 'p999',
      bucketMs: [524.288, 1048.576],
      p99Ms: 0.064,
      maxMs: 1048.576,
    });
  });

  it('holds when the bucket’s upper bound is exactly the bound', () => {
    // Every connect below 8.192 ms, bound 8.192 ms: the percentile cannot exceed it.
    expect(judge(inWindow({ 13: 50 }), 8.192, 'p99', 20).state).toBe('holds');
  });

  it('is violated when the bucket’s lower bound is above the bound, whatever the estimate', () => {
    expect(judge(inWindow({ 14: 50 }), 8, 'p50', 20).state).toBe('violated');
  });

  it('decides a bucket straddling the bound by the estimate inside it', () => {
    // [8192, 16384) µs straddles 15 ms. p99 of 100 connects there: ~16.3 ms, over.
    const over = judge(inWindow({ 14: 100 }), 15, 'p99', 20);
    expect(over.state).toBe('violated');
    expect(over.evidence.bucketMs).toEqual([8.192, 16.384]);
    expect(over.evidence.valueMs).toBeCloseTo(16.302, 3);
    expect(over.reason).toBe('p99 in [8.192, 16.384) ms exceeds 15 ms over 100 connects');
    // The median of the same connects: ~12.3 ms, within.
    const within = judge(inWindow({ 14: 100 }), 15, 'p50', 20);
    expect(within.state).toBe('holds');
    expect(within.evidence.valueMs).toBe(12.288);
    // 980 connects at ~5 ms and 20 at ~10 ms: p99 is rank 990, half-way into [8.192, 16.384): ~12.3 ms.
    const mixed = judge(inWindow({ 13: 980, 14: 20 }), 15, 'p99', 20);
    expect(mixed.state).toBe('holds');
    expect(mixed.evidence).toMatchObject({ valueMs: 12.288, bucketMs: [8.192, 16.384], maxMs: 16.384 });
  });

  it('reports the open last bucket as "≥" its lower bound', () => {
    const v = judge(inWindow({ [HIST_SLOTS - 1]: 30 }), 15, 'p99', 20);
    expect(v.state).toBe('violated');
    expect(v.reason).toBe('p99 ≥ 33554.432 ms exceeds 15 ms over 30 connects');
  });

  // JSON (/status, the report to the scheduler) has no Infinity: the open bucket has no upper bound.
  it('keeps the evidence JSON-safe when connects fall in the open last bucket', () => {
    const v = judge(inWindow({ [FAST]: 10, [HIST_SLOTS - 1]: 30 }), 15, 'p99', 20);
    expect(v.state).toBe('violated');
    expect(JSON.parse(JSON.stringify(v.evidence))).toEqual(v.evidence);
  });

  it('counts samples from the histogram, failures and retransmissions from the counters', () => {
    const v = judge(inWindow({ [FAST]: 30 }, 4, 2), 15, 'p50', 20);
    expect(v.evidence).toMatchObject({ samples: 30, failures: 4, rto: 2, percentile: 'p50' });
  });
});
