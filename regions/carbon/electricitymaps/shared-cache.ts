/**
 * Answers shared by key: concurrent callers of the same key share one in-flight call, and a
 * good answer is reused until its TTL runs out. This is what keeps a run over 40 regions at
 * one upstream call per zone and endpoint per TTL, whatever the planner asks.
 */
export class SharedCache<T> {
  private readonly entries = new Map<string, { promise: Promise<T>; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    /** Whether an answer may be kept for the TTL (failures usually may not). */
    private readonly keep: (value: T) => boolean,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) return hit.promise;
    const entry = { promise: load(), expires: Infinity };
    this.entries.set(key, entry);
    entry.promise.then(
      (value) => {
        if (this.entries.get(key) !== entry) return;
        if (this.keep(value)) entry.expires = this.now() + this.ttlMs;
        else this.entries.delete(key);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.promise;
  }
}
