import { desc, eq } from 'drizzle-orm';
import { getRun, listRuns } from '../../db/history.js';
import { runMigrations } from '../../db/migration-journal.js';
import { exceptions, migrations } from '../../db/schema.js';
import type { Store } from '../../db/store.js';
import { storeFault } from '../../db/store-fault.js';
import type { VerdictBoard } from '../gate/verdict-board.js';
import { apiError, type ApiError } from './api-error.js';
import type { Scope } from './bearer-auth.js';
import type { ServiceMetrics } from './metrics.js';
import type { ServicePort } from './service-port.js';
import { SingleFlight } from './single-flight.js';
import { parseVerdictReport } from './verdict-report.js';

/** What the API reads and writes: the store, the enforcers' verdict board, the clock, readiness. */
export interface ApiPorts {
  readonly store: Store;
  readonly board: VerdictBoard;
  readonly now: () => number;
  /** Why the service is not ready (no configuration loaded, the store unreachable), or undefined. */
  readonly notReady: () => Promise<string | undefined>;
  readonly metrics: ServiceMetrics;
  /** The running service: triggers and previews runs, knows the nodes (absent: those routes answer 503). */
  readonly service?: ServicePort;
}

export interface RouteRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The parsed JSON body, for a route that takes one. */
  readonly body?: unknown;
}

export type RouteAnswer =
  | { readonly status: number; readonly body: unknown }
  | { readonly status: number; readonly text: string; readonly contentType: string }
  | ApiError;

export interface Route {
  readonly method: 'GET' | 'POST';
  /** As the OpenAPI document writes it: `/v1/runs/{id}`. */
  readonly path: string;
  /** `none`: no token (probes). */
  readonly scope: Scope | 'none';
  readonly takesBody: boolean;
  handle(ports: ApiPorts, req: RouteRequest): Promise<RouteAnswer>;
}

const MAX_LIMIT = 500;

/**
 * The run list is what pollers ask for most, and changes at most once a run: asks share one
 * read per store and limit for up to a second (a new run is listed at most 1 s late).
 */
const RUN_LIST_FRESH_MS = 1000;
const runLists = new WeakMap<Store, SingleFlight<Awaited<ReturnType<typeof listRuns>>>>();
function listRunsShared(store: Store, limit: number) {
  let flight = runLists.get(store);
  if (!flight) runLists.set(store, (flight = new SingleFlight(RUN_LIST_FRESH_MS)));
  return flight.do(String(limit), () => listRuns(store, limit));
}

/** `?limit=` as a whole number 1…500 (default 50), or the error that says so. */
function limitOf(query: URLSearchParams): number | ApiError {
  const raw = query.get('limit');
  if (raw === null) return 50;
  const n = /^[0-9]{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
  return n >= 1 && n <= MAX_LIMIT
    ? n
    : apiError(
        400,
        'QUERY_INVALID',
        `limit: expected a whole number from 1 to ${MAX_LIMIT}, got "${raw.slice(0, 20)}"`,
      );
}

function idOf(raw: string | undefined): number | ApiError {
  const n = raw !== undefined && /^[1-9][0-9]{0,14}$/.test(raw) ? Number(raw) : Number.NaN;
  return Number.isSafeInteger(n) ? n : apiError(400, 'PATH_INVALID', 'expected a run number such as /v1/runs/12');
}

const notServing = () => apiError(503, 'NOT_SERVING', 'this API is not served by a running shisa serve');

/** A node name as Kubernetes allows it (a DNS subdomain), or the error that says so. */
function nodeOf(raw: string | undefined): string | ApiError {
  return raw !== undefined && /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(raw)
    ? raw
    : apiError(400, 'PATH_INVALID', 'expected a node name (a DNS subdomain) such as /v1/nodes/node-1');
}

const isError = (x: unknown): x is ApiError => typeof x === 'object' && x !== null && 'code' in x && 'status' in x;

async function read<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw storeFault(err, `cannot read ${what}`, 'STORE_READ_FAILED');
  }
}

/**
 * Every route of the API, one table: the server dispatches by it and the OpenAPI document is
 * checked against it (test/api/openapi.test.ts), so neither can name a route the other lacks.
 */
