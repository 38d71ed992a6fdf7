/**
 * At most `limit` calls in flight at once (per cluster: an API server shared by many
 * clients should not see one scheduler open dozens of connections); the rest wait in order.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number >= 1, got ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing call hands its slot straight to the next waiter, so a newcomer arriving
    // in between cannot take it too.
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Calls in flight now (for tests and metrics). */
  get inFlight(): number {
    return this.active;
  }
}
