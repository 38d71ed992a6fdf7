import { describe, expect, it } from 'vitest';
import { HIST_SLOTS } from './histogram.js';
import { EMPTY_COUNTERS, LatencyWindow, type DestCounters } from './latency-window.js';

/** Cumulative counters as the kernel reports them: `fast` connects in slot 6 (~50 µs), `slow` in slot 20 (~1 s). */
const counters = (fast: number, slow = 0, failures = 0, rto = 0): DestCounters => {
  const slots = new Array<number>(HIST_SLOTS).fill(0);
  slots[6] = fast;
  slots[20] = slow;
  return { slots, connects: fast + slow, failures, rto };
};

const WINDOW = 3000;

describe('LatencyWindow', () => {
  it('is empty with fewer than two readings', () => {
    const w = new LatencyWindow(WINDOW);
    expect(w.counts(0)).toEqual(EMPTY_COUNTERS);
    w.record(1000, counters(40, 2, 1, 1));
    expect(w.counts(1000)).toEqual(EMPTY_COUNTERS);
    expect(w.counts(10_000)).toEqual(EMPTY_COUNTERS);
  });

  it('counts the newest reading minus the base', () => {
    const w = new LatencyWindow(WINDOW);
    w.record(0, counters(10, 1, 2, 3));
    w.record(1000, counters(25, 4, 5, 4));
    expect(w.counts(1000)).toEqual(counters(15, 3, 3, 1));
  });

  it('drops readings older than the window: the base is the newest at or before its start', () => {
    const w = new LatencyWindow(WINDOW);
    for (let t = 0; t <= 5000; t += 1000) w.record(t, counters(t / 100)); // 10 connects a second
    // Window (2000, 5000]: base is the reading at 2000 (20 connects), newest 50.
    expect(w.counts(5000).connects).toBe(30);
    expect(w.counts(5000).slots[6]).toBe(30);
  });

  it('takes a reading exactly at the window’s start as the base', () => {
    const w = new LatencyWindow(WINDOW);
    for (let t = 0; t <= 3000; t += 1000) w.record(t, counters(t / 100));
    // Asked at 4000 the window is (1000, 4000]: based on the reading at 1000, not the one at 0.
    expect(w.counts(4000).connects).toBe(20);
    expect(w.counts(3000).connects).toBe(30);
  });

  it('forgets connects that happened before the window, however many there were', () => {
    const w = new LatencyWindow(WINDOW);
    w.record(0, counters(0));
    w.record(1000, counters(0, 500)); // a burst of slow connects
    for (let t = 2000; t <= 8000; t += 1000) w.record(t, counters(t / 100, 500));
    const c = w.counts(8000);
    expect(c.slots[20]).toBe(0);
    expect(c.slots[6]).toBe(30);
  });

  it('uses the oldest reading as the base while the window is not yet full', () => {
    const w = new LatencyWindow(60_000);
    w.record(0, counters(5));
    w.record(1000, counters(9));
    w.record(2000, counters(12));
    expect(w.counts(2000).connects).toBe(7);
  });

  it('restarts the window when a counter goes backwards, never producing negative counts', () => {
    const w = new LatencyWindow(WINDOW);
    w.record(0, counters(100, 10, 5, 5));
    w.record(1000, counters(150, 10, 5, 5));
    // The maps were purged and recreated: the kernel starts again from zero.
    w.record(2000, counters(3));
    expect(w.counts(2000)).toEqual(EMPTY_COUNTERS);
    w.record(3000, counters(8, 1));
    const c = w.counts(3000);
    expect(c).toEqual(counters(5, 1));
    expect([...c.slots, c.connects, c.failures, c.rto].every((n) => n >= 0)).toBe(true);
  });

  it('restarts on any counter going backwards: one slot, failures or retransmissions', () => {
    const before = counters(8, 2, 2, 2);
    const grown = counters(20, 2, 4, 4);
    const backwards: DestCounters[] = [
      { ...grown, slots: grown.slots.map((c, s) => (s === 20 ? 1 : c)) }, // only the slow slot shrank
      { ...grown, failures: 1 },
      { ...grown, rto: 1 },
    ];
    for (const back of backwards) {
      const w = new LatencyWindow(WINDOW);
      w.record(0, before);
      w.record(1000, back);
      expect(w.counts(1000)).toEqual(EMPTY_COUNTERS);
    }
    // The same readings without anything shrinking do count.
    const w = new LatencyWindow(WINDOW);
    w.record(0, before);
    w.record(1000, grown);
    expect(w.counts(1000)).toEqual(counters(12, 0, 2, 2));
  });

  it('counts the first connects of a key recorded as zero at the previous poll', () => {
    // The agent first sees this destination at t=1000, with 7 connects already counted.
    const w = new LatencyWindow(WINDOW);
    w.record(0, EMPTY_COUNTERS);
    w.record(1000, counters(7));
    expect(w.counts(1000)).toEqual(counters(7));
  });

  it('keeps its own copy of the slots', () => {
    const w = new LatencyWindow(WINDOW);
    const c = counters(1);
    w.record(0, c);
    (c.slots as number[])[6] = 1000;
    w.record(1000, counters(4));
    expect(w.counts(1000).connects).toBe(3);
    expect(w.counts(1000).slots[6]).toBe(3);
  });
});
