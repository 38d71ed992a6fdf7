/**
 * Server-side apply (`application/apply-patch+yaml`), after structured-merge-diff's Apply: the
 * applied configuration merges into the live object (keyed lists by key, as strategic merge);
 * the applier then owns exactly the fields it applied; fields it applied last time and omits now
 * are removed unless someone else still owns them; and changing a field another manager owns is
 * a conflict (409) unless forced, when the applier takes the field over.
 */
import {
  compareObjects,
  difference,
  fieldSetOf,
  formatPath,
  intersection,
  pathOfKey,
  removePath,
  trackedPart,
  union,
  type FieldSet,
} from './field-paths.js';
import { isJsonObject, jsonEqual, type JsonObject } from './json-value.js';
import { readOwnerships, sameOwner, writeOwnerships, type Ownership } from './managed-fields.js';
import { mergeMap, stripDirectives } from './strategic-merge.js';

export interface ApplyConflict {
  /** The other manager's name, e.g. `kubectl-client-side-apply`. */
  readonly manager: string;
  /** The field as the API server prints it, e.g. `.spec.replicas`. */
  readonly field: string;
}

export type ApplyResult =
  { ok: true; object: Record<string, unknown> } | { ok: false; code: 409; message: string; conflicts: ApplyConflict[] };

export function serverSideApply(
  current: Record<string, unknown> | undefined,
  applied: Record<string, unknown>,
  manager: string,
  force: boolean,
  now: string,
): ApplyResult {
  const config = configOf(applied);
  const live = current ?? {};
  const ownerships = readOwnerships(current);
  const applier: Ownership = {
    manager,
    operation: 'Apply',
    apiVersion: typeof config.apiVersion === 'string' ? config.apiVersion : '',
    time: now,
    fields: fieldSetOf(trackedPart(config)),
  };
  const previous = ownerships.find((o) => sameOwner(o, applier));
  const others = ownerships.filter((o) => !sameOwner(o, applier));
  const merged = prune(
    mergeMap(live, config, [], { atomicMaps: true }),
    previous?.fields ?? new Set(),
    applier.fields,
    others,
  );
  const { added, modified, removed } = compareObjects(trackedPart(live), trackedPart(merged));
  const conflicts = findConflicts(others, union(added, modified));
  if (conflicts.length > 0 && !force) return conflictResult(conflicts, others);
  const taken = union(added, modified);
  const kept = others.map((o) => ({ ...o, fields: difference(difference(o.fields, taken), removed) }));
  const unchanged = previous !== undefined && jsonEqual(trackedPart(live), trackedPart(merged));
  const own = { ...applier, time: unchanged && sameFields(previous.fields, applier.fields) ? previous.time : now };
  return { ok: true, object: writeOwnerships(merged, [...kept, own]) };
}

/** The applied object as merged: directives and nulls out, and never the client's managedFields. */
function configOf(applied: JsonObject): JsonObject {
  const config = stripDirectives(applied) as JsonObject;
  if (isJsonObject(config.metadata)) {
    const { managedFields: _managedFields, resourceVersion: _resourceVersion, ...metadata } = config.metadata;
    return { ...config, metadata };
  }
  return config;
}

/** Remove what the applier dropped since its last apply, unless another manager owns it or something under it. */
function prune(merged: JsonObject, before: FieldSet, now: FieldSet, others: readonly Ownership[]): JsonObject {
  const ownedByOthers = union(...others.map((o) => o.fields));
  let result = merged;
  for (const key of difference(before, now)) {
    const path = pathOfKey(key);
    if (isOwnedAtOrBelow(key, ownedByOthers) || isOwnedAtOrBelow(key, now) || isItemKey(path)) continue;
    result = removePath(result, path);
  }
  return result;
}

/**
 * Whether the path is the key field of a keyed-list item (`…k:{"name":"x"}, f:name`): that goes
 * with the item (removed when the item is), never alone, or the item would lose its identity.
 */
function isItemKey(path: readonly string[]): boolean {
  const field = path[path.length - 1];
  const item = path[path.length - 2];
  if (field === undefined || item === undefined || !field.startsWith('f:') || !item.startsWith('k:')) return false;
  return Object.hasOwn(JSON.parse(item.slice(2)) as object, field.slice(2));
}

function isOwnedAtOrBelow(key: string, owned: FieldSet): boolean {
  const prefix = key.slice(0, -1);
  return [...owned].some((other) => other === key || other.startsWith(`${prefix},`));
}

const sameFields = (a: FieldSet, b: FieldSet): boolean => a.size === b.size && [...a].every((k) => b.has(k));

function findConflicts(others: readonly Ownership[], changed: FieldSet): { owner: Ownership; field: string }[] {
  return others.flatMap((owner) =>
    [...intersection(owner.fields, changed)].sort().map((key) => ({ owner, field: formatPath(pathOfKey(key)) })),
  );
}

function conflictResult(found: { owner: Ownership; field: string }[], others: readonly Ownership[]): ApplyResult {
  const conflicts = found.map(({ owner, field }) => ({ manager: owner.manager, field }));
  return { ok: false, code: 409, message: conflictMessage(found, others), conflicts };
}

/** apimachinery's getConflictMessage, word for word. */
function conflictMessage(found: { owner: Ownership; field: string }[], others: readonly Ownership[]): string {
  const only = found[0];
  if (found.length === 1 && only) {
    return `Apply failed with 1 conflict: conflict with ${describeOwner(only.owner)}: ${only.field}`;
  }
  const groups = others
    .map((owner) => ({
      name: describeOwner(owner),
      fields: found.filter((c) => c.owner === owner).map((c) => c.field),
    }))
    .filter((group) => group.fields.length > 0)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines = groups.flatMap((group) => [`conflicts with ${group.name}:`, ...group.fields.map((f) => `- ${f}`)]);
  return `Apply failed with ${found.length} conflicts: ${lines.join('\n')}`;
}

/** apimachinery's printManager: appliers by name; updaters with subresource and apiVersion. */
export function describeOwner(owner: Ownership): string {
  const name = JSON.stringify(owner.manager);
  const withSubresource = owner.subresource ? `${name} with subresource ${JSON.stringify(owner.subresource)}` : name;
  return owner.operation === 'Update' ? `${withSubresource} using ${owner.apiVersion}` : withSubresource;
}
