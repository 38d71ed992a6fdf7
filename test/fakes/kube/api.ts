// Routes one authenticated request to the answer the real API server would give: discovery,
// OpenAPI, or a verb on a resource. Watches answer by streaming and return nothing here.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from './context.js';
import { group, groupList, legacyVersions, resourceList, SERVER_VERSION } from './discovery.js';
import { mediaType, readBody, type Answer } from './http.js';
import { openApiV3Document, openApiV3Index } from './openapi.js';
import { patchObject } from './patching.js';
import { RESOURCE_TYPES } from './resource-types.js';
import { getObject, isWatch, listObjects, watchObjects } from './read.js';
import type { ResourceRoute, Route } from './routes.js';
import { storeScale, toScale } from './scale.js';
import { methodNotAllowed, notFound, statusError, StatusError } from './status.js';
import { createObject, deleteCollection, deleteObject, fromError, parseObject, updateObject } from './write.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  query: URLSearchParams;
  serverAddress: string;
  /** Cut a watch after this many events (fault injection). */
  cutWatchAfter: () => number | undefined;
}

const pageNotFound = (): Answer =>
  fromError(statusError(404, 'NotFound', 'the server could not find the requested resource', {}));

function discoveryAnswer(route: Route, serverAddress: string): Answer | undefined {
  const found = (body: unknown): Answer => (body === undefined ? pageNotFound() : { code: 200, body });
  switch (route.kind) {
    case 'version':
      return { code: 200, body: SERVER_VERSION };
    case 'health':
      return { code: 200, body: 'ok' };
    case 'legacy-versions':
      return { code: 200, body: legacyVersions(serverAddress) };
    case 'group-list':
      return { code: 200, body: groupList() };
    case 'group':
      return found(group(route.group));
    case 'resource-list':
      return found(resourceList(route.group, route.version));
    default:
      return undefined;
  }
}

// The served types never change, so neither do the OpenAPI documents: build each once.
let index: unknown;
const documents = new Map<string, unknown>();
const openApiIndex = (): unknown => (index ??= openApiV3Index(RESOURCE_TYPES));
function openApiDocument(groupVersion: string): unknown {
  if (!documents.has(groupVersion)) documents.set(groupVersion, openApiV3Document(RESOURCE_TYPES, groupVersion));
  return documents.get(groupVersion);
}

export async function answer(ctx: ApiContext, route: Route, rc: RequestContext): Promise<Answer | undefined> {
  const discovered = discoveryAnswer(route, rc.serverAddress);
  if (discovered !== undefined) {
    if (rc.req.method !== 'GET' && rc.req.method !== 'HEAD') return fromError(methodNotAllowed());
    return discovered;
  }
  if (route.kind === 'openapi-v2') return pageNotFound(); // kubectl tolerates a server without v2
  if (route.kind === 'openapi-v3-index') return { code: 200, body: openApiIndex() };
  if (route.kind === 'openapi-v3-document') {
    const document = openApiDocument(route.groupVersion);
    return document === undefined ? pageNotFound() : { code: 200, body: document };
  }
  if (route.kind !== 'resource') return pageNotFound();
  return resourceAnswer(ctx, route, rc);
}

async function resourceAnswer(ctx: ApiContext, route: ResourceRoute, rc: RequestContext): Promise<Answer | undefined> {
  const { req, query } = rc;
  const method = req.method ?? 'GET';
  if (route.subresource === 'scale' && method !== 'PATCH') return scaleAnswer(ctx, route, method, await readBody(req));
  if (method === 'GET' && (isWatch(route, query) || (route.name === undefined && route.watchPath)))
    return watchObjects(ctx, route, req, rc.res, query, rc.cutWatchAfter());
  if (method === 'GET')
    return route.name === undefined ? listObjects(ctx, route, req, query) : getObject(ctx, route, req, query);
  const body = await readBody(req);
  if (method === 'POST' && route.name === undefined) {
    const object = parseObject(body);
    return object instanceof StatusError ? fromError(object) : createObject(ctx, route, object, query.has('dryRun'));
  }
  if (method === 'PUT' && route.name !== undefined) {
    const object = parseObject(body);
    return object instanceof StatusError ? fromError(object) : updateObject(ctx, route, object);
  }
  if (method === 'PATCH' && route.name !== undefined)
    return patchObject(ctx, route, mediaType(req.headers['content-type']), body, query);
  if (method === 'DELETE')
    return route.name === undefined ? deleteCollection(ctx, route, body, query) : deleteObject(ctx, route, body, query);
  return fromError(methodNotAllowed());
}

function scaleAnswer(ctx: ApiContext, route: ResourceRoute, method: string, body: Buffer): Answer {
  const current = route.name === undefined ? undefined : ctx.store.get(route.type, route.namespace, route.name);
  if (current === undefined) return fromError(notFound(route.type, route.name ?? ''));
  if (method === 'GET') return { code: 200, body: toScale(current) };
  if (method !== 'PUT') return fromError(methodNotAllowed());
  const scale = parseObject(body);
  if (scale instanceof StatusError) return fromError(scale);
  return storeScale(ctx, route, current, scale);
}
