import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StoreError } from '../../db/store-error.js';
import { apiError, errorBody, type ApiError } from './api-error.js';
import { authorize, type ApiTokens } from './bearer-auth.js';
import { readJsonBody } from './read-body.js';
import { ROUTES, type ApiPorts, type Route, type RouteAnswer } from './routes.js';

export interface ApiLimits {
  /** Largest request body taken (a verdict report of 1,000 changes is ~600 KB). */
  readonly maxBodyBytes: number;
  /** Longest a request may take, from its first byte to the answer. */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = Object.freeze({ maxBodyBytes: 2 * 1024 * 1024, requestTimeoutMs: 10_000 });

export interface ApiServerOptions {
  readonly host: string;
  readonly port: number;
  readonly tokens: ApiTokens;
  readonly limits?: ApiLimits;
  /** Told of every answer (metrics, logs): the route's path as documented, never the URL asked for. */
  readonly onAnswer?: (route: string, method: string, status: number, ms: number) => void;
}

export interface ApiServer {
  /** `http://host:port`, the port as bound (0 asks for any free one). */
  readonly url: string;
  close(): Promise<void>;
}

interface Matched {
  readonly route: Route;
  readonly params: Record<string, string>;
}

/** The route a path names, its parameters, and the methods it allows (for a 405). */
function match(method: string, pathname: string): Matched | { readonly allowed: string[] } | undefined {
  const parts = pathname.split('/');
  const allowed: string[] = [];
  for (const route of ROUTES) {
    const pattern = route.path.split('/');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const fits = pattern.every((p, i) =>
      p.startsWith('{') ? ((params[p.slice(1, -1)] = decodeURIComponent(parts[i]!)), parts[i] !== '') : p === parts[i],
    );
    if (!fits) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  return allowed.length ? { allowed } : undefined;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

const isError = (a: RouteAnswer): a is ApiError => 'code' in a;

/** One request: route, credentials, body, the handler under a deadline; every failure a JSON error with a code. */
async function answer(
  ports: ApiPorts,
  o: ApiServerOptions,
  req: IncomingMessage,
): Promise<[string, RouteAnswer, Record<string, string>?]> {
  const limits = o.limits ?? DEFAULT_API_LIMITS;
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://api');
  } catch {
    return ['-', apiError(400, 'PATH_INVALID', 'the request target is not a path')];
  }
  let found: ReturnType<typeof match>;
  try {
    found = match(req.method ?? 'GET', url.pathname);
  } catch {
    // decodeURIComponent refuses a malformed escape (`/v1/runs/%E0`): the path names nothing.
    return ['-', apiError(400, 'PATH_INVALID', 'the path holds a malformed %-escape')];
  }
  if (!found) return ['-', apiError(404, 'ROUTE_UNKNOWN', `no route ${url.pathname.slice(0, 100)}`)];
  if ('allowed' in found)
    return [
      '-',
      apiError(405, 'METHOD_NOT_ALLOWED', `use ${found.allowed.join(' or ')}`),
      { allow: found.allowed.join(', ') },
    ];
  const { route, params } = found;
  if (route.scope !== 'none') {
    const auth = authorize(req.headers.authorization, route.scope, o.tokens);
    if (!auth.ok) return [route.path, apiError(auth.status, auth.code, auth.message)];
  }
  let body: unknown;
  if (route.takesBody) {
    const read = await readJsonBody(req, limits.maxBodyBytes);
    if (!read.ok) return [route.path, read.error];
    body = read.value;
  }
  try {
    return [
      route.path,
      await route.handle(ports, { params, query: url.searchParams, ...(route.takesBody ? { body } : {}) }),
    ];
  } catch (err) {
    if (err instanceof StoreError) return [route.path, apiError(503, err.code, err.message)];
    return [route.path, apiError(500, 'INTERNAL', 'the request failed inside shisa')];
  }
}

/**
 * The HTTP API on a plain node:http server: routes from one table (routes.ts), bearer tokens
 * with a read and a write scope, bodies bounded, every request bounded in time, every answer
 * JSON with a stable error code. Never echoes a token, a URL it was asked for beyond 100
 * characters, or a stack.
 */
export async function startApiServer(ports: ApiPorts, o: ApiServerOptions): Promise<ApiServer> {
  const limits = o.limits ?? DEFAULT_API_LIMITS;
  const server: Server = createServer((req, res) => {
    const started = performance.now();
    const timer = setTimeout(() => {
      send(res, 503, errorBody(apiError(503, 'REQUEST_TIMEOUT', `no answer within ${limits.requestTimeoutMs} ms`)));
      req.destroy();
    }, limits.requestTimeoutMs);
    void answer(ports, o, req)
      .then(([route, a, headers]) => {
        const status = a.status;
        // A refused body is not read to its end: close the connection rather than drain it.
        const close: Record<string, string> = status === 413 ? { connection: 'close' } : {};
        if ('text' in a) {
          res.writeHead(status, { 'content-type': a.contentType, 'cache-control': 'no-store' });
          res.end(a.text);
        } else send(res, status, isError(a) ? errorBody(a) : a.body, { ...headers, ...close });
        const ms = performance.now() - started;
        ports.metrics.observeRequest(route, req.method ?? 'GET', status, ms);
        o.onAnswer?.(route, req.method ?? 'GET', status, ms);
      })
      // Nothing a request does may take the service down: whatever escaped is a 500 with no detail.
      .catch(() => send(res, 500, errorBody(apiError(500, 'INTERNAL', 'the request failed inside shisa'))))
      .finally(() => clearTimeout(timer));
  });
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = Math.min(limits.requestTimeoutMs, 10_000);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
