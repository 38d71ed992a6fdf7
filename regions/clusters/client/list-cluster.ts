import type {
  KubernetesObject,
  V1CronJob,
  V1DaemonSet,
  V1Deployment,
  V1Node,
  V1Pod,
  V1StatefulSet,
} from '@kubernetes/client-node';
import { classifyClusterError, type ClusterFault } from './cluster-fault.js';
import { Limiter } from './limiter.js';
import { BadBodyError, ClusterHttp } from './cluster-http.js';
import type { RegionCluster } from './region-kubeconfig.js';
import { DEFAULT_RETRY, realRetryPorts, withRetries, type RetryPolicy, type RetryPorts } from './with-retries.js';

/** Everything shisa reads from one cluster to know what runs there and what room is left. */
export interface ListedObjects<P = V1Pod> {
  readonly nodes: readonly V1Node[];
  /** As the API gives them, or as `readers.pod` read each one. */
  readonly pods: readonly P[];
  readonly deployments: readonly V1Deployment[];
  readonly statefulSets: readonly V1StatefulSet[];
  readonly daemonSets: readonly V1DaemonSet[];
  /** Metadata only (PartialObjectMetadata): a ReplicaSet's or Job's owner is all that is read. */
  readonly replicaSets: readonly KubernetesObject[];
  readonly cronJobs: readonly V1CronJob[];
  /** Metadata only, as replicaSets. */
  readonly jobs: readonly KubernetesObject[];
  /** Istio PeerAuthentications (security.istio.io/v1), as the API gives them; empty without Istio. */
  readonly peerAuthentications: readonly KubernetesObject[];
}

/** Which objects to read: the fleet's `inventory: { source: clusters, namespaces, selector }`. */
export interface ReadScope {
  /** Empty: every namespace. Nodes and pods are always read cluster-wide (capacity). */
  readonly namespaces: readonly string[];
  /** Applied to the workloads (Deployments, CronJobs, StatefulSets, DaemonSets), not to pods. */
  readonly selector?: string;
}

export interface ReadStats {
  readonly requests: number;
  readonly ms: number;
}

export type ClusterListing<P = V1Pod> =
  | {
      readonly ok: true;
      readonly cluster: RegionCluster;
      readonly objects: ListedObjects<P>;
      readonly stats: ReadStats;
    }
  | { readonly ok: false; readonly cluster: RegionCluster; readonly fault: ClusterFault; readonly stats: ReadStats };

export interface ReaderOptions {
  readonly retry?: RetryPolicy;
  readonly ports?: RetryPorts;
  /** Calls in flight per cluster (default 4). */
  readonly concurrency?: number;
  /** Objects per page (default 500, as kubectl). */
  readonly pageSize?: number;
}

/**
 * What is kept of the items of some lists, read as each page arrives, so that only that
 * stays in memory and not the whole list's JSON: pods are most of what a cluster lists, and
 * of the ReplicaSets and Jobs only their owners are read.
 */
export interface ItemReaders<P> {
  /** Pod number `index` of the cluster's list, read. */
  readonly pod?: (item: unknown, index: number) => P;
  /** What is kept of a ReplicaSet or Job. */
  readonly owner?: (item: unknown) => KubernetesObject;
}

type ItemReader = (item: unknown, index: number) => unknown;

interface Page {
  readonly items: unknown[];
  readonly metadata?: { readonly continue?: string };
}

/** The path of a list: all namespaces, or one. */
type ListPath = { readonly all: string; readonly one: (namespace: string) => string };

const core = (plural: string): ListPath => ({
  all: `/api/v1/${plural}`,
  one: (ns) => `/api/v1/namespaces/${encodeURIComponent(ns)}/${plural}`,
});
const group = (groupVersion: string, plural: string): ListPath => ({
  all: `/apis/${groupVersion}/${plural}`,
  one: (ns) => `/apis/${groupVersion}/namespaces/${encodeURIComponent(ns)}/${plural}`,
});

/**
 * Reads one cluster: every list paginated, every page with a timeout and retries, at most
 * `concurrency` requests in flight (the lists of the different kinds share that bound). The
 * requests carry the credentials and TLS of the region's `KubeConfig` (@kubernetes/client-node)
 * and the items come back as the API server's plain JSON (cluster-http.ts says why). A cluster that
 * cannot be read is a value (`ok: false` with the fault), never an exception, so the other
 * clusters go on.
 */
