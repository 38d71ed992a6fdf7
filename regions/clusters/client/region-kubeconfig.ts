import { KubeConfig } from '@kubernetes/client-node';
import { diagnostic, type Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import type { SourceFile } from '../../../scheduler/diagnostics/source-file.js';
import { didYouMean } from '../../../scheduler/diagnostics/suggest.js';
import type { Region } from '../../fleet/model.js';
import { pathInKubeconfig, type KubeconfigFile } from './kubeconfig-files.js';

/** One region's cluster as the client reaches it: its own KubeConfig, never a shared one. */
export interface RegionCluster {
  readonly region: string;
  /** The kubeconfig context (the fleet's `regions[].cluster`). */
  readonly context: string;
  readonly server: string;
  /** The context's namespace, if it names one. */
  readonly namespace?: string;
  readonly kubeconfig: KubeConfig;
}

type Entry<T> = { readonly file: KubeconfigFile; readonly index: number; readonly value: T };

/**
 * A KubeConfig per region, from the region's context. Files merge as kubectl merges them: the
 * first file to define a context, cluster or user name wins. One KubeConfig object per region
 * because the client takes its server from the context current when an API client is made,
 * but TLS and credentials from whatever is current later (../shared/kubernetes-facts.md).
 */
export function regionClusters(
  regions: readonly Region[],
  files: readonly KubeconfigFile[],
  sourceOf: (file: string) => SourceFile | undefined,
): { clusters: RegionCluster[]; diagnostics: Diagnostic[] } {
  const contexts = firstByName(files, (d) => d.contexts ?? []);
  const clusters = firstByName(files, (d) => d.clusters ?? []);
  const users = firstByName(files, (d) => d.users ?? []);
  const out: RegionCluster[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const region of regions) {
    const made = regionCluster(region, contexts, clusters, users, sourceOf);
    if ('diagnostic' in made) diagnostics.push(made.diagnostic);
    else out.push(made.cluster);
  }
  return { clusters: out, diagnostics };
}

type Named = { name: string } & Record<string, unknown>;

function firstByName<T extends Named>(
  files: readonly KubeconfigFile[],
  list: (d: KubeconfigFile['data']) => readonly T[],
): Map<string, Entry<T>> {
  const byName = new Map<string, Entry<T>>();
  for (const file of files)
    list(file.data).forEach((value, index) => {
      if (!byName.has(value.name)) byName.set(value.name, { file, index, value });
    });
  return byName;
}

type ContextEntry = Entry<NonNullable<KubeconfigFile['data']['contexts']>[number]>;
type ClusterEntry = Entry<NonNullable<KubeconfigFile['data']['clusters']>[number]>;
type UserEntry = Entry<NonNullable<KubeconfigFile['data']['users']>[number]>;

function regionCluster(
  region: Region,
  contexts: Map<string, ContextEntry>,
  clusters: Map<string, ClusterEntry>,
  users: Map<string, UserEntry>,
  sourceOf: (file: string) => SourceFile | undefined,
): { cluster: RegionCluster } | { diagnostic: Diagnostic } {
  const context = contexts.get(region.cluster);
  if (!context) return { diagnostic: unknownContext(region, [...contexts.keys()], sourceOf) };
  const ctx = context.value.context;
  const cluster = clusters.get(ctx.cluster);
  if (!cluster) return { diagnostic: dangling(context, 'cluster', ctx.cluster, [...clusters.keys()]) };
  const user = ctx.user === undefined ? undefined : users.get(ctx.user);
  if (ctx.user !== undefined && !user) return { diagnostic: dangling(context, 'user', ctx.user, [...users.keys()]) };
  const server = cluster.value.cluster.server;
  if (server.startsWith('http://') && cluster.value.cluster['insecure-skip-tls-verify'] !== true)
    return { diagnostic: plainHttp(cluster) };
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromString(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ ...cluster.value, cluster: withAbsolutePaths(cluster.file, cluster.value.cluster, CLUSTER_PATHS) }],
      users: user ? [{ ...user.value, user: withAbsolutePaths(user.file, user.value.user, USER_PATHS) }] : [],
      contexts: [context.value],
      'current-context': region.cluster,
    }),
  );
  return {
    cluster: {
      region: region.name,
      context: region.cluster,
      server,
      ...(ctx.namespace ? { namespace: ctx.namespace } : {}),
      kubeconfig,
    },
  };
}

const CLUSTER_PATHS = ['certificate-authority'];
const USER_PATHS = ['client-certificate', 'client-key', 'tokenFile', 'token-file'];

/** File paths inside a kubeconfig are relative to the file that holds them (kubectl's rule). */
function withAbsolutePaths<T extends Record<string, unknown>>(
  file: KubeconfigFile,
  entry: T,
  keys: readonly string[],
): T {
  const out: Record<string, unknown> = { ...entry };
  for (const key of keys) if (typeof out[key] === 'string') out[key] = pathInKubeconfig(file, out[key]);
  return out as T;
}

function unknownContext(
  region: Region,
  known: readonly string[],
  sourceOf: (file: string) => SourceFile | undefined,
): Diagnostic {
  const source = sourceOf(region.clusterSpan.file);
  const hint = didYouMean(region.cluster, known);
  return diagnostic({
    code: 'kubeconfig/unknown-context',
    message: `region "${region.name}" names the kubeconfig context "${region.cluster}", which no kubeconfig defines`,
    span: region.clusterSpan,
    ...(source ? { source } : {}),
    expected: known.length ? `one of the contexts: ${known.slice(0, 8).join(', ')}` : 'a context in the kubeconfig',
    ...(hint ? { hint } : {}),
  });
}

function dangling(context: ContextEntry, what: 'cluster' | 'user', name: string, known: readonly string[]): Diagnostic {
  const hint = didYouMean(name, known);
  return diagnostic({
    code: `kubeconfig/unknown-${what}`,
    message: `context "${context.value.name}" names the ${what} "${name}", which no kubeconfig defines`,
    span: context.file.yaml.valueSpan(['contexts', context.index, 'context', what]),
    source: context.file.yaml.source,
    expected: `a ${what} defined under "${what}s:"`,
    ...(hint ? { hint } : {}),
  });
}

function plainHttp(cluster: ClusterEntry): Diagnostic {
  return diagnostic({
    code: 'kubeconfig/plain-http',
    message: `cluster "${cluster.value.name}" is served over plain http, which the Kubernetes client refuses`,
    span: cluster.file.yaml.valueSpan(['clusters', cluster.index, 'cluster', 'server']),
    source: cluster.file.yaml.source,
    expected: 'an https:// server (or insecure-skip-tls-verify: true, for a test cluster only)',
  });
}