export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/healthz',
    scope: 'none',
    takesBody: false,
    handle: () => Promise.resolve({ status: 200, body: { status: 'ok' } }),
  },
  {
    method: 'GET',
    path: '/readyz',
    scope: 'none',
    takesBody: false,
    async handle(ports) {
      const why = await ports.notReady();
      return why ? apiError(503, 'NOT_READY', why) : { status: 200, body: { status: 'ready' } };
    },
  },
  {
    method: 'GET',
    path: '/metrics',
    scope: 'read',
    takesBody: false,
    async handle(ports) {
      const text = await ports.metrics.render();
      return { status: 200, text, contentType: ports.metrics.registry.contentType };
    },
  },
  {
    method: 'GET',
    path: '/v1/runs',
    scope: 'read',
    takesBody: false,
    async handle(ports, req) {
      const limit = limitOf(req.query);
      if (isError(limit)) return limit;
      return { status: 200, body: { runs: await listRunsShared(ports.store, limit) } };
    },
  },
  {
    method: 'GET',
    path: '/v1/runs/{id}',
    scope: 'read',
    takesBody: false,
    async handle(ports, req) {
      const id = idOf(req.params.id);
      if (isError(id)) return id;
      const found = await getRun(ports.store, id);
      if (!found) return apiError(404, 'RUN_UNKNOWN', `there is no run ${id}`);
      const moves = found.decisions.filter((d) => d.kind === 'move');
      const kept = found.decisions.filter((d) => d.kind === 'kept');
      const journaled = await runMigrations(ports.store, id);
      return { status: 200, body: { run: found.run, moves, kept, migrations: journaled } };
    },
  },
  {
    method: 'GET',
    path: '/v1/migrations',
    scope: 'read',
    takesBody: false,
    async handle(ports, req) {
      const limit = limitOf(req.query);
      if (isError(limit)) return limit;
      const rows = await read('the migration journal', () =>
        ports.store.db.select().from(migrations).orderBy(desc(migrations.id)).limit(limit),
      );
      return { status: 200, body: { migrations: rows } };
    },
  },
  {
    method: 'GET',
    path: '/v1/exceptions',
    scope: 'read',
    takesBody: false,
    async handle(ports, req) {
      const limit = limitOf(req.query);
      if (isError(limit)) return limit;
      const kind = req.query.get('kind');
      const rows = await read('the exceptions', () =>
        ports.store.db
          .select()
          .from(exceptions)
          .where(kind ? eq(exceptions.kind, kind) : undefined)
          .orderBy(desc(exceptions.id))
          .limit(limit),
      );
      return { status: 200, body: { exceptions: rows } };
    },
  },
  {
    method: 'POST',
    path: '/v1/runs',
    scope: 'write',
    takesBody: false,
    handle(ports) {
      if (!ports.service) return Promise.resolve(notServing());
      const answer = ports.service.trigger();
      if (answer.started) return Promise.resolve({ status: 202, body: { status: 'started' } });
      return Promise.resolve(apiError(answer.code === 'STOPPING' ? 503 : 409, answer.code, answer.message));
    },
  },
  {
    method: 'GET',
    path: '/v1/plan',
    scope: 'read',
    takesBody: false,
    async handle(ports) {
      if (!ports.service) return notServing();
      const preview = await ports.service.preview();
      return isError(preview) ? preview : { status: 200, body: preview.plan };
    },
  },
  {
    method: 'GET',
    path: '/v1/nodes/{node}',
    scope: 'read',
    takesBody: false,
    handle(ports, req) {
      const name = nodeOf(req.params.node);
      if (isError(name)) return Promise.resolve(name);
      if (!ports.service) return Promise.resolve(notServing());
      const view = ports.service.node(name);
      return Promise.resolve(
        typeof view === 'string' ? apiError(404, 'NODE_UNKNOWN', view) : { status: 200, body: view },
      );
    },
  },
  {
    method: 'POST',
    path: '/v1/verdicts',
    scope: 'write',
    takesBody: true,
    handle(ports, req) {
      const report = parseVerdictReport(req.body);
      if (!report.ok) return Promise.resolve(apiError(422, report.code, report.message));
      const receipt = ports.board.report(report.node, report.verdicts, ports.now());
      if (receipt.refused) return Promise.resolve(apiError(422, 'VERDICTS_REFUSED', receipt.refused));
      return Promise.resolve({ status: 202, body: { accepted: receipt.accepted } });
    },
  },
];
