/**
 * The resource types the fake Kubernetes API server serves: everything shisa and its tests
 * touch. One registry drives routing, discovery (legacy and aggregated), OpenAPI v3 and Table
 * output, so they cannot disagree about a type.
 */
export interface ResourceType {
  /** API group; '' is the core group (served under /api/v1). */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  /** URL segment, e.g. `deployments`. */
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly verbs: readonly string[];
  /** Subresources served, e.g. `status`. */
  readonly subresources: readonly string[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

function type(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  shortNames: readonly string[] = [],
  subresources: readonly string[] = [],
): ResourceType {
  return Object.freeze({
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames,
    verbs: ALL_VERBS,
    subresources,
  });
}

export const RESOURCE_TYPES: readonly ResourceType[] = Object.freeze([
  type('', 'v1', 'Namespace', 'namespaces', false, ['ns'], ['status']),
  type('', 'v1', 'Node', 'nodes', false, ['no'], ['status']),
  type('', 'v1', 'Pod', 'pods', true, ['po'], ['status']),
  type('', 'v1', 'ConfigMap', 'configmaps', true, ['cm']),
  type('', 'v1', 'Secret', 'secrets', true),
  type('', 'v1', 'ServiceAccount', 'serviceaccounts', true, ['sa']),
  type('', 'v1', 'Service', 'services', true, ['svc'], ['status']),
  type('', 'v1', 'Event', 'events', true, ['ev']),
  type('apps', 'v1', 'Deployment', 'deployments', true, ['deploy'], ['status', 'scale']),
  type('apps', 'v1', 'StatefulSet', 'statefulsets', true, ['sts'], ['status', 'scale']),
  type('apps', 'v1', 'DaemonSet', 'daemonsets', true, ['ds'], ['status']),
  type('apps', 'v1', 'ReplicaSet', 'replicasets', true, ['rs'], ['status', 'scale']),
  type('batch', 'v1', 'Job', 'jobs', true, [], ['status']),
  type('batch', 'v1', 'CronJob', 'cronjobs', true, ['cj'], ['status']),
  type('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  type('security.istio.io', 'v1', 'PeerAuthentication', 'peerauthentications', true, ['pa']),
]);

/** `apps/v1`, or `v1` for the core group. */
export const groupVersion = (t: Pick<ResourceType, 'group' | 'version'>): string =>
  t.group ? `${t.group}/${t.version}` : t.version;
