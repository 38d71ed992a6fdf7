/** How long the outbox waits before trying a message again. */
export interface BackoffPolicy {
  /** First retry waits up to this long; each further one up to twice the last. */
  readonly baseMs: number;
  /** No wait is longer, however many attempts failed (and whatever Retry-After said). */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ baseMs: 2_000, maxMs: 10 * 60_000 });

/**
 * The wait before attempt `failed + 1`, after `failed` attempts that failed. A Retry-After
 * from Slack is honoured as given (it knows its rate window; waiting less only earns another
 * 429), clipped to the policy's maximum. Otherwise exponential with full jitter, so senders
 * that failed together do not all come back at the same instant.
 */
export function retryDelayMs(
  failed: number,
  retryAfterMs: number | undefined,
  policy: BackoffPolicy,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxMs, Math.max(0, retryAfterMs));
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(failed - 1, 0), 30));
  return Math.floor(random() * ceiling);
}
