import { classifyClusterError, type ClusterFault } from './cluster-fault.js';
import { BadBodyError, ClusterHttp, HttpStatusError } from './cluster-http.js';
import { Limiter } from './limiter.js';
import type { RegionCluster } from './region-kubeconfig.js';
import { DEFAULT_RETRY, realRetryPorts, withRetries, type RetryPolicy, type RetryPorts } from './with-retries.js';

/** The kinds a migration reads and writes. */
export type ObjectKind =
  'Namespace' | 'Deployment' | 'CronJob' | 'ConfigMap' | 'Secret' | 'ServiceAccount' | 'Service' | 'Pod';

type Json = Record<string, unknown>;

export interface ObjectRef {
  readonly kind: ObjectKind;
  /** Absent for a Namespace. */
  readonly namespace?: string;
  readonly name: string;
}

/** A call's answer, or why the cluster did not give one (after retries). */
export type Answered<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly fault: ClusterFault };

/** What `waitFor` saw: the condition held, or the time ran out (with the last objects seen). */
export type Waited = { readonly met: true } | { readonly met: false; readonly last: readonly Json[] };

/** Which objects a list or a wait is about. */
export interface Selection {
  readonly kind: ObjectKind;
  readonly namespace: string;
  readonly labelSelector?: string;
  /** One object by name. */
  readonly name?: string;
}

const PATHS: Readonly<Record<ObjectKind, { readonly prefix: string; readonly plural: string }>> = {
  Namespace: { prefix: '/api/v1', plural: 'namespaces' },
  Pod: { prefix: '/api/v1', plural: 'pods' },
  ConfigMap: { prefix: '/api/v1', plural: 'configmaps' },
  Secret: { prefix: '/api/v1', plural: 'secrets' },
  ServiceAccount: { prefix: '/api/v1', plural: 'serviceaccounts' },
  Service: { prefix: '/api/v1', plural: 'services' },
  Deployment: { prefix: '/apis/apps/v1', plural: 'deployments' },
  CronJob: { prefix: '/apis/batch/v1', plural: 'cronjobs' },
};

/** The apiVersion of each kind (list items do not always carry theirs). */
export function apiVersionOf(kind: ObjectKind): string {
  const prefix = PATHS[kind].prefix;
  return prefix === '/api/v1' ? 'v1' : prefix.slice('/apis/'.length);
}

/** The field manager of everything shisa writes (server-side apply and patches). */
export const FIELD_MANAGER = 'shisa';

/** The API path of a kind's objects (in a namespace, or cluster-wide). */
export function collectionPath(kind: ObjectKind, namespace: string | undefined): string {
  const p = PATHS[kind];
  return kind === 'Namespace' || namespace === undefined
    ? `${p.prefix}/${p.plural}`
    : `${p.prefix}/namespaces/${encodeURIComponent(namespace)}/${p.plural}`;
}

/** The API path of one object. */
export const objectPath = (r: ObjectRef) => `${collectionPath(r.kind, r.namespace)}/${encodeURIComponent(r.name)}`;

export interface ObjectClientOptions {
  readonly retry?: RetryPolicy;
  readonly ports?: RetryPorts;
  /** Requests in flight to the cluster at once (watches not counted). */
  readonly concurrency?: number;
}

/**
 * Reads and writes single objects of one region's cluster for migrations: get, list, server-
 * side apply (field manager `shisa`), merge patch, delete, and waits built on list + watch.
 * Every call but a watch is retried as reading is (timeouts, 429 with Retry-After, 5xx with
 * jittered backoff); a cluster that does not answer is a fault value, never an exception.
 * Writes are idempotent by construction, so a retry after a lost answer does no harm: apply
 * is declarative, a delete of what is gone answers "absent".
 */
export class ObjectClient {
  private readonly http: ClusterHttp;
  private readonly limiter: Limiter;
  private readonly retry: RetryPolicy;
  private readonly ports: RetryPorts;
  /** Requests sent, watches not counted. */
  requests = 0;
  watches = 0;

  constructor(
    readonly cluster: RegionCluster,
    options: ObjectClientOptions = {},
  ) {
    const concurrency = options.concurrency ?? 8;
    this.http = new ClusterHttp(cluster.kubeconfig, concurrency);
    this.limiter = new Limiter(concurrency);
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.ports = options.ports ?? realRetryPorts;
  }

  get region(): string {
    return this.cluster.region;
  }

  /** The object, or undefined when the cluster has none by that name. */
  async get(ref: ObjectRef): Promise<Answered<Json | undefined>> {
    const got = await this.call((signal) => this.http.send(objectPath(ref), {}, signal), [404]);
    return got.ok ? { ok: true, value: got.value === NOT_FOUND ? undefined : (got.value as Json) } : got;
  }

