/**
 * Bounds migrations under way: at most `total` at once, and at most `perCluster` touching
 * any one cluster (as source or as target). A migration waits until both have room, and
 * one that fits starts even when an earlier one is still waiting for a busy cluster, so a
 * batch whose moves mostly go to one region does not hold the others back.
 */
export class MigrationSlots {
  private running = 0;
  private readonly byCluster = new Map<string, number>();
  private readonly waiting: { readonly clusters: readonly string[]; readonly start: () => void }[] = [];

  constructor(
    private readonly total: number,
    private readonly perCluster: number,
  ) {
    for (const [what, n] of [
      ['total', total],
      ['perCluster', perCluster],
    ] as const)
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`${what} must be a whole number >= 1, got ${n}`);
  }

  async run<T>(clusters: readonly string[], task: () => Promise<T>): Promise<T> {
    const distinct = [...new Set(clusters)];
    // A waiter's slots are taken for it by wake(), before it is started.
    if (this.fits(distinct)) this.take(distinct, 1);
    else await new Promise<void>((start) => this.waiting.push({ clusters: distinct, start }));
    try {
      return await task();
    } finally {
      this.take(distinct, -1);
      this.wake();
    }
  }

  /** Migrations under way now. */
  get inFlight(): number {
    return this.running;
  }

  private fits(clusters: readonly string[]): boolean {
    return this.running < this.total && clusters.every((c) => (this.byCluster.get(c) ?? 0) < this.perCluster);
  }

  private take(clusters: readonly string[], n: 1 | -1): void {
    this.running += n;
    for (const c of clusters) this.byCluster.set(c, (this.byCluster.get(c) ?? 0) + n);
  }

  /** Starts, in order, every waiter that fits now (each taking its slots before the next is looked at). */
  private wake(): void {
    for (let i = 0; i < this.waiting.length;) {
      const w = this.waiting[i]!;
      if (!this.fits(w.clusters)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.take(w.clusters, 1);
      w.start();
    }
  }
}