export async function listCluster<P = V1Pod>(
  cluster: RegionCluster,
  scope: ReadScope,
  options: ReaderOptions = {},
  readers: ItemReaders<P> = {},
): Promise<ClusterListing<P>> {
  const started = Date.now();
  const concurrency = options.concurrency ?? 4;
  const limiter = new Limiter(concurrency);
  const counter = { requests: 0 };
  let getter: ClusterHttp;
  try {
    getter = new ClusterHttp(cluster.kubeconfig, concurrency);
  } catch (err) {
    const fault = classifyClusterError(err, 0, Date.now());
    return { ok: false, cluster, fault, stats: { requests: 0, ms: Date.now() - started } };
  }
  const ctx: ListContext = {
    getter,
    limiter,
    counter,
    retry: options.retry ?? DEFAULT_RETRY,
    ports: options.ports ?? realRetryPorts,
    pageSize: options.pageSize ?? 500,
  };
  let reads: Listed[];
  try {
    reads = await readAll(ctx, scope, readers);
  } finally {
    getter.close();
  }
  const stats = { requests: counter.requests, ms: Date.now() - started };
  const failed = reads.find((r): r is { fault: ClusterFault } => 'fault' in r);
  if (failed) return { ok: false, cluster, fault: failed.fault, stats };
  const items = reads.map((r) => ('items' in r ? r.items : []));
  // Plain JSON as the server sent it, typed with client-node's models for the readers'
  // convenience (timestamps are the API's strings, not Dates).
  const objects: ListedObjects<P> = {
    nodes: items[0] as V1Node[],
    pods: items[1] as P[],
    deployments: items[2] as V1Deployment[],
    statefulSets: items[3] as V1StatefulSet[],
    daemonSets: items[4] as V1DaemonSet[],
    replicaSets: items[5] as KubernetesObject[],
    cronJobs: items[6] as V1CronJob[],
    jobs: items[7] as KubernetesObject[],
    peerAuthentications: items[8] as KubernetesObject[],
  };
  return { ok: true, cluster, objects, stats };
}

/** Every list, in the order ListedObjects names them. */
function readAll(ctx: ListContext, scope: ReadScope, readers: ItemReaders<unknown>): Promise<Listed[]> {
  const sel = scope.selector ? { labelSelector: scope.selector } : {};
  const scoped = (path: ListPath, withSelector: boolean) =>
    listScoped(ctx, scope.namespaces, path, withSelector ? sel : {});
  // The pods' intermediate owners: only who owns them is read, so only their metadata is asked for.
  const owners = (path: ListPath) =>
    listScoped(ctx, scope.namespaces, path, { metadataOnly: true, ...(readers.owner ? { read: readers.owner } : {}) });
  return Promise.all([
    listAll(ctx, core('nodes').all, {}),
    listAll(ctx, core('pods').all, readers.pod ? { read: readers.pod } : {}),
    scoped(group('apps/v1', 'deployments'), true),
    scoped(group('apps/v1', 'statefulsets'), true),
    scoped(group('apps/v1', 'daemonsets'), true),
    owners(group('apps/v1', 'replicasets')),
    scoped(group('batch/v1', 'cronjobs'), true),
    owners(group('batch/v1', 'jobs')),
    listOptional(ctx, group('security.istio.io/v1', 'peerauthentications').all),
  ]);
}

interface ListContext {
  readonly getter: ClusterHttp;
  readonly limiter: Limiter;
  readonly counter: { requests: number };
  readonly retry: RetryPolicy;
  readonly ports: RetryPorts;
  readonly pageSize: number;
}

type Listed = { items: unknown[] } | { fault: ClusterFault };
type Extra = {
  readonly labelSelector?: string;
  readonly metadataOnly?: boolean;
  /** Each item as it is kept (ItemReaders); as the API gave it without. */
  readonly read?: ItemReader;
};

/**
 * Metadata-only lists (PartialObjectMetadataList, Kubernetes 1.15+), with plain JSON as the
 * fallback: a server that cannot give metadata alone sends whole objects, which read the same.
 */
const METADATA_ONLY = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

async function listScoped(
  ctx: ListContext,
  namespaces: readonly string[],
  path: ListPath,
  extra: Extra,
): Promise<Listed> {
  if (namespaces.length === 0) return listAll(ctx, path.all, extra);
  const lists = await Promise.all(namespaces.map((ns) => listAll(ctx, path.one(ns), extra)));
  const failed = lists.find((l): l is { fault: ClusterFault } => 'fault' in l);
  return failed ?? { items: lists.flatMap((l) => ('items' in l ? l.items : [])) };
}

/** Every page of one list, each page its own retried call. */
async function listAll(ctx: ListContext, path: string, extra: Extra): Promise<Listed> {
  const items: unknown[] = [];
  let token: string | undefined;
  do {
    const query: Record<string, string> = {
      limit: String(ctx.pageSize),
      ...(extra.labelSelector ? { labelSelector: extra.labelSelector } : {}),
      ...(token ? { continue: token } : {}),
    };
    const accept = extra.metadataOnly ? METADATA_ONLY : 'application/json';
    const page = await ctx.limiter.run(() =>
      withRetries(
        async (signal) => {
          ctx.counter.requests++;
          return listPage(await ctx.getter.get(path, query, signal, accept), path);
        },
        ctx.retry,
        ctx.ports,
      ),
    );
    if (!page.ok) return { fault: page.fault };
    if (extra.read) for (const item of page.value.items) items.push(extra.read(item, items.length));
    else for (const item of page.value.items) items.push(item);
    token = page.value.metadata?.continue || undefined;
  } while (token);
  return { items };
}

/** A list answer's items and continue token; anything else is a bad answer. */
function listPage(body: unknown, path: string): Page {
  const { items, metadata } = body as { items?: unknown; metadata?: { continue?: unknown } };
  if (!Array.isArray(items)) throw new BadBodyError(`the server's answer to ${path} has no list of items`);
  const token = metadata?.continue;
  return { items, metadata: typeof token === 'string' ? { continue: token } : {} };
}

/** A list of a type the cluster may not serve (a CRD such as Istio's): 404 means none. */
async function listOptional(ctx: ListContext, path: string): Promise<Listed> {
  const listed = await listAll(ctx, path, {});
  return 'fault' in listed && listed.fault.status === 404 ? { items: [] } : listed;
}
