// A fake Kubernetes API server for tests: a real HTTPS server (node:https) on 127.0.0.1, port 0,
// speaking the API server's wire protocol, so real clients (kubectl, @kubernetes/client-node,
// shisa's cluster client) can be pointed at it and exercised end to end, failures included.
//
// What it serves: discovery (/version says v1.32; legacy /api, /apis documents), get, list
// (label and field selectors, limit/continue, Table output), create, update (and /status),
// delete (propagationPolicy: ownerReferences are garbage-collected), patch and server-side
// apply, the scale subresource, and watch (bookmarks, timeouts, 410 Expired) for the types in
// resource-types.ts. A controller makes Deployments' pods and status follow their spec.
//
// Order of checks for one request, each ending it with the status shown:
//   recorded → bearer token (missing: only /version and health paths are served, as to the
//   real server's anonymous user; wrong or revoked: 401 everywhere) → injected fail/throttle
//   fault (5xx, 429 + Retry-After) → injected delay → route (unknown path 404) → verb.
//
// Every request is recorded with its method, path, query and the status answered (0 while no
// answer was sent; 200 for a watch, whatever it streamed).
//
// Usage:
//   const east = await startFakeCluster({ name: 'east' });
//   east.seed([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec }]);
//   await writeKubeconfig(path, [{ context: 'east', cluster: east }]);  // kubectl --kubeconfig path
//   east.faults.fail(503, { times: 2 }); east.setBehaviour('default', 'web', 'never-ready');
//   await east.down(); await east.up(); east.revokeToken(); await east.close();
//
// Simplifications (the real server differs): Foreground deletion removes dependents before the
// answer instead of keeping the owner visible with a foregroundDeletion finalizer; a Namespace
// is deleted at once with its contents (no Terminating phase); watches do not serve Table
// (kubectl get -w); aggregated discovery and /openapi/v2 are not served (kubectl falls back);
// no RBAC (a valid token may do everything); dryRun on create only; managedFields are kept only
// by server-side apply.

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { answer } from './api.js';
import type { ApiContext } from './context.js';
import { DeploymentController } from './controller.js';
import { Faults } from './faults.js';
import { BodyTooLarge, sendAnswer, type Answer } from './http.js';
import { meta, type KubeObject, type ObjectMeta } from './objects.js';
import type { Behaviour } from './pod-status.js';
import { RESOURCE_TYPES, type ResourceType } from './resource-types.js';
import { parseRoute } from './routes.js';
import { internalError, statusError, statusForCode, unauthorized } from './status.js';
import { Store } from './store.js';
import { localhostTls } from './tls.js';
import type { OpenWatch } from './watch.js';

export interface FakeClusterOptions {
  /** A label for messages and kubeconfig entries; default `fake-N`. */
  name?: string;
  /** The bearer token; default a random one. */
  token?: string;
  /** Namespaces that exist from the start; default default, kube-system, kube-public, kube-node-lease. */
  namespaces?: readonly string[];
  /** How long the controller takes to follow a Deployment's change; default 50 ms. */
  controllerDelayMs?: number;
  /**
   * Whether the controller runs (default true). Off, Deployments get no pods or status of
   * their own: for seeding a cluster's whole state as it is (a benchmark's 15,000 pods).
   */
  controller?: boolean;
  /** How often a crash-looping pod crashes again; default 500 ms. */
  crashIntervalMs?: number;
  /** Interval of BOOKMARK events on watches that allow them; default 1000 ms, 0 = only on request. */
  bookmarkIntervalMs?: number;
  /** Watch events retained for resuming; older resourceVersions get 410. Default 10 000. */
  maxRetainedEvents?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The status answered; 0 while none has been. */
  status: number;
  contentType?: string;
  accept?: string;
  at: number;
}

/** An object as the fake stores it: server-set metadata is always there. */
export interface StoredObject extends KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string; uid: string; resourceVersion: string; creationTimestamp: string };
}

