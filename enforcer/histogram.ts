/**
 * The kernel's log2 latency histogram (bpf/shisa.h): slot 0 counts connects under 1 µs,
 * slot k ≥ 1 counts [2^(k-1), 2^k) µs, and the last slot everything from 2^25 µs up.
 * Percentiles from it are known to within one bucket; verdicts use the bucket's bounds
 * first and interpolate only when the bound straddles the bucket (see verdict.ts).
 */

export const HIST_SLOTS = 27;

/** Lower bound of a slot in µs. */
export function slotLowerUs(slot: number): number {
  return slot === 0 ? 0 : 2 ** (slot - 1);
}

/** Upper bound of a slot in µs (Infinity for the last, open-ended slot). */
export function slotUpperUs(slot: number): number {
  return slot >= HIST_SLOTS - 1 ? Infinity : 2 ** slot;
}

export function totalCount(slots: readonly number[]): number {
  let n = 0;
  for (const c of slots) n += c;
  return n;
}

export interface PercentileEstimate {
  /** Linear interpolation inside the bucket, µs (the lower bound for the open last bucket). */
  readonly us: number;
  /** The bucket the percentile falls in, µs. */
  readonly lowerUs: number;
  readonly upperUs: number;
}

/**
 * The q-quantile (0 < q ≤ 1) of the counts, by nearest rank: the smallest bucket whose
 * cumulative count reaches ceil(q·n). Undefined for an empty histogram.
 */
export function percentile(slots: readonly number[], q: number): PercentileEstimate | undefined {
  const n = totalCount(slots);
  if (n === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * n));
  let below = 0;
  for (let s = 0; s < slots.length; s++) {
    const c = slots[s] ?? 0;
    if (c > 0 && below + c >= rank) {
      const lower = slotLowerUs(s);
      const upper = slotUpperUs(s);
      const us = Number.isFinite(upper) ? lower + ((upper - lower) * (rank - below)) / c : lower;
      return { us, lowerUs: lower, upperUs: upper };
    }
    below += c;
  }
  return undefined;
}

/** Upper bound of the highest non-empty bucket: every sample is below it. */
export function maxUpperUs(slots: readonly number[]): number | undefined {
  for (let s = slots.length - 1; s >= 0; s--) if ((slots[s] ?? 0) > 0) return slotUpperUs(s);
  return undefined;
}

export function addSlots(into: number[], from: readonly number[]): void {
  for (let s = 0; s < HIST_SLOTS; s++) into[s] = (into[s] ?? 0) + (from[s] ?? 0);
}
