// The read verbs: get, list (selectors, paging, Table output) and watch.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from './context.js';
import { queryFlag, type Answer } from './http.js';
import type { KubeObject } from './objects.js';
import { paginate } from './paging.js';
import { PARTIAL_METADATA_API_VERSION, partialMetadata, wantsPartialMetadata } from './partial-metadata.js';
import { groupVersion } from './resource-types.js';
import type { ResourceRoute } from './routes.js';
import { fieldMatcher, labelMatcher, SelectorError } from './selectors.js';
import { badRequest, notFound, StatusError } from './status.js';
import { toTable, wantsTable, type IncludeObject } from './table.js';
import { startWatch } from './watch.js';

const fromError = (e: StatusError): Answer => ({ code: e.code, body: e.body, headers: e.headers });

function includeObject(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/** Label and field selectors (plus the name of a named watch) as one predicate. */
function matcher(route: ResourceRoute, query: URLSearchParams): ((o: KubeObject) => boolean) | StatusError {
  try {
    const labels = labelMatcher(query.get('labelSelector') ?? undefined);
    const fieldText = [query.get('fieldSelector'), route.name && `metadata.name=${route.name}`]
      .filter(Boolean)
      .join(',');
    const fields = fieldMatcher(route.type.kind, fieldText);
    return (o) => labels(o) && fields(o);
  } catch (err) {
    if (err instanceof SelectorError) return badRequest(err.message);
    throw err;
  }
}

export function getObject(ctx: ApiContext, route: ResourceRoute, req: IncomingMessage, query: URLSearchParams): Answer {
  const object = ctx.store.get(route.type, route.namespace, route.name!);
  if (object === undefined) return fromError(notFound(route.type, route.name!));
  if (wantsTable(req.headers.accept)) {
    const rv = (object.metadata as { resourceVersion?: string }).resourceVersion;
    return { code: 200, body: toTable(route.type.kind, [object], { resourceVersion: rv }, includeObject(query)) };
  }
  if (wantsPartialMetadata(req.headers.accept, false)) return { code: 200, body: partialMetadata(object) };
  return { code: 200, body: object };
}

export function listObjects(
  ctx: ApiContext,
  route: ResourceRoute,
  req: IncomingMessage,
  query: URLSearchParams,
): Answer {
  const matches = matcher(route, query);
  if (matches instanceof StatusError) return fromError(matches);
  const selects = Boolean(query.get('labelSelector') || query.get('fieldSelector') || route.name);
  const all = ctx.store.view(route.type, route.namespace);
  const paged = paginate(all, query, ctx.store.resourceVersion, ctx.store.expiredBefore, selects ? matches : undefined);
  if (paged instanceof StatusError) return fromError(paged);
  // The page's objects are the stored ones, not copies: the answer is serialised at once
  // (sendAnswer) and nothing on the way changes it; copying each page's 500 objects was most
  // of what serving a 15,000-pod list cost.
  const page = paged;
  const metadata: Record<string, unknown> = { resourceVersion: String(page.resourceVersion) };
  if (page.continueToken !== undefined) metadata.continue = page.continueToken;
  if (page.remainingItemCount !== undefined) metadata.remainingItemCount = page.remainingItemCount;
  if (wantsTable(req.headers.accept))
    return { code: 200, body: toTable(route.type.kind, page.items, metadata, includeObject(query)) };
  if (wantsPartialMetadata(req.headers.accept, true)) {
    const items = page.items.map(partialMetadata);
    return {
      code: 200,
      body: { kind: 'PartialObjectMetadataList', apiVersion: PARTIAL_METADATA_API_VERSION, metadata, items },
    };
  }
  const body = { kind: route.type.listKind, apiVersion: groupVersion(route.type), metadata, items: page.items };
  // The same text JSON.stringify(body) gives, with each object's text kept by the store: a
  // 15,000-pod list is served page after page, and serialising every pod again for every
  // client was most of what the fake spent on it.
  const json =
    `{"kind":${JSON.stringify(body.kind)},"apiVersion":${JSON.stringify(body.apiVersion)},` +
    `"metadata":${JSON.stringify(metadata)},"items":[${page.items.map((o) => ctx.store.json(o)).join(',')}]}`;
  return { code: 200, body, json };
}

export const isWatch = (route: ResourceRoute, query: URLSearchParams): boolean =>
  route.watchPath || queryFlag(query, 'watch');

/** Starts a watch; answers only when it cannot start (bad selector, bad resourceVersion). */
export function watchObjects(
  ctx: ApiContext,
  route: ResourceRoute,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
  cutAfterEvents: number | undefined,
): Answer | undefined {
  const matches = matcher(route, query);
  if (matches instanceof StatusError) return fromError(matches);
  const timeout = query.get('timeoutSeconds');
  const watch = startWatch(
    req,
    res,
    ctx.store,
    {
      type: route.type,
      namespace: route.namespace,
      matches,
      resourceVersion: query.get('resourceVersion') ?? undefined,
      allowBookmarks: queryFlag(query, 'allowWatchBookmarks'),
      timeoutSeconds: timeout === null ? undefined : Number(timeout),
      bookmarkIntervalMs: ctx.bookmarkIntervalMs,
      cutAfterEvents,
    },
    (closed) => ctx.watches.delete(closed),
  );
  if (watch instanceof StatusError) return fromError(watch);
  if (!watch.ended) ctx.watches.add(watch);
  return undefined;
}
