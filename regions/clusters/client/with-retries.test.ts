import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './cluster-fault.js';
import { delayBefore, withRetries, type RetryPolicy, type RetryPorts } from './with-retries.js';

const policy: RetryPolicy = { attempts: 4, baseMs: 200, capMs: 1_000, timeoutMs: 50, maxRetryAfterMs: 5_000 };

/** Fixed randomness and a sleep that only records: the schedule is exact. */
function ports(random = 0.5): RetryPorts & { slept: number[] } {
  const slept: number[] = [];
  return {
    slept,
    now: () => Date.UTC(2026, 11, 2, 12),
    sleep: (ms) => (slept.push(ms), Promise.resolve()),
    random: () => random,
  };
}

const apiError = (code: number, headers: Record<string, string> = {}, body?: string) =>
  Object.assign(new Error(`HTTP-Code: ${code}`), { code, headers, body });
const connectionError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });

describe('withRetries', () => {
  it('retries 5xx and connection errors with full-jitter backoff, then succeeds', async () => {
    const p = ports(0.5);
    const answers = [apiError(503), connectionError('ECONNREFUSED'), apiError(500)];
    const r = await withRetries(
      () => (answers.length ? Promise.reject(answers.shift()!) : Promise.resolve('ok')),
      policy,
      p,
    );
    expect(r).toEqual({ ok: true, value: 'ok', attempts: 4 });
    expect(p.slept).toEqual([100, 200, 400]); // 0.5 × 200·2^n
  });

  it('waits what Retry-After says on 429, in seconds or as an HTTP date', async () => {
    const p = ports();
    const date = new Date(p.now() + 3_000).toUTCString();
    const answers = [apiError(429, { 'Retry-After': '2' }), apiError(429, { 'retry-after': date })];
    const r = await withRetries(
      () => (answers.length ? Promise.reject(answers.shift()!) : Promise.resolve(1)),
      policy,
      p,
    );
    expect(r.ok).toBe(true);
    expect(p.slept).toEqual([2_000, 3_000]);
  });

  it('gives up at once when the server asks to wait longer than it will', async () => {
    const p = ports();
    const r = await withRetries(() => Promise.reject(apiError(429, { 'retry-after': '600' })), policy, p);
    expect(r).toMatchObject({ ok: false, attempts: 1, fault: { code: 'CLUSTER_THROTTLED', retryAfterMs: 600_000 } });
    expect(p.slept).toEqual([]);
  });

  it('does not retry 401, 403 or other 4xx, and says what the server said without the token', async () => {
    for (const [status, code] of [
      [401, 'CLUSTER_UNAUTHORIZED'],
      [403, 'CLUSTER_FORBIDDEN'],
      [404, 'CLUSTER_BAD_RESPONSE'],
    ] as const) {
      const p = ports();
      const body = JSON.stringify({
        kind: 'Status',
        message: 'token "Bearer abcdefghijklmnopqrstuvwxyz0123456789" is bad',
      });
      const r = await withRetries(() => Promise.reject(apiError(status, {}, body)), policy, p);
      expect(r).toMatchObject({ ok: false, attempts: 1, fault: { code, status, retryable: false } });
      expect(p.slept).toEqual([]);
      if (!r.ok) expect(r.fault.message).not.toContain('abcdefghijklmnopqrstuvwxyz0123456789');
    }
  });

  it('aborts an attempt that takes longer than the timeout, and counts it as a timeout', async () => {
    const p = ports();
    let aborted = 0;
    const r = await withRetries(
      (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            aborted++;
            reject(Object.assign(new Error('The user aborted a request.'), { name: 'AbortError' }));
          }),
        ),
      { ...policy, attempts: 2 },
      p,
    );
    expect(r).toMatchObject({
      ok: false,
      attempts: 2,
      fault: { code: 'CLUSTER_TIMEOUT', message: 'no answer within 50 ms' },
    });
    expect(aborted).toBe(2);
  });

  it('stops after its attempts, with the last fault', async () => {
    const p = ports(0.999);
    const r = await withRetries(() => Promise.reject(apiError(502)), policy, p);
    expect(r).toMatchObject({ ok: false, attempts: 4, fault: { code: 'CLUSTER_SERVER_ERROR', status: 502 } });
    expect(p.slept).toEqual([199, 399, 799]);
  });

  it('refuses an untrusted certificate without retrying', async () => {
    const p = ports();
    const r = await withRetries(() => Promise.reject(connectionError('DEPTH_ZERO_SELF_SIGNED_CERT')), policy, p);
    expect(r).toMatchObject({ ok: false, attempts: 1, fault: { code: 'CLUSTER_UNREACHABLE', retryable: false } });
  });
});

describe('backoff', () => {
  it('caps the exponential window', () => {
    const fault = { code: 'CLUSTER_SERVER_ERROR', message: '', retryable: true } as const;
    expect([0, 1, 2, 3, 10].map((n) => delayBefore(n, fault, policy, () => 0.9999))).toEqual([199, 399, 799, 999, 999]);
  });

  it('reads Retry-After as seconds or an HTTP date, and ignores nonsense', () => {
    const now = Date.UTC(2026, 11, 2, 12);
    expect(retryAfterMs('5', now)).toBe(5_000);
    expect(retryAfterMs(new Date(now + 1_500).toUTCString(), now)).toBe(1_000); // HTTP dates have whole seconds
    expect(retryAfterMs(new Date(now - 60_000).toUTCString(), now)).toBe(0);
    for (const junk of ['', '-1', '1e9', 'soon', '12345678', '1.5'])
      expect(retryAfterMs(junk, now), junk).toBeUndefined();
  });
});
