import { HIST_SLOTS } from './histogram.js';

/** Cumulative counters of one (cgroup, destination) as the kernel reports them. */
export interface DestCounters {
  readonly slots: readonly number[];
  readonly connects: number;
  readonly failures: number;
  readonly rto: number;
}

interface Sample extends DestCounters {
  readonly at: number;
}

export const EMPTY_COUNTERS: DestCounters = Object.freeze({
  slots: Object.freeze(new Array<number>(HIST_SLOTS).fill(0)),
  connects: 0,
  failures: 0,
  rto: 0,
});

/**
 * A sliding window over cumulative kernel counters: it keeps timestamped readings and
 * answers "what happened in the last `windowMs`" as the difference between the newest
 * reading and the newest one at or before the window's start. A counter that goes
 * backwards (the maps were purged or recreated) starts the window afresh rather than
 * producing negative counts.
 */
export class LatencyWindow {
  private readonly readings: Sample[] = [];

  constructor(private readonly windowMs: number) {}

  record(at: number, counters: DestCounters): void {
    const last = this.readings.at(-1);
    if (last && wentBackwards(last, counters)) this.readings.length = 0;
    this.readings.push({ at, ...counters, slots: [...counters.slots] });
    // Keep one reading at or before the window start as the base; drop older ones.
    const start = at - this.windowMs;
    while (this.readings.length >= 2 && this.readings[1]!.at <= start) this.readings.shift();
  }

  /**
   * What happened in the window ending at `now`: newest reading minus the newest one at or
   * before the window's start (the oldest kept, if none is that old). A key that appears
   * after polling began should first be recorded as zero at the previous poll, so its
   * first connects count.
   */
  counts(now: number): DestCounters {
    const newest = this.readings.at(-1);
    if (!newest || this.readings.length < 2) return EMPTY_COUNTERS;
    const start = now - this.windowMs;
    let base = this.readings[0]!;
    for (const r of this.readings) if (r.at <= start) base = r;
    if (base === newest) return EMPTY_COUNTERS;
    return {
      slots: newest.slots.map((c, s) => c - (base.slots[s] ?? 0)),
      connects: newest.connects - base.connects,
      failures: newest.failures - base.failures,
      rto: newest.rto - base.rto,
    };
  }
}

function wentBackwards(a: DestCounters, b: DestCounters): boolean {
  return (
    b.connects < a.connects || b.failures < a.failures || b.rto < a.rto || b.slots.some((c, s) => c < (a.slots[s] ?? 0))
  );
}
