import { createHash, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../config/secret.js';

/** What a route needs: reading state, or changing it (a run, a verdict). Write includes read. */
export type Scope = 'read' | 'write';

export interface ApiTokens {
  readonly read: readonly Secret[];
  readonly write: readonly Secret[];
}

/** The answer to a request's credentials: allowed, or the HTTP error with its stable code. */
export type AuthResult =
  | { readonly ok: true; readonly scope: Scope }
  | {
      readonly ok: false;
      readonly status: 401 | 403;
      readonly code: 'AUTH_MISSING' | 'AUTH_INVALID' | 'AUTH_SCOPE';
      readonly message: string;
    };

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <token>` against the tokens from the environment, in constant
 * time per token (both sides hashed first, so neither the length nor a prefix leaks through
 * timing). 401 without a valid token, 403 with a read token on a write route. Messages never
 * echo what was sent.
 */
export function authorize(header: string | string[] | undefined, needs: Scope, tokens: ApiTokens): AuthResult {
  const value = Array.isArray(header) ? undefined : header;
  if (value === undefined || value.trim() === '')
    return { ok: false, status: 401, code: 'AUTH_MISSING', message: 'an Authorization: Bearer token is required' };
  const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(value);
  if (!match)
    return { ok: false, status: 401, code: 'AUTH_INVALID', message: 'expected Authorization: Bearer <token>' };
  const sent = digest(match[1]!);
  const holds = (list: readonly Secret[]) =>
    list.reduce((found, t) => timingSafeEqual(sent, digest(t.reveal())) || found, false);
  const scope: Scope | undefined = holds(tokens.write) ? 'write' : holds(tokens.read) ? 'read' : undefined;
  if (!scope) return { ok: false, status: 401, code: 'AUTH_INVALID', message: 'the bearer token is not valid' };
  if (needs === 'write' && scope !== 'write')
    return { ok: false, status: 403, code: 'AUTH_SCOPE', message: 'this route needs a token with the write scope' };
  return { ok: true, scope };
}
