/**
 * The fake API server's patch semantics: JSON patch, JSON merge patch, strategic merge patch,
 * and server-side apply with managed fields. Pure functions over parsed JSON; no I/O.
 */
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import type { PatchResult } from './result.js';
import { applyStrategicMergePatch } from './strategic-merge.js';

export type { PatchResult } from './result.js';
export type { ListStrategy } from './list-keys.js';
export { listStrategyAt } from './list-keys.js';

/** `json` is application/json-patch+json, `merge` application/merge-patch+json, `strategic` application/strategic-merge-patch+json. */
export function applyPatch(
  current: Record<string, unknown>,
  patch: unknown,
  contentType: 'json' | 'merge' | 'strategic',
): PatchResult {
  switch (contentType) {
    case 'json':
      return applyJsonPatch(current, patch);
    case 'merge':
      return applyMergePatch(current, patch);
    case 'strategic':
      return applyStrategicMergePatch(current, patch);
  }
}

export { serverSideApply, type ApplyConflict, type ApplyResult } from './server-side-apply.js';
export { recordUpdate, readOwnerships, encodeFieldsV1, decodeFieldsV1, type Ownership } from './managed-fields.js';
