// PATCH on a resource (or its status or scale subresource), by content type:
//   application/json-patch+json, application/merge-patch+json,
//   application/strategic-merge-patch+json  → applyPatch from ./patch (the object must exist)
//   application/apply-patch+yaml            → server-side apply (see apply.ts)
// Any other content type is answered 415. The patched object is admitted like a PUT (name,
// namespace, validation) and carries the stored resourceVersion unless the patch set one, so
// a patch naming a stale resourceVersion gets 409 as the real server gives it.

import type { ApiContext } from './context.js';
import type { Answer } from './http.js';
import { isRecord, type KubeObject } from './objects.js';
import { applyPatch } from './patch/index.js';
import type { ResourceRoute } from './routes.js';
import { storeScale, toScale } from './scale.js';
import { badRequest, notFound, statusError, unsupportedMediaType } from './status.js';
import { admit, fromError } from './write.js';
import { serverSideApplyAnswer } from './apply.js';

const PATCH_TYPES: Record<string, 'json' | 'merge' | 'strategic'> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
};
export const APPLY_PATCH = 'application/apply-patch+yaml';

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false; answer: Answer } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch (err) {
    return { ok: false, answer: fromError(badRequest(`error decoding patch: ${(err as Error).message}`)) };
  }
}

export function patchObject(
  ctx: ApiContext,
  route: ResourceRoute,
  contentType: string,
  body: Buffer,
  query: URLSearchParams,
): Answer {
  if (contentType === APPLY_PATCH) return serverSideApplyAnswer(ctx, route, body, query);
  const flavour = PATCH_TYPES[contentType];
  if (flavour === undefined) return fromError(unsupportedMediaType(contentType));
  const current = ctx.store.get(route.type, route.namespace, route.name!);
  if (current === undefined) return fromError(notFound(route.type, route.name!));
  const patch = parseJson(body);
  if (!patch.ok) return patch.answer;
  if (route.subresource === 'scale') return patchScale(ctx, route, current, patch.value, flavour);
  const patched = applyPatch(current, patch.value, flavour);
  if (!patched.ok) return patchFailure(route, patched.code, patched.message);
  const refused = admit(ctx, route, patched.object);
  if (refused !== undefined) return fromError(refused);
  const result = ctx.store.update(route.type, patched.object, route.subresource === 'status' ? 'status' : 'main');
  return result.ok ? { code: 200, body: result.object } : fromError(result.error);
}

function patchFailure(route: ResourceRoute, code: 400 | 422, message: string): Answer {
  if (code === 400) return fromError(badRequest(message));
  return fromError(
    statusError(422, 'Invalid', `${route.type.kind} "${route.name ?? ''}" is invalid: ${message}`, {
      name: route.name,
      group: route.type.group,
      kind: route.type.kind,
    }),
  );
}

function patchScale(
  ctx: ApiContext,
  route: ResourceRoute,
  current: KubeObject,
  patch: unknown,
  flavour: 'json' | 'merge' | 'strategic',
): Answer {
  const patched = applyPatch(toScale(current), patch, flavour);
  if (!patched.ok) return patchFailure(route, patched.code, patched.message);
  return storeScale(ctx, route, current, isRecord(patched.object) ? patched.object : undefined);
}