export interface FakeCluster {
  readonly name: string;
  /** `https://127.0.0.1:PORT`; stays the same across down()/up(). */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** The server's certificate, which is its own CA. */
  readonly caPem: string;
  readonly requests: readonly RecordedRequest[];
  readonly faults: Faults;
  /** Creates objects as given (kind/apiVersion pick the type), creating missing namespaces. */
  seed(objects: readonly KubeObject[]): StoredObject[];
  /** A copy of a stored object; `type` is a kind (`Deployment`) or plural (`deployments`). */
  get(type: string, namespace: string | undefined, name: string): StoredObject | undefined;
  list(type: string, namespace?: string): StoredObject[];
  /** Deletes directly in the store (no garbage collection), as if by another client. */
  remove(type: string, namespace: string | undefined, name: string): boolean;
  /** The latest resourceVersion. */
  readonly resourceVersion: number;
  /** Forgets retained watch events: watches from older resourceVersions get 410 Expired. */
  compact(): void;
  /** Sends a BOOKMARK on every open watch that allows them. */
  bookmarkNow(): void;
  /** Open watch streams. */
  readonly openWatches: number;
  setBehaviour(namespace: string, deployment: string, behaviour: Behaviour): void;
  /** Every request with the current token answers 401 from now on. */
  revokeToken(): void;
  /** Stops listening and drops every connection; the port stays reserved for up(). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const ANONYMOUS_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);
let clusters = 0;

function findType(name: string): ResourceType {
  const t = RESOURCE_TYPES.find((r) => r.kind === name || r.plural === name || r.singular === name);
  if (t === undefined) throw new RangeError(`fake cluster: unknown resource type ${name}`);
  return t;
}

function typeOfObject(o: KubeObject): ResourceType {
  const t = RESOURCE_TYPES.find(
    (r) => r.kind === o.kind && (r.group ? `${r.group}/${r.version}` : r.version) === o.apiVersion,
  );
  if (t === undefined) throw new RangeError(`fake cluster: cannot seed ${String(o.apiVersion)} ${String(o.kind)}`);
  return t;
}

export async function startFakeCluster(options: FakeClusterOptions = {}): Promise<FakeCluster> {
  const tls = await localhostTls();
  const cluster = new Cluster(options, tls.certPem);
  await cluster.listen(createServer({ key: tls.keyPem, cert: tls.certPem }), 0);
  return cluster;
}

class Cluster implements FakeCluster {
  readonly name: string;
  readonly token: string;
  readonly faults = new Faults();
  readonly requests: RecordedRequest[] = [];
  port = 0;
  private readonly store: Store;
  private readonly ctx: ApiContext;
  private readonly controller: DeploymentController | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private revoked = false;
  private closed = false;

  constructor(
    options: FakeClusterOptions,
    readonly caPem: string,
  ) {
    this.name = options.name ?? `fake-${++clusters}`;
    this.token = options.token ?? randomBytes(16).toString('hex');
    this.store = new Store(options.maxRetainedEvents);
    this.ctx = {
      store: this.store,
      watches: new Set<OpenWatch>(),
      faults: this.faults,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000,
      types: RESOURCE_TYPES,
    };
    this.controller =
      options.controller === false
        ? undefined
        : new DeploymentController(this.store, {
            delayMs: options.controllerDelayMs ?? 50,
            crashIntervalMs: options.crashIntervalMs ?? 500,
          });
    for (const ns of options.namespaces ?? DEFAULT_NAMESPACES) this.ensureNamespace(ns);
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get resourceVersion(): number {
    return this.store.resourceVersion;
  }

  get openWatches(): number {
    return this.ctx.watches.size;
  }

  async listen(server: Server, port: number): Promise<void> {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('secureConnection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  seed(objects: readonly KubeObject[]): StoredObject[] {
    return objects.map((o) => {
      const t = typeOfObject(o);
      const namespace = meta(o).namespace ?? (t.namespaced ? 'default' : undefined);
      if (namespace !== undefined && t.namespaced) this.ensureNamespace(namespace);
      const copy = structuredClone(o);
      if (t.namespaced) meta(copy).namespace = namespace;
      const result = this.store.create(t, copy);
      if (!result.ok) throw new Error(`seed: ${String(result.error.body.message)}`);
      return result.object as StoredObject;
    });
  }

  get(type: string, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.store.get(findType(type), namespace, name) as StoredObject | undefined;
  }

  list(type: string, namespace?: string): StoredObject[] {
    return this.store.list(findType(type), namespace) as StoredObject[];
  }

  remove(type: string, namespace: string | undefined, name: string): boolean {
    return this.store.remove(findType(type), namespace, name).ok;
  }

  compact(): void {
    this.store.compact();
  }

  bookmarkNow(): void {
    for (const w of [...this.ctx.watches]) w.bookmark();
  }

  setBehaviour(namespace: string, deployment: string, behaviour: Behaviour): void {
    if (!this.controller) throw new Error('fake cluster: started with controller: false');
    this.controller.setBehaviour(namespace, deployment, behaviour);
  }

  revokeToken(): void {
    this.revoked = true;
  }

  async down(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    for (const w of [...this.ctx.watches]) w.end();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  async up(): Promise<void> {
    if (this.server !== undefined || this.closed) return;
    const tls = await localhostTls();
    await this.listen(createServer({ key: tls.keyPem, cert: tls.certPem }), this.port);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.controller?.stop();
    await this.down();
  }

  private ensureNamespace(name: string): void {
    const nsType = findType('Namespace');
    if (this.store.get(nsType, undefined, name) !== undefined) return;
    this.store.create(nsType, {
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }

  private record(req: IncomingMessage): { rec: RecordedRequest; path: string; query: URLSearchParams } {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const rec: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      at: Date.now(),
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      ...(req.headers.accept ? { accept: req.headers.accept } : {}),
    };
    this.requests.push(rec);
    return { rec, path: url.pathname, query: url.searchParams };
  }

  /** 401 unless the request carries the token (or is anonymous on a public path). */
  private authenticated(req: IncomingMessage, path: string): boolean {
    const header = req.headers.authorization;
    if (header === undefined) return ANONYMOUS_PATHS.has(path);
    return !this.revoked && header === `Bearer ${this.token}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { rec, path, query } = this.record(req);
    const reply = (a: Answer): void => {
      rec.status = a.code;
      sendAnswer(res, a);
    };
    res.once('finish', () => (rec.status ||= res.statusCode));
    try {
      if (!this.authenticated(req, path)) return reply(asAnswer(unauthorized()));
      const fault = this.faults.takeAnswer(path, req.method);
      if (fault !== undefined) {
        req.resume();
        return reply(
          asAnswer(fault.kind === 'throttle' ? statusForCode(429, fault.retryAfterSeconds) : statusForCode(fault.code)),
        );
      }
      const delay = this.faults.takeDelay(path, req.method);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const result = await answer(this.ctx, parseRoute(path), {
        req,
        res,
        path,
        query,
        serverAddress: `127.0.0.1:${this.port}`,
        cutWatchAfter: () => this.faults.takeWatchCut(path),
      });
      if (result !== undefined) reply(result);
      else rec.status = 200;
    } catch (err) {
      if (err instanceof BodyTooLarge) return reply(asAnswer(statusError(413, 'RequestEntityTooLarge', err.message)));
      if (!res.headersSent) reply(asAnswer(internalError(String(err))));
      else res.destroy();
    }
  }
}

const asAnswer = (e: { code: number; body: unknown; headers?: Record<string, string> }): Answer => ({
  code: e.code,
  body: e.body,
  headers: e.headers,
});

export { writeKubeconfig, kubeconfigText, type KubeconfigEntry } from './kubeconfig.js';
export type { Behaviour } from './pod-status.js';
export type { KubeObject } from './objects.js';
