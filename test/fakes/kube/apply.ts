// Server-side apply: PATCH with Content-Type application/apply-patch+yaml (kubectl and
// client-node send JSON under it; YAML is accepted too). `fieldManager` is required, `force`
// takes fields over from other managers instead of answering 409 Conflict. A missing object is
// created (201), as `kubectl apply --server-side` expects; an existing one is updated (200).
// The merge and managedFields bookkeeping are serverSideApply's, in ./patch.

import { parse as parseYaml } from 'yaml';
import type { ApiContext } from './context.js';
import { queryFlag, type Answer } from './http.js';
import { isRecord, kubeTime, meta, type KubeObject } from './objects.js';
import { serverSideApply } from './patch/index.js';
import type { ResourceRoute } from './routes.js';
import { badRequest, invalid, statusError } from './status.js';
import { admit, fromError, withDefaults } from './write.js';

function parseApplied(body: Buffer): { ok: true; object: KubeObject } | { ok: false; answer: Answer } {
  let parsed: unknown;
  try {
    parsed = parseYaml(body.toString('utf8'));
  } catch (err) {
    return { ok: false, answer: fromError(badRequest(`error decoding YAML: ${(err as Error).message}`)) };
  }
  if (isRecord(parsed)) return { ok: true, object: parsed };
  return { ok: false, answer: fromError(badRequest('the applied configuration must be an object')) };
}

function conflictAnswer(
  route: ResourceRoute,
  conflicts: { manager: string; field: string }[],
  message: string,
): Answer {
  return fromError(
    statusError(409, 'Conflict', message, {
      name: route.name,
      group: route.type.group,
      kind: route.type.plural,
      causes: conflicts.map((c) => ({
        reason: 'FieldManagerConflict',
        message: `conflict with "${c.manager}"`,
        field: c.field,
      })),
    }),
  );
}

export function serverSideApplyAnswer(
  ctx: ApiContext,
  route: ResourceRoute,
  body: Buffer,
  query: URLSearchParams,
): Answer {
  const manager = query.get('fieldManager') ?? '';
  if (manager === '')
    return fromError(
      invalid(route.type, route.name ?? '', [
        { field: 'fieldManager', message: 'Required value: is required for apply patch', reason: 'FieldValueRequired' },
      ]),
    );
  const applied = parseApplied(body);
  if (!applied.ok) return applied.answer;
  const object = applied.object;
  if (route.type.namespaced && meta(object).namespace === undefined) meta(object).namespace = route.namespace;
  const current = ctx.store.get(route.type, route.namespace, route.name!);
  const result = serverSideApply(current, object, manager, queryFlag(query, 'force'), kubeTime());
  if (!result.ok) return conflictAnswer(route, result.conflicts, result.message);
  const refused = admit(ctx, route, result.object);
  if (refused !== undefined) return fromError(refused);
  if (current === undefined) {
    const created = ctx.store.create(route.type, withDefaults(route.type, result.object));
    return created.ok ? { code: 201, body: created.object } : fromError(created.error);
  }
  const updated = ctx.store.update(route.type, result.object, route.subresource === 'status' ? 'status' : 'main');
  return updated.ok ? { code: 200, body: updated.object } : fromError(updated.error);
}
