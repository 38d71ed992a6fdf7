import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addSlots, HIST_SLOTS, maxUpperUs, percentile, slotLowerUs, slotUpperUs, totalCount } from './histogram.js';

/** A histogram with `count` samples in each given slot. */
const hist = (counts: Readonly<Record<number, number>>): number[] => {
  const slots = new Array<number>(HIST_SLOTS).fill(0);
  for (const [s, c] of Object.entries(counts)) slots[Number(s)] = c;
  return slots;
};

/** The slot the kernel puts a latency of `us` microseconds in (bpf/shisa.h). */
const slotOf = (us: number): number => Math.min(HIST_SLOTS - 1, us < 1 ? 0 : Math.floor(Math.log2(us)) + 1);

describe('histogram slots', () => {
  it('has 27 slots, as SHISA_HIST_SLOTS in bpf/shisa.h', () => {
    expect(HIST_SLOTS).toBe(27);
  });

  it('puts slot 0 at [0, 1) µs and slot k at [2^(k-1), 2^k) µs', () => {
    expect([slotLowerUs(0), slotUpperUs(0)]).toEqual([0, 1]);
    expect([slotLowerUs(1), slotUpperUs(1)]).toEqual([1, 2]);
    expect([slotLowerUs(2), slotUpperUs(2)]).toEqual([2, 4]);
    expect([slotLowerUs(6), slotUpperUs(6)]).toEqual([32, 64]);
    expect([slotLowerUs(14), slotUpperUs(14)]).toEqual([8192, 16384]);
    expect([slotLowerUs(25), slotUpperUs(25)]).toEqual([2 ** 24, 2 ** 25]);
  });

  it('leaves the last slot open: everything from 2^25 µs (~33 s) up', () => {
    expect(slotLowerUs(HIST_SLOTS - 1)).toBe(2 ** 25);
    expect(slotUpperUs(HIST_SLOTS - 1)).toBe(Infinity);
  });

  it('tiles the line: each slot starts where the previous one ends', () => {
    for (let s = 1; s < HIST_SLOTS; s++) expect(slotLowerUs(s)).toBe(slotUpperUs(s - 1));
  });

  it('agrees with the kernel’s bucketing: a latency lies inside its own slot', () => {
    for (const us of [0, 0.5, 1, 1.9, 2, 3, 50, 63, 64, 1000, 15_000, 999_999, 2 ** 25 - 1, 2 ** 25, 1e9]) {
      const s = slotOf(us);
      expect(us).toBeGreaterThanOrEqual(slotLowerUs(s));
      expect(us).toBeLessThan(slotUpperUs(s));
    }
  });
});

