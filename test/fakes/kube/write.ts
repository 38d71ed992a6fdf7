// The write verbs: create (POST), update (PUT, also of /status), delete (DELETE, with
// propagationPolicy and preconditions) and deletecollection.

import type { ApiContext } from './context.js';
import {
  deleteDependents,
  deleteNamespaceContents,
  namespaceExists,
  orphanDependents,
  type Propagation,
} from './gc.js';
import type { Answer } from './http.js';
import { isRecord, meta, type KubeObject } from './objects.js';
import { groupVersion, type ResourceType } from './resource-types.js';
import type { ResourceRoute } from './routes.js';
import { labelMatcher, fieldMatcher, SelectorError } from './selectors.js';
import { badRequest, conflict, invalid, notFound, StatusError } from './status.js';
import type { Result } from './store.js';
import { validate } from './validate.js';

export const fromError = (e: StatusError): Answer => ({ code: e.code, body: e.body, headers: e.headers });
const fromResult = (r: Result, code: number): Answer => (r.ok ? { code, body: r.object } : fromError(r.error));

const NAMESPACE: Pick<ResourceType, 'group' | 'plural' | 'kind'> = {
  group: '',
  plural: 'namespaces',
  kind: 'Namespace',
};

export function parseObject(body: Buffer): KubeObject | StatusError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return badRequest(`the body of the request was not valid JSON: ${(err as Error).message}`);
  }
  return isRecord(parsed) ? parsed : badRequest('the body of the request must be a JSON object');
}

/**
 * The checks every write of a whole object shares: kind and apiVersion as the URL says, the
 * namespace as the URL says (and existing), a name as the URL says, valid fields.
 */
export function admit(ctx: ApiContext, route: ResourceRoute, object: KubeObject): StatusError | undefined {
  const t = route.type;
  if (object.apiVersion !== undefined && object.apiVersion !== groupVersion(t))
    return badRequest(
      `the API version in the data (${JSON.stringify(object.apiVersion)}) does not match the expected API version (${groupVersion(t)})`,
    );
  if (object.kind !== undefined && object.kind !== t.kind)
    return badRequest(
      `the kind in the data (${JSON.stringify(object.kind)}) does not match the expected kind (${t.kind})`,
    );
  const m = meta(object);
  if (t.namespaced) {
    if (m.namespace !== undefined && m.namespace !== '' && m.namespace !== route.namespace)
      return badRequest('the namespace of the provided object does not match the namespace sent on the request');
    m.namespace = route.namespace;
    if (!namespaceExists(ctx.store, ctx.types, route.namespace ?? ''))
      return notFound(NAMESPACE, route.namespace ?? '');
  }
  if (route.name !== undefined && m.name !== route.name)
    return badRequest(`the name of the object (${m.name ?? ''}) does not match the name on the URL (${route.name})`);
  const causes = validate(t, object);
  return causes.length > 0 ? invalid(t, m.name ?? m.generateName ?? '', causes) : undefined;
}

/** Server-set defaults at creation, for the kinds whose defaults clients read. */
export function withDefaults(t: ResourceType, object: KubeObject): KubeObject {
  if (t.kind === 'Namespace') {
    const m = meta(object);
    m.labels = { ...m.labels, 'kubernetes.io/metadata.name': m.name ?? '' };
    object.spec = { finalizers: ['kubernetes'], ...(isRecord(object.spec) ? object.spec : {}) };
    object.status = { phase: 'Active' };
  }
  if (t.kind === 'Deployment' && isRecord(object.spec)) object.spec = { replicas: 1, ...object.spec };
  return object;
}

export function createObject(ctx: ApiContext, route: ResourceRoute, object: KubeObject, dryRun: boolean): Answer {
  if (route.type.namespaced && route.namespace === undefined)
    return fromError(badRequest('the server could not find the requested resource (namespace required)'));
  const refused = admit(ctx, route, object);
  if (refused !== undefined) return fromError(refused);
  const prepared = withDefaults(route.type, object);
  if (dryRun) return { code: 201, body: prepared };
  return fromResult(ctx.store.create(route.type, prepared), 201);
}

export function updateObject(ctx: ApiContext, route: ResourceRoute, object: KubeObject): Answer {
  const refused = admit(ctx, route, object);
  if (refused !== undefined) return fromError(refused);
  return fromResult(ctx.store.update(route.type, object, route.subresource === 'status' ? 'status' : 'main'), 200);
}

interface DeleteOptions {
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
}

function propagation(options: DeleteOptions & KubeObject, query: URLSearchParams): Propagation | StatusError {
  const policy =
    query.get('propagationPolicy') ?? options.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : 'Background');
  if (policy === 'Background' || policy === 'Foreground' || policy === 'Orphan') return policy;
  return badRequest(`propagationPolicy: Unsupported value: "${policy}"`);
}

export function deleteObject(ctx: ApiContext, route: ResourceRoute, body: Buffer, query: URLSearchParams): Answer {
  const options = body.length > 0 ? parseObject(body) : {};
  if (options instanceof StatusError) return fromError(options);
  const policy = propagation(options, query);
  if (policy instanceof StatusError) return fromError(policy);
  const current = ctx.store.get(route.type, route.namespace, route.name!);
  if (current === undefined) return fromError(notFound(route.type, route.name!));
  const pre = (options as DeleteOptions).preconditions ?? {};
  const m = meta(current);
  if ((pre.uid && pre.uid !== m.uid) || (pre.resourceVersion && pre.resourceVersion !== m.resourceVersion))
    return fromError(conflict(route.type, route.name!));
  return { code: 200, body: removeWith(ctx, route.type, current, policy) };
}

function removeWith(ctx: ApiContext, t: ResourceType, current: KubeObject, policy: Propagation): KubeObject {
  const m = meta(current);
  const uid = m.uid ?? '';
  if (t.kind === 'Namespace') deleteNamespaceContents(ctx, m.name ?? '');
  if (policy === 'Foreground') deleteDependents(ctx, uid);
  if (policy === 'Orphan') orphanDependents(ctx, uid);
  const result = ctx.store.remove(t, m.namespace, m.name ?? '');
  if (policy === 'Background') setImmediate(() => deleteDependents(ctx, uid));
  return result.ok ? result.object : current;
}

export function deleteCollection(ctx: ApiContext, route: ResourceRoute, body: Buffer, query: URLSearchParams): Answer {
  let matches: (o: KubeObject) => boolean;
  try {
    const labels = labelMatcher(query.get('labelSelector') ?? undefined);
    const fields = fieldMatcher(route.type.kind, query.get('fieldSelector') ?? undefined);
    matches = (o) => labels(o) && fields(o);
  } catch (err) {
    if (err instanceof SelectorError) return fromError(badRequest(err.message));
    throw err;
  }
  const options = body.length > 0 ? parseObject(body) : {};
  if (options instanceof StatusError) return fromError(options);
  const policy = propagation(options, query);
  if (policy instanceof StatusError) return fromError(policy);
  const deleted = ctx.store
    .list(route.type, route.namespace)
    .filter(matches)
    .map((o) => removeWith(ctx, route.type, o, policy));
  return {
    code: 200,
    body: {
      kind: route.type.listKind,
      apiVersion: groupVersion(route.type),
      metadata: { resourceVersion: String(ctx.store.resourceVersion) },
      items: deleted,
    },
  };
}
