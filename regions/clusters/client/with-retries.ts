import { classifyClusterError, type ClusterFault } from './cluster-fault.js';

/** How one cluster call is tried: a timeout on each attempt, backoff with jitter between them. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Backoff before retry n (from 0) is drawn from [0, min(capMs, baseMs × 2^n)) ("full jitter"). */
  readonly baseMs: number;
  readonly capMs: number;
  /** Each attempt is aborted after this long. */
  readonly timeoutMs: number;
  /** A Retry-After longer than this is not waited for: the call fails throttled instead. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  attempts: 4,
  baseMs: 200,
  capMs: 5_000,
  timeoutMs: 10_000,
  maxRetryAfterMs: 30_000,
});

/** The clock, the sleep and the randomness retries use: real ones in production, fixed in tests. */
export interface RetryPorts {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** In [0, 1). */
  random(): number;
}

export const realRetryPorts: RetryPorts = Object.freeze({
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
});

export type Attempted<T> =
  | { readonly ok: true; readonly value: T; readonly attempts: number }
  | { readonly ok: false; readonly fault: ClusterFault; readonly attempts: number };

/**
 * Runs `call` until it succeeds, fails for good (401, 403, other 4xx, an untrusted
 * certificate), or runs out of attempts. Throttling (429) waits what Retry-After says,
 * 5xx and connection errors back off with jitter, so that many shisa replicas retrying
 * together do not hammer an API server in step. Every attempt gets its own abort signal.
 */
export async function withRetries<T>(
  call: (signal: AbortSignal) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  ports: RetryPorts = realRetryPorts,
): Promise<Attempted<T>> {
  for (let attempt = 1; ; attempt++) {
    const tried = await attemptOnce(call, policy.timeoutMs, ports);
    if (tried.ok) return { ok: true, value: tried.value, attempts: attempt };
    const wait =
      tried.fault.retryable && attempt < policy.attempts
        ? delayBefore(attempt - 1, tried.fault, policy, () => ports.random())
        : undefined;
    if (wait === undefined) return { ok: false, fault: tried.fault, attempts: attempt };
    await ports.sleep(wait);
  }
}

/** How long to wait before retry `n` (from 0), or undefined when the server asks for longer than we wait. */
export function delayBefore(
  n: number,
  fault: ClusterFault,
  policy: RetryPolicy,
  random: () => number,
): number | undefined {
  if (fault.retryAfterMs !== undefined)
    return fault.retryAfterMs > policy.maxRetryAfterMs ? undefined : fault.retryAfterMs;
  return Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** n));
}

async function attemptOnce<T>(
  call: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  ports: RetryPorts,
): Promise<{ ok: true; value: T } | { ok: false; fault: ClusterFault }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    return { ok: true, value: await call(abort.signal) };
  } catch (err) {
    const timedOut = abort.signal.aborted;
    const fault = classifyClusterError(timedOut ? { name: 'AbortError' } : err, timeoutMs, ports.now());
    return { ok: false, fault };
  } finally {
    clearTimeout(timer);
  }
}
