import { StoreError, type StoreErrorCode } from './store-error.js';

/** SQLSTATEs and errnos whose plain meaning an operator needs more than the server's wording. */
const PLAIN: Readonly<Record<string, string>> = {
  '53100': 'no space left on device (the database disk is full)',
  ENOSPC: 'no space left on device (the database disk is full)',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the database folder is on a read-only file system',
  EACCES: 'permission denied',
  '57P01': 'the server closed the connection (it is shutting down or was restarted)',
  '57P02': 'the server closed the connection (crash shutdown)',
  '57P03': 'the server is not accepting connections yet',
  '08006': 'the connection to the server failed',
  '53300': 'the server has too many connections',
};

/**
 * Turns whatever a driver threw into a StoreError whose message is one line naming the cause.
 * drizzle wraps driver errors in a "Failed query: <sql> params: <every bound value>" error —
 * 1 MB for a large run — so the message is taken from the innermost cause, never from the
 * wrapper, and clipped.
 */
export function storeFault(
  err: unknown,
  doing: string,
  code: StoreErrorCode = 'STORE_WRITE_FAILED',
  scrub: (s: string) => string = (s) => s,
): StoreError {
  if (err instanceof StoreError) return err;
  const cause = innermost(err);
  const key =
    cause.code && PLAIN[cause.code]
      ? cause.code
      : /no space left on device/i.test(cause.message)
        ? 'ENOSPC'
        : undefined;
  const reason = key ? PLAIN[key]! : oneLine(scrub(cause.message)) || 'unknown error';
  return new StoreError(code, `${doing}: ${reason}${cause.code && !key ? ` (${cause.code})` : ''}`);
}

interface Cause {
  readonly message: string;
  readonly code?: string;
}

function innermost(err: unknown): Cause {
  let e: unknown = err;
  for (let depth = 0; depth < 10; depth++) {
    const next = (e as { cause?: unknown } | null)?.cause;
    if (next === undefined || next === null || next === e) break;
    e = next;
  }
  const o = (e ?? {}) as { message?: unknown; code?: unknown };
  const message = typeof o.message === 'string' ? o.message : String(e);
  return { message: isWrapper(message) ? '' : message, ...(typeof o.code === 'string' ? { code: o.code } : {}) };
}

/** drizzle's own wrapper text carries the statement and its parameters: never shown. */
function isWrapper(message: string): boolean {
  return /^Failed query:/.test(message);
}

function oneLine(s: string): string {
  const line = s.split(/\r?\n/)[0]?.trim() ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
