import { KubeConfig } from '@kubernetes/client-node';
import { diagnostic, type Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import type { SourceFile } from '../../../scheduler/diagnostics/source-file.js';
import { didYouMean } from '../../../scheduler/diagnostics/suggest.js';
import type { Region } from '../../fleet/model.js';
import { pathInKubeconfig, readReferencedFile, type KubeconfigFile } from './kubeconfig-files.js';

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
  // Without a kubeconfig that could be read, every context is unknown: the reader has said why.
  if (files.length === 0) return { clusters: out, diagnostics };
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
  const clusterFields = withFilesRead(cluster, 'clusters', 'cluster', CLUSTER_FILES);
  if ('diagnostic' in clusterFields) return clusterFields;
  const userFields = user ? withFilesRead(user, 'users', 'user', USER_FILES) : undefined;
  if (userFields && 'diagnostic' in userFields) return userFields;
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromString(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ ...cluster.value, cluster: clusterFields.fields }],
      users: user && userFields ? [{ ...user.value, user: userFields.fields }] : [],
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

/** A field naming a file, and the field that holds its content inline. */
type FileField = { readonly path: string; readonly data: string; readonly what: string };

const CLUSTER_FILES: readonly FileField[] = [
  { path: 'certificate-authority', data: 'certificate-authority-data', what: 'certificate authority' },
];
const USER_FILES: readonly FileField[] = [
  { path: 'client-certificate', data: 'client-certificate-data', what: 'client certificate' },
  { path: 'client-key', data: 'client-key-data', what: 'client key' },
  { path: 'tokenFile', data: 'token', what: 'token' },
  { path: 'token-file', data: 'token', what: 'token' },
];

/**
 * The entry's fields with every file it names read here and put inline (base64, or the token
 * as kubectl reads a token file, trimmed), so that the Kubernetes client, which reads them
 * with readFileSync on every request, never opens a file itself. Paths are relative to the
 * file that holds them (kubectl's rule). A file that cannot be read is an error at its field;
 * a file wins over inline data, as it does for the client and for kubectl.
 */
function withFilesRead(
  entry: ClusterEntry | UserEntry,
  section: 'clusters' | 'users',
  key: 'cluster' | 'user',
  fields: readonly FileField[],
): { fields: Record<string, unknown> } | { diagnostic: Diagnostic } {
  const source = (entry.value as Record<string, unknown>)[key] as Record<string, unknown>;
  const out: Record<string, unknown> = { ...source };
  for (const f of fields) {
    const named = source[f.path];
    if (named === undefined) continue;
    const at = [section, entry.index, key, f.path];
    if (typeof named !== 'string' || named === '')
      return { diagnostic: badFileField(entry, at, `${f.path} is not a file path`, 'a path to a file') };
    const read = readReferencedFile(pathInKubeconfig(entry.file, named));
    if (!read.ok) return { diagnostic: badFileField(entry, at, `the ${f.what} file cannot be read: ${read.why}`) };
    delete out[f.path];
    if (f.data === 'token') {
      const token = read.bytes.toString('utf8').trim();
      if (!/^[\x21-\x7e]+$/.test(token))
        return {
          diagnostic: badFileField(
            entry,
            at,
            'the token file holds no token (empty, or characters a token cannot have)',
            'a file holding the bearer token',
          ),
        };
      out.token = token;
    } else out[f.data] = read.bytes.toString('base64');
  }
  return { fields: out };
}

function badFileField(
  entry: ClusterEntry | UserEntry,
  at: readonly PropertyKey[],
  what: string,
  expected = 'a regular file, readable, of at most 1 MiB',
): Diagnostic {
  return diagnostic({
    code: 'kubeconfig/unreadable-file',
    message: `${at[0] === 'clusters' ? 'cluster' : 'user'} "${entry.value.name}": ${what}`,
    span: entry.file.yaml.valueSpan(at),
    source: entry.file.yaml.source,
    expected,
  });
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
