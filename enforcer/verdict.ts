import type { Percentile } from '../scheduler/intent/model.js';
import { maxUpperUs, percentile, totalCount } from './histogram.js';
import type { DestCounters } from './latency-window.js';

export type VerdictState = 'holds' | 'violated' | 'unknown';

export const PERCENTILE_Q: Readonly<Record<Percentile, number>> = Object.freeze({
  p50: 0.5,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
  p999: 0.999,
});

/** What a verdict rests on: the window's connects, in ms. */
export interface Evidence {
  readonly samples: number;
  readonly failures: number;
  readonly rto: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  /** The intent's percentile (p99 by default), and the log2 bucket it fell in. */
  readonly percentile: Percentile;
  readonly valueMs?: number;
  /** [lower, upper) in ms; just [lower] for the open last bucket (≥ ~33.5 s). */
  readonly bucketMs?: readonly [number, number] | readonly [number];
  /** Every sample is below this (upper bound of the highest non-empty bucket); absent when
   * a sample is in the open last bucket, which has no upper bound. */
  readonly maxMs?: number;
}

export interface Verdict {
  readonly state: VerdictState;
  /** One sentence for people: why this state. */
  readonly reason: string;
  readonly evidence: Evidence;
}

const ms = (us: number): number => Math.round(us) / 1000;

/**
 * Judges one latency bound against a window of connects. The histogram is log2, so the
 * percentile is known to lie in a bucket [lo, hi): the bound holds if hi ≤ max, is
 * violated if lo > max, and only when the bucket straddles the bound is the linear
 * estimate inside the bucket compared. Too few samples is unknown, never a pass.
 */
export function judge(counts: DestCounters, maxMs: number, pct: Percentile, minSamples: number): Verdict {
  const samples = totalCount(counts.slots);
  const p50 = percentile(counts.slots, 0.5);
  const p99 = percentile(counts.slots, 0.99);
  const at = percentile(counts.slots, PERCENTILE_Q[pct]);
  const max = maxUpperUs(counts.slots);
  const evidence: Evidence = {
    samples,
    failures: counts.failures,
    rto: counts.rto,
    percentile: pct,
    ...(p50 ? { p50Ms: ms(p50.us) } : {}),
    ...(p99 ? { p99Ms: ms(p99.us) } : {}),
    // JSON has no Infinity: the open last bucket has only a lower bound.
    ...(at
      ? {
          valueMs: ms(at.us),
          bucketMs: Number.isFinite(at.upperUs)
            ? ([ms(at.lowerUs), ms(at.upperUs)] as const)
            : ([ms(at.lowerUs)] as const),
        }
      : {}),
    ...(max !== undefined && Number.isFinite(max) ? { maxMs: ms(max) } : {}),
  };
  if (!at || samples < minSamples) {
    const failed = counts.failures > 0 ? `, ${counts.failures} failed` : '';
    return {
      state: 'unknown',
      reason: `${samples} connect${samples === 1 ? '' : 's'} in the window${failed}; need ${minSamples}`,
      evidence,
    };
  }
  const boundUs = maxMs * 1000;
  const over = at.lowerUs > boundUs || (at.upperUs > boundUs && at.us > boundUs);
  const where = Number.isFinite(at.upperUs) ? `in [${ms(at.lowerUs)}, ${ms(at.upperUs)}) ms` : `≥ ${ms(at.lowerUs)} ms`;
  return over
    ? { state: 'violated', reason: `${pct} ${where} exceeds ${maxMs} ms over ${samples} connects`, evidence }
    : { state: 'holds', reason: `${pct} ${where} is within ${maxMs} ms over ${samples} connects`, evidence };
}
