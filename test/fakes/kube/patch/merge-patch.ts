/**
 * RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge key by key, `null`
 * deletes, and everything else (arrays included) replaces. This is what corrupts `containers`
 * when a client sends it where a strategic merge patch was meant: the whole list is replaced.
 */
import { cloneJson, isJsonObject, jsonEqual } from './json-value.js';
import { badRequest, type PatchResult } from './result.js';

export function applyMergePatch(current: Record<string, unknown>, patch: unknown): PatchResult {
  // A non-object patch would replace the whole object with a non-object: nothing the server could store.
  if (!isJsonObject(patch)) return badRequest('json: cannot unmarshal merge patch into an object');
  return { ok: true, object: mergeObject(current, patch) };
}

/** The RFC's MergePatch(target, patch) for an object patch; never mutates either argument. */
export function mergeObject(target: unknown, patch: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else if (isJsonObject(value)) result[key] = mergeObject(result[key], value);
    else result[key] = cloneJson(value);
  }
  return result;
}

/** A merge patch that turns `from` into `to` (the inverse of mergeObject, for objects). */
export function createMergePatch(from: Record<string, unknown>, to: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    const old = from[key];
    if (isJsonObject(value) && isJsonObject(old)) {
      const nested = createMergePatch(old, value);
      if (Object.keys(nested).length > 0) patch[key] = nested;
    } else if (!(key in from) || !jsonEqual(old, value)) {
      patch[key] = cloneJson(value);
    }
  }
  return patch;
}
