import type { ApiTokens } from '../api/bearer-auth.js';
import type { Environment } from './environment.js';

/** The variables the API's bearer tokens come from (never from a file). */
export const READ_TOKEN_ENV = 'SHISA_API_READ_TOKEN';
export const WRITE_TOKEN_ENV = 'SHISA_API_WRITE_TOKEN';

/** How `shisa serve` runs, beyond what the fleet file says: checked once, then frozen. */
export interface ServeSettings {
  readonly host: string;
  readonly port: number;
  readonly tokens: ApiTokens;
  /** How long SIGTERM waits for in-flight steps to be journaled before the process exits anyway. */
  readonly shutdownMs: number;
  /** How often the outbox worker looks for messages due (it is also woken when a run writes some). */
  readonly deliveryEveryMs: number;
  /** Said once at start: what is missing and what it means (no token: those routes answer 401). */
  readonly warnings: readonly string[];
}

export interface ServeArguments {
  readonly listen?: { readonly host: string; readonly port: number };
  readonly shutdownSeconds?: number;
}

export const DEFAULT_LISTEN = Object.freeze({ host: '127.0.0.1', port: 8470 });

export function serveSettings(args: ServeArguments, env: Environment): ServeSettings {
  const read = env.secret(READ_TOKEN_ENV);
  const write = env.secret(WRITE_TOKEN_ENV);
  const warnings: string[] = [];
  if (!write)
    warnings.push(
      `${WRITE_TOKEN_ENV} is not set: POST /v1/verdicts and POST /v1/runs answer 401, so no enforcer ` +
        'can report, and a move of a workload with eBPF-verified checks is rolled back (unknown never passes)',
    );
  if (!read && !write) warnings.push(`${READ_TOKEN_ENV} is not set: every route but the probes answers 401`);
  const listen = args.listen ?? DEFAULT_LISTEN;
  return Object.freeze({
    host: listen.host,
    port: listen.port,
    tokens: Object.freeze({ read: read ? [read] : [], write: write ? [write] : [] }),
    shutdownMs: (args.shutdownSeconds ?? 30) * 1000,
    deliveryEveryMs: 1000,
    warnings: Object.freeze(warnings),
  });
}