describe('percentile', () => {
  it('is undefined for an empty histogram', () => {
    expect(percentile(hist({}), 0.5)).toBeUndefined();
    expect(percentile([], 0.99)).toBeUndefined();
  });

  it('finds the bucket by nearest rank: p99 of 99 fast and 1 slow sample is fast, p999 is slow', () => {
    // 99 connects around 50 µs (slot 6, [32, 64)) and one around 1 s (slot 20, [524288, 1048576)).
    const slots = hist({ 6: 99, 20: 1 });
    const p99 = percentile(slots, 0.99)!;
    expect([p99.lowerUs, p99.upperUs]).toEqual([32, 64]);
    expect(p99.us).toBe(64); // rank 99 of 99 in the bucket: its top
    const p999 = percentile(slots, 0.999)!;
    expect([p999.lowerUs, p999.upperUs]).toEqual([2 ** 19, 2 ** 20]);
    expect(percentile(slots, 1)).toEqual(p999);
  });

  it('interpolates linearly inside the bucket', () => {
    // 100 samples in [8192, 16384): the median is half-way, p99 at 99/100 of it.
    const slots = hist({ 14: 100 });
    expect(percentile(slots, 0.5)?.us).toBe(8192 + 4096);
    expect(percentile(slots, 0.99)?.us).toBeCloseTo(8192 + 8192 * 0.99, 9);
    // 10 below, 10 in the bucket: p55 is rank 11, the first sample of the bucket.
    expect(percentile(hist({ 13: 10, 14: 10 }), 0.55)?.us).toBeCloseTo(8192 + 8192 / 10, 9);
  });

  it('takes the lower bound for the open last bucket', () => {
    expect(percentile(hist({ [HIST_SLOTS - 1]: 5 }), 0.99)).toEqual({
      us: 2 ** 25,
      lowerUs: 2 ** 25,
      upperUs: Infinity,
    });
  });

  it('counts at least one sample for tiny quantiles', () => {
    expect(percentile(hist({ 3: 1, 9: 1000 }), 0.000001)).toMatchObject({ lowerUs: 4, upperUs: 8 });
  });

  it('stays inside its bucket and grows with q (property)', () => {
    const counts = fc
      .array(fc.nat({ max: 1000 }), { minLength: HIST_SLOTS, maxLength: HIST_SLOTS })
      .filter((s) => totalCount(s) > 0);
    const q = fc.double({ min: 0.0001, max: 1, noNaN: true });
    fc.assert(
      fc.property(counts, q, q, (slots, q1, q2) => {
        const [lo, hi] = q1 <= q2 ? [q1, q2] : [q2, q1];
        const a = percentile(slots, lo)!;
        const b = percentile(slots, hi)!;
        for (const e of [a, b]) {
          expect(e.us).toBeGreaterThanOrEqual(e.lowerUs);
          expect(e.us).toBeLessThanOrEqual(e.upperUs);
        }
        expect(b.us).toBeGreaterThanOrEqual(a.us);
        expect(b.lowerUs).toBeGreaterThanOrEqual(a.lowerUs);
      }),
      { numRuns: 500 },
    );
  });

  it('brackets the true nearest-rank percentile of raw samples (property)', () => {
    const samples = fc.array(fc.integer({ min: 0, max: 2 ** 26 }), { minLength: 1, maxLength: 300 });
    fc.assert(
      fc.property(samples, fc.constantFrom(0.5, 0.9, 0.95, 0.99, 0.999), (us, q) => {
        const slots = hist({});
        for (const u of us) slots[slotOf(u)]! += 1;
        const sorted = [...us].sort((x, y) => x - y);
        const truth = sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
        const e = percentile(slots, q)!;
        expect(truth).toBeGreaterThanOrEqual(e.lowerUs);
        expect(truth).toBeLessThan(e.upperUs);
      }),
      { numRuns: 300 },
    );
  });
});

describe('maxUpperUs', () => {
  it('is the upper bound of the highest non-empty bucket', () => {
    expect(maxUpperUs(hist({ 2: 7, 6: 99, 20: 1 }))).toBe(2 ** 20);
    expect(maxUpperUs(hist({ 0: 3 }))).toBe(1);
    expect(maxUpperUs(hist({ 4: 1, [HIST_SLOTS - 1]: 1 }))).toBe(Infinity);
  });

  it('is undefined for an empty histogram', () => {
    expect(maxUpperUs(hist({}))).toBeUndefined();
  });
});

describe('totalCount and addSlots', () => {
  it('sums counts, and adds histograms slot by slot', () => {
    const into = hist({ 1: 2, 6: 3 });
    addSlots(into, hist({ 6: 4, 26: 1 }));
    expect(into).toEqual(hist({ 1: 2, 6: 7, 26: 1 }));
    expect(totalCount(into)).toBe(10);
  });

  it('treats a short or empty accumulator as zeros', () => {
    const into: number[] = [];
    addSlots(into, hist({ 3: 5 }));
    expect(into).toHaveLength(HIST_SLOTS);
    expect(into[3]).toBe(5);
    expect(totalCount(into)).toBe(5);
  });
});
