/**
 * How the API server merges each list (and which maps server-side apply treats as one value),
 * by where the field sits. The real server reads this from
 * the Go types' `patchStrategy`/`patchMergeKey` tags (strategic merge) and `listType`/`listMapKeys`
 * markers (server-side apply); the fake has no schema, so it recognises the lists by field name
 * and parent field name. Lists not named here are atomic: a patch replaces them whole.
 */

/** `map`: items merge by a key field; `set`: a list of scalars merged as a union; `atomic`: replaced. */
export type ListStrategy =
  { readonly type: 'map'; readonly key: string } | { readonly type: 'set' } | { readonly type: 'atomic' };

const ATOMIC: ListStrategy = { type: 'atomic' };
const SET: ListStrategy = { type: 'set' };
const byKey = (key: string): ListStrategy => ({ type: 'map', key });

/** Lists of containers (Pod, and every pod template inside workloads). */
export const CONTAINER_LISTS: readonly string[] = ['containers', 'initContainers', 'ephemeralContainers'];

/** Lists whose merge key does not depend on the parent. */
const KEYED_ANYWHERE: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  conditions: 'type',
};

/** Lists inside a container. */
const KEYED_IN_CONTAINER: Readonly<Record<string, string>> = {
  ports: 'containerPort',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
};

/**
 * The strategy for the list at `fieldPath`: the field names from the object's root to the list,
 * list items left out (`['spec', 'template', 'spec', 'containers', 'ports']`).
 */
export function listStrategyAt(fieldPath: readonly string[]): ListStrategy {
  const name = fieldPath[fieldPath.length - 1] ?? '';
  const parent = fieldPath[fieldPath.length - 2] ?? '';
  if (CONTAINER_LISTS.includes(parent)) {
    const key = KEYED_IN_CONTAINER[name];
    return key === undefined ? ATOMIC : byKey(key);
  }
  if (parent === 'metadata' && name === 'ownerReferences') return byKey('uid');
  if (parent === 'metadata' && name === 'finalizers') return SET;
  // Service spec.ports; other `ports` lists (load balancer status, PeerAuthentication) stay atomic.
  if (fieldPath.length === 2 && parent === 'spec' && name === 'ports') return byKey('port');
  if (name === 'addresses' && parent === 'status') return byKey('type');
  const key = KEYED_ANYWHERE[name];
  return key === undefined ? ATOMIC : byKey(key);
}

/**
 * Maps server-side apply owns and replaces as one value (`+mapType=atomic`/`+structType=atomic`
 * in the Go types): label selectors, node selectors, Service selectors and object references.
 * Strategic merge patch still merges them key by key (they carry no patch strategy).
 */
export function isAtomicMapAt(fieldPath: readonly string[]): boolean {
  const name = fieldPath[fieldPath.length - 1] ?? '';
  const parent = fieldPath[fieldPath.length - 2] ?? '';
  if (name === 'selector') return parent === 'spec';
  return ATOMIC_MAPS.includes(name);
}

const ATOMIC_MAPS: readonly string[] = [
  'labelSelector',
  'namespaceSelector',
  'nodeSelector',
  'fieldRef',
  'configMapKeyRef',
  'secretKeyRef',
  'involvedObject',
];
