import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  Observable,
  type ConfigurationOptions,
  type KubernetesObject,
  type RequestContext,
  type ResponseContext,
  type V1CronJob,
  type V1DaemonSet,
  type V1Deployment,
  type V1Job,
  type V1Node,
  type V1Pod,
  type V1ReplicaSet,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import type { ClusterFault } from './cluster-fault.js';
import { Limiter } from './limiter.js';
import type { RegionCluster } from './region-kubeconfig.js';
import { DEFAULT_RETRY, realRetryPorts, withRetries, type RetryPolicy, type RetryPorts } from './with-retries.js';

/** Everything shisa reads from one cluster to know what runs there and what room is left. */
export interface ListedObjects {
  readonly nodes: readonly V1Node[];
  readonly pods: readonly V1Pod[];
  readonly deployments: readonly V1Deployment[];
  readonly statefulSets: readonly V1StatefulSet[];
  readonly daemonSets: readonly V1DaemonSet[];
  readonly replicaSets: readonly V1ReplicaSet[];
  readonly cronJobs: readonly V1CronJob[];
  readonly jobs: readonly V1Job[];
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

export type ClusterListing =
  | { readonly ok: true; readonly cluster: RegionCluster; readonly objects: ListedObjects; readonly stats: ReadStats }
  | { readonly ok: false; readonly cluster: RegionCluster; readonly fault: ClusterFault; readonly stats: ReadStats };

export interface ReaderOptions {
  readonly retry?: RetryPolicy;
  readonly ports?: RetryPorts;
  /** Calls in flight per cluster (default 4). */
  readonly concurrency?: number;
  /** Objects per page (default 500, as kubectl). */
  readonly pageSize?: number;
}

interface Page<T> {
  readonly items: T[];
  readonly metadata?: { readonly _continue?: string };
}

type PageParams = { limit: number; _continue?: string; labelSelector?: string };
type Lister<T> = (params: PageParams, options: ConfigurationOptions) => Promise<Page<T>>;

/**
 * Reads one cluster through @kubernetes/client-node: every list paginated, every page with a
 * timeout and retries, at most `concurrency` requests in flight. A cluster that cannot be read
 * is a value (`ok: false` with the fault), never an exception, so the other clusters go on.
 */
export async function listCluster(
  cluster: RegionCluster,
  scope: ReadScope,
  options: ReaderOptions = {},
): Promise<ClusterListing> {
  const started = Date.now();
  const limiter = new Limiter(options.concurrency ?? 4);
  const counter = { requests: 0 };
  const ctx: ListContext = {
    limiter,
    counter,
    retry: options.retry ?? DEFAULT_RETRY,
    ports: options.ports ?? realRetryPorts,
    pageSize: options.pageSize ?? 500,
  };
  const reads = await readAll(ctx, cluster, scope);
  const stats = { requests: counter.requests, ms: Date.now() - started };
  const failed = reads.find((r): r is { fault: ClusterFault } => 'fault' in r);
  if (failed) return { ok: false, cluster, fault: failed.fault, stats };
  const items = reads.map((r) => ('items' in r ? r.items : []));
  const objects: ListedObjects = {
    nodes: items[0] as V1Node[],
    pods: items[1] as V1Pod[],
    deployments: items[2] as V1Deployment[],
    statefulSets: items[3] as V1StatefulSet[],
    daemonSets: items[4] as V1DaemonSet[],
    replicaSets: items[5] as V1ReplicaSet[],
    cronJobs: items[6] as V1CronJob[],
    jobs: items[7] as V1Job[],
    peerAuthentications: items[8] as KubernetesObject[],
  };
  return { ok: true, cluster, objects, stats };
}

/** Every list, in the order ListedObjects names them. */
function readAll(ctx: ListContext, cluster: RegionCluster, scope: ReadScope): Promise<Listed<unknown>[]> {
  const core = cluster.kubeconfig.makeApiClient(CoreV1Api);
  const apps = cluster.kubeconfig.makeApiClient(AppsV1Api);
  const batch = cluster.kubeconfig.makeApiClient(BatchV1Api);
  const custom = cluster.kubeconfig.makeApiClient(CustomObjectsApi);
  const sel = scope.selector ? { labelSelector: scope.selector } : {};
  const scoped = <T>(all: Lister<T>, one: (ns: string) => Lister<T>, withSelector: boolean) =>
    listScoped(ctx, scope.namespaces, all, one, withSelector ? sel : {});
  return Promise.all([
    listAll(ctx, (p, o) => core.listNode(p, o)),
    listAll(ctx, (p, o) => core.listPodForAllNamespaces(p, o)),
    scoped(
      (p, o) => apps.listDeploymentForAllNamespaces(p, o),
      (namespace) => (p, o) => apps.listNamespacedDeployment({ ...p, namespace }, o),
      true,
    ),
    scoped(
      (p, o) => apps.listStatefulSetForAllNamespaces(p, o),
      (namespace) => (p, o) => apps.listNamespacedStatefulSet({ ...p, namespace }, o),
      true,
    ),
    scoped(
      (p, o) => apps.listDaemonSetForAllNamespaces(p, o),
      (namespace) => (p, o) => apps.listNamespacedDaemonSet({ ...p, namespace }, o),
      true,
    ),
    scoped(
      (p, o) => apps.listReplicaSetForAllNamespaces(p, o),
      (namespace) => (p, o) => apps.listNamespacedReplicaSet({ ...p, namespace }, o),
      false,
    ),
    scoped(
      (p, o) => batch.listCronJobForAllNamespaces(p, o),
      (namespace) => (p, o) => batch.listNamespacedCronJob({ ...p, namespace }, o),
      true,
    ),
    scoped(
      (p, o) => batch.listJobForAllNamespaces(p, o),
      (namespace) => (p, o) => batch.listNamespacedJob({ ...p, namespace }, o),
      false,
    ),
    listOptional(
      ctx,
      (p, o) =>
        custom.listClusterCustomObject(
          { group: 'security.istio.io', version: 'v1', plural: 'peerauthentications', ...p },
          o,
        ) as Promise<Page<KubernetesObject>>,
    ),
  ]);
}

interface ListContext {
  readonly limiter: Limiter;
  readonly counter: { requests: number };
  readonly retry: RetryPolicy;
  readonly ports: RetryPorts;
  readonly pageSize: number;
}

type Listed<T> = { items: T[] } | { fault: ClusterFault };

async function listScoped<T>(
  ctx: ListContext,
  namespaces: readonly string[],
  all: Lister<T>,
  one: (ns: string) => Lister<T>,
  extra: Pick<PageParams, 'labelSelector'>,
): Promise<Listed<T>> {
  const withExtra =
    (l: Lister<T>): Lister<T> =>
    (p, o) =>
      l({ ...p, ...extra }, o);
  if (namespaces.length === 0) return listAll(ctx, withExtra(all));
  const lists = await Promise.all(namespaces.map((ns) => listAll(ctx, withExtra(one(ns)))));
  const failed = lists.find((l): l is { fault: ClusterFault } => 'fault' in l);
  return failed ?? { items: lists.flatMap((l) => ('items' in l ? l.items : [])) };
}

/** Every page of one list, each page its own retried call. */
async function listAll<T>(ctx: ListContext, list: Lister<T>): Promise<Listed<T>> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.limiter.run(() =>
      withRetries(
        (signal) => {
          ctx.counter.requests++;
          return list({ limit: ctx.pageSize, ...(token ? { _continue: token } : {}) }, timeoutOptions(signal));
        },
        ctx.retry,
        ctx.ports,
      ),
    );
    if (!page.ok) return { fault: page.fault };
    items.push(...page.value.items);
    token = page.value.metadata?._continue || undefined;
  } while (token);
  return { items };
}

/** A list of a type the cluster may not serve (a CRD such as Istio's): 404 means none. */
async function listOptional<T>(ctx: ListContext, list: Lister<T>): Promise<Listed<T>> {
  const listed = await listAll(ctx, list);
  return 'fault' in listed && listed.fault.status === 404 ? { items: [] } : listed;
}

/**
 * Per-call options that put the attempt's abort signal on the request (its timeout). The
 * object-parameter API takes observable middleware (client-node's own `setHeaderOptions`
 * builds it the same way).
 */
function timeoutOptions(signal: AbortSignal): ConfigurationOptions {
  const middleware = {
    pre: (context: RequestContext) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}
