/**
 * Shares reads of the same thing among callers: those asking for `key` while a read of it is
 * in flight, or within `freshForMs` after it finished, get that read's answer instead of a
 * read of their own. Under many pollers (dashboards, 200 connections on GET /v1/runs) the
 * store sees at most one read per key per `freshForMs`, and an answer is never older than
 * that. A failed read is not kept: the next caller reads again.
 */
export class SingleFlight<T> {
  readonly #kept = new Map<string, { readonly answer: Promise<T>; settledAt?: number }>();

  constructor(
    private readonly freshForMs = 0,
    private readonly now: () => number = () => performance.now(),
  ) {}

  do(key: string, read: () => Promise<T>): Promise<T> {
    const kept = this.#kept.get(key);
    if (kept && (kept.settledAt === undefined || this.now() - kept.settledAt < this.freshForMs)) return kept.answer;
    const entry: { answer: Promise<T>; settledAt?: number } = { answer: read() };
    entry.answer.then(
      () => (entry.settledAt = this.now()),
      () => this.#kept.get(key) === entry && this.#kept.delete(key),
    );
    this.#kept.set(key, entry);
    return entry.answer;
  }
}
