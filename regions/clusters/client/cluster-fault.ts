import { redactSecrets } from '../../../scheduler/diagnostics/redact.js';

/**
 * Why a cluster could not be read. A value, like a stale carbon zone: the run goes on with
 * the other clusters and marks this one's regions unknown. Stable codes for scripts.
 */
export type ClusterFaultCode =
  | 'CLUSTER_UNREACHABLE'
  | 'CLUSTER_TIMEOUT'
  | 'CLUSTER_UNAUTHORIZED'
  | 'CLUSTER_FORBIDDEN'
  | 'CLUSTER_THROTTLED'
  | 'CLUSTER_SERVER_ERROR'
  | 'CLUSTER_BAD_RESPONSE';

export interface ClusterFault {
  readonly code: ClusterFaultCode;
  /** One line, for people; never holds a credential. */
  readonly message: string;
  /** Whether trying again may help (throttling, server errors, connection trouble). */
  readonly retryable: boolean;
  /** What the server asked us to wait before trying again (Retry-After), ms. */
  readonly retryAfterMs?: number;
  /** The HTTP status, when the server answered. */
  readonly status?: number;
}

/** Error codes of a connection that never got an answer. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

const TLS_CODES =
  /^(ERR_TLS_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_)/;

/**
 * Classifies what a Kubernetes client call threw: an ApiException (the server answered),
 * an abort (our timeout), or a connection error. `nowMs` dates an HTTP-date Retry-After.
 */
export function classifyClusterError(err: unknown, timeoutMs: number, nowMs: number): ClusterFault {
  const e = err as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    headers?: unknown;
    body?: unknown;
    type?: unknown;
  };
  if (typeof e?.code === 'number') return fromStatus(e.code, e.headers, e.body, nowMs);
  if (e?.name === 'AbortError' || e?.type === 'aborted' || e?.name === 'TimeoutError')
    return fault('CLUSTER_TIMEOUT', `no answer within ${timeoutMs} ms`, true);
  const code = errorCode(err);
  if (code && TLS_CODES.test(code))
    return fault('CLUSTER_UNREACHABLE', `the server's TLS certificate is not trusted (${code})`, false);
  if (code && CONNECTION_CODES.has(code)) return fault('CLUSTER_UNREACHABLE', `cannot connect (${code})`, true);
  const message = typeof e?.message === 'string' ? firstLine(e.message) : String(err);
  return fault('CLUSTER_UNREACHABLE', message, true);
}

function fromStatus(status: number, headers: unknown, body: unknown, nowMs: number): ClusterFault {
  const said = statusMessage(body);
  const detail = said ? `: ${said}` : '';
  if (status === 401)
    return fault(
      'CLUSTER_UNAUTHORIZED',
      `the server refused the credentials (401 Unauthorized)${detail}`,
      false,
      status,
    );
  if (status === 403) return fault('CLUSTER_FORBIDDEN', `not allowed (403 Forbidden)${detail}`, false, status);
  if (status === 429) {
    const after = retryAfterMs(header(headers, 'retry-after'), nowMs);
    return {
      ...fault('CLUSTER_THROTTLED', `throttled (429 Too Many Requests)${detail}`, true, status),
      ...(after !== undefined ? { retryAfterMs: after } : {}),
    };
  }
  if (status >= 500) {
    const after = retryAfterMs(header(headers, 'retry-after'), nowMs);
    return {
      ...fault('CLUSTER_SERVER_ERROR', `the server failed (${status})${detail}`, true, status),
      ...(after !== undefined ? { retryAfterMs: after } : {}),
    };
  }
  return fault('CLUSTER_BAD_RESPONSE', `unexpected answer ${status}${detail}`, false, status);
}

function fault(code: ClusterFaultCode, message: string, retryable: boolean, status?: number): ClusterFault {
  return Object.freeze({
    code,
    message: redactSecrets(message),
    retryable,
    ...(status !== undefined ? { status } : {}),
  });
}

/** Retry-After as delta-seconds or an HTTP-date, in ms from now; undefined when absent or nonsense. */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,6}$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (!/[a-z]/i.test(text) || Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  for (const [k, v] of Object.entries(headers as Record<string, unknown>))
    if (k.toLowerCase() === name) return typeof v === 'string' ? v : Array.isArray(v) ? String(v[0]) : undefined;
  return undefined;
}

/** The `message` of a Kubernetes Status body (client-node gives the raw JSON text), clipped. */
function statusMessage(body: unknown): string | undefined {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message.trim() ? clipLine(message) : undefined;
}

function errorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string') return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

const firstLine = (s: string): string => clipLine(s.split('\n')[0] ?? '');
const clipLine = (s: string): string => {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
};
