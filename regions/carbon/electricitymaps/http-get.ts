import { errors, request, type Dispatcher } from 'undici';
import type { Secret } from '../../../scheduler/config/secret.js';

/** How one GET is retried; every field has a production default in the source. */
export interface RetryPolicy {
  /** Retries after the first attempt, on 429, 5xx, timeouts and network errors. */
  readonly retries: number;
  /** Deadline for one attempt, connect to last body byte. */
  readonly timeoutMs: number;
  /** Backoff before retry n is random in [0, min(maxDelayMs, baseDelayMs * 2^n)) (full jitter). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the answer is "rate limited" now. */
  readonly maxRetryAfterMs: number;
}

/**
 * Largest answer read, in bytes. Real answers are small (a 10-day hourly past-range is about
 * 50 KB); the cap keeps memory bounded when an answer never ends or is absurdly large.
 */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export type HttpOutcome =
  | { readonly kind: 'json'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'status'; readonly status: number; readonly detail: string; readonly attempts: number }
  | { readonly kind: 'bad-body'; readonly status: number; readonly detail: string }
  | { readonly kind: 'timeout'; readonly attempts: number }
  | { readonly kind: 'network'; readonly detail: string; readonly attempts: number };

export interface HttpGetDeps {
  readonly dispatcher?: Dispatcher;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Called once per HTTP request actually sent (retries included): the quota meter. */
  readonly onRequest: () => void;
}

/**
 * GET a JSON document with the auth-token header, a per-attempt deadline (connect to last body
 * byte, so a slow endless body ends too), and retries with exponential backoff and full jitter
 * on 429 (honouring Retry-After), 5xx, timeouts and network errors. Other 4xx answers are
 * final, and so is a body over MAX_BODY_BYTES (asking again would only fetch it again). Never
 * throws; never puts the token in what it returns.
 */
export async function httpGetJson(
  url: string,
  token: Secret,
  policy: RetryPolicy,
  deps: HttpGetDeps,
): Promise<HttpOutcome> {
  let last: HttpOutcome = { kind: 'timeout', attempts: 0 };
  for (let attempt = 0; attempt <= policy.retries; attempt++) {
    const attempts = attempt + 1;
    let wait: number | undefined;
    try {
      deps.onRequest();
      const res = await request(url, {
        method: 'GET',
        headers: { 'auth-token': token.reveal(), accept: 'application/json' },
        signal: AbortSignal.timeout(policy.timeoutMs),
        headersTimeout: policy.timeoutMs,
        bodyTimeout: policy.timeoutMs,
        ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
      });
      const text = await readCapped(res, MAX_BODY_BYTES);
      if (text === undefined)
        return {
          kind: 'bad-body',
          status: res.statusCode,
          detail: `answer larger than the ${MAX_BODY_BYTES / 1024 / 1024} MiB limit`,
        };
      if (res.statusCode === 200)
        return parseJson(res.statusCode, contentType(res.headers['content-type']), text, token);
      last = { kind: 'status', status: res.statusCode, detail: token.scrub(errorDetail(text)), attempts };
      if (res.statusCode === 429) {
        const retryAfter = retryAfterMs(res.headers['retry-after']);
        if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) return last;
        wait = retryAfter;
      } else if (res.statusCode < 500) {
        return last;
      }
    } catch (err) {
      last = isTimeout(err)
        ? { kind: 'timeout', attempts }
        : { kind: 'network', detail: token.scrub(networkDetail(err)), attempts };
    }
    if (attempt < policy.retries) {
      const backoff = deps.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
      await deps.sleep(wait ?? backoff);
    }
  }
  return last;
}

/**
 * The body as text, or undefined as soon as it is known to exceed `limit` bytes (by its
 * Content-Length, or while reading). The body is then destroyed, which closes the connection:
 * an endless answer costs at most `limit` bytes and one chunk of memory.
 */
async function readCapped(res: Dispatcher.ResponseData, limit: number): Promise<string | undefined> {
  if (Number(res.headers['content-length']) > limit) {
    res.body.destroy();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      res.body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function parseJson(status: number, type: string, text: string, token: Secret): HttpOutcome {
  if (!/^application\/(.+\+)?json$/.test(type)) {
    return { kind: 'bad-body', status, detail: `content type "${token.scrub(type || 'none')}" instead of JSON` };
  }
  try {
    return { kind: 'json', status, body: JSON.parse(text) };
  } catch {
    return {
      kind: 'bad-body',
      status,
      detail: `malformed JSON (${text.length} bytes${text.length === 0 ? '' : ', truncated or invalid'})`,
    };
  }
}

function contentType(header: string | string[] | undefined): string {
  const h = Array.isArray(header) ? header[0] : header;
  return (h ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Retry-After as delay-seconds or an HTTP date. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const h = Array.isArray(header) ? header[0] : header;
  if (h === undefined || h.trim() === '') return undefined;
  if (/^\d+$/.test(h.trim())) return Number(h.trim()) * 1000;
  const date = Date.parse(h);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The `error` or `message` of an Electricity Maps error body, clipped. */
function errorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    const msg = typeof body.error === 'string' ? body.error : typeof body.message === 'string' ? body.message : '';
    return msg.slice(0, 200);
  } catch {
    return '';
  }
}

/** Whether undici or an AbortSignal.timeout gave up waiting (as opposed to a network error). */
export function isTimeout(err: unknown): boolean {
  if (
    err instanceof errors.HeadersTimeoutError ||
    err instanceof errors.BodyTimeoutError ||
    err instanceof errors.ConnectTimeoutError ||
    err instanceof errors.RequestAbortedError
  )
    return true;
  const name = (err as { name?: string } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

function networkDetail(err: unknown): string {
  const e = err as { code?: string; message?: string } | null;
  return (e?.code ?? e?.message ?? 'unknown error').slice(0, 200);
}