  /** Every object selected (all pages), and the resourceVersion a watch of them starts from. */
  async list(s: Selection): Promise<Answered<{ items: Json[]; resourceVersion: string }>> {
    const items: Json[] = [];
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const query = {
        limit: '500',
        ...selectionQuery(s),
        ...(token ? { continue: token } : {}),
      };
      const page = await this.call((signal) => this.http.send(collectionPath(s.kind, s.namespace), { query }, signal));
      if (!page.ok) return page;
      const body = page.value as { items?: unknown; metadata?: { continue?: unknown; resourceVersion?: unknown } };
      if (!Array.isArray(body.items)) return badAnswer(`the list of ${s.kind} has no items`);
      for (const i of body.items) if (typeof i === 'object' && i !== null) items.push(i as Json);
      token =
        typeof body.metadata?.continue === 'string' && body.metadata.continue ? body.metadata.continue : undefined;
      resourceVersion = typeof body.metadata?.resourceVersion === 'string' ? body.metadata.resourceVersion : '';
    } while (token);
    return { ok: true, value: { items, resourceVersion } };
  }

  /** Server-side apply of a whole object (created when missing); a field another manager owns is a 409 fault. */
  apply(object: Json): Promise<Answered<Json>> {
    const m = object.metadata as { name: string; namespace?: string };
    const ref = { kind: object.kind as ObjectKind, name: m.name, ...(m.namespace ? { namespace: m.namespace } : {}) };
    return this.call(
      (signal) =>
        this.http.send(
          objectPath(ref),
          {
            method: 'PATCH',
            query: { fieldManager: FIELD_MANAGER, force: 'false' },
            body: object,
            contentType: 'application/apply-patch+yaml',
          },
          signal,
        ),
      [],
    ) as Promise<Answered<Json>>;
  }

  /** A JSON merge patch of an existing object. */
  patch(ref: ObjectRef, patch: Json): Promise<Answered<Json>> {
    return this.call(
      (signal) =>
        this.http.send(
          objectPath(ref),
          {
            method: 'PATCH',
            query: { fieldManager: FIELD_MANAGER },
            body: patch,
            contentType: 'application/merge-patch+json',
          },
          signal,
        ),
      [],
    ) as Promise<Answered<Json>>;
  }

  /** Deletes; `absent` when there was nothing to delete (already gone: a retry, or someone else). */
  async delete(ref: ObjectRef, propagation: 'Background' | 'Foreground'): Promise<Answered<'deleted' | 'absent'>> {
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: propagation };
    const done = await this.call(
      (signal) => this.http.send(objectPath(ref), { method: 'DELETE', body }, signal),
      [404],
    );
    return done.ok ? { ok: true, value: done.value === NOT_FOUND ? 'absent' : 'deleted' } : done;
  }

  /**
   * Lists the selection, then watches it from the list's resourceVersion until `met` holds
   * for the objects selected (by name), or `timeoutMs` passes. A watch that ends or expires
   * (410) is listed and watched again, as informers do.
   */
  async waitFor(
    s: Selection,
    met: (objects: readonly Json[]) => boolean,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Answered<Waited>> {
    const deadline = this.ports.now() + timeoutMs;
    let last: Json[] = [];
    for (;;) {
      const listed = await this.list(s);
      if (!listed.ok) return listed;
      const seen = new Map(listed.value.items.map((o) => [nameOf(o), o]));
      last = [...seen.values()];
      if (met(last)) return { ok: true, value: { met: true } };
      const left = deadline - this.ports.now();
      if (left <= 0 || signal?.aborted) return { ok: true, value: { met: false, last } };
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), left);
      const stop = signal ? AbortSignal.any([signal, abort.signal]) : abort.signal;
      let expired = false;
      this.watches++;
      try {
        const stopped = await this.http.watch(
          collectionPath(s.kind, s.namespace),
          {
            ...selectionQuery(s),
            resourceVersion: listed.value.resourceVersion,
            allowWatchBookmarks: 'true',
            timeoutSeconds: String(Math.max(1, Math.ceil(left / 1000))),
          },
          (event) => {
            if (event.type === 'ERROR') return (expired = true);
            if (event.type === 'BOOKMARK' || typeof event.object !== 'object' || event.object === null) return false;
            const o = event.object as Json;
            if (event.type === 'DELETED') seen.delete(nameOf(o));
            else seen.set(nameOf(o), o);
            last = [...seen.values()];
            return met(last);
          },
          stop,
        );
        if (stopped && !expired) return { ok: true, value: { met: true } };
      } catch (err) {
        // Our own deadline or a cut stream: look again (a fresh list) until the time is up.
        if (!abort.signal.aborted && !signal?.aborted && !isStreamCut(err))
          return { ok: false, fault: classifyClusterError(err, timeoutMs, this.ports.now()) };
      } finally {
        clearTimeout(timer);
      }
    }
  }

  close(): void {
    this.http.close();
  }

  /** One retried call; an answer with a status in `tolerated` resolves to NOT_FOUND instead of failing. */
  private async call(
    send: (signal: AbortSignal) => Promise<unknown>,
    tolerated: readonly number[] = [],
  ): Promise<Answered<unknown>> {
    const attempted = await this.limiter.run(() =>
      withRetries(
        async (signal) => {
          this.requests++;
          try {
            return await send(signal);
          } catch (err) {
            if (err instanceof HttpStatusError && tolerated.includes(err.code)) return NOT_FOUND;
            throw err;
          }
        },
        this.retry,
        this.ports,
      ),
    );
    return attempted.ok ? { ok: true, value: attempted.value } : { ok: false, fault: attempted.fault };
  }
}

/** What a tolerated 404 resolves to. */
const NOT_FOUND = Symbol('not found');

function selectionQuery(s: Selection): Record<string, string> {
  return {
    ...(s.labelSelector ? { labelSelector: s.labelSelector } : {}),
    ...(s.name ? { fieldSelector: `metadata.name=${s.name}` } : {}),
  };
}

function nameOf(o: Json): string {
  const m = o.metadata as { name?: unknown } | undefined;
  return typeof m?.name === 'string' ? m.name : '';
}

function isStreamCut(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || err instanceof BadBodyError;
}

function badAnswer(message: string): Answered<never> {
  return { ok: false, fault: classifyClusterError(new BadBodyError(message), 0, Date.now()) };
}
