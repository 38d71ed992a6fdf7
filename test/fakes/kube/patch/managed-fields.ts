/**
 * `metadata.managedFields`: who owns which fields. Entries are keyed, as in apimachinery, by
 * manager, operation, subresource and (for Update only) apiVersion, so `kubectl` applying and
 * `kubectl` updating are two owners. Field sets travel as FieldsV1: nested `f:`/`k:`/`v:` keys,
 * `{}` for a member leaf and `".": {}` for a member that also has members below it.
 */
import { compareObjects, difference, pathKey, pathOfKey, trackedPart, union, type FieldSet } from './field-paths.js';
import { isJsonObject, type JsonObject } from './json-value.js';

export type Operation = 'Apply' | 'Update';

/** One decoded managedFields entry. */
export interface Ownership {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion: string;
  readonly time: string;
  readonly subresource?: string;
  readonly fields: FieldSet;
}

type Identity = Pick<Ownership, 'manager' | 'operation' | 'apiVersion' | 'subresource'>;

/** Whether two entries are the same owner (apimachinery's BuildManagerIdentifier). */
export const sameOwner = (a: Identity, b: Identity): boolean =>
  a.manager === b.manager &&
  a.operation === b.operation &&
  (a.subresource ?? '') === (b.subresource ?? '') &&
  (a.operation === 'Apply' || a.apiVersion === b.apiVersion);

/** A field set as FieldsV1. */
export function encodeFieldsV1(fields: FieldSet): JsonObject {
  const root: TreeNode = { member: false, children: new Map() };
  for (const key of fields) {
    let node = root;
    for (const token of pathOfKey(key)) {
      let child = node.children.get(token);
      if (child === undefined) {
        child = { member: false, children: new Map() };
        node.children.set(token, child);
      }
      node = child;
    }
    node.member = true;
  }
  return encodeNode(root);
}

interface TreeNode {
  member: boolean;
  children: Map<string, TreeNode>;
}

function encodeNode(node: TreeNode): JsonObject {
  const encoded: JsonObject = node.member && node.children.size > 0 ? { '.': {} } : {};
  for (const token of [...node.children.keys()].sort())
    encoded[token] = encodeNode(node.children.get(token) as TreeNode);
  return encoded;
}

/** FieldsV1 as a field set; anything that is not FieldsV1 contributes nothing. */
export function decodeFieldsV1(fieldsV1: unknown): Set<string> {
  const fields = new Set<string>();
  const visit = (node: unknown, path: string[]): void => {
    if (!isJsonObject(node)) return;
    const tokens = Object.keys(node).filter((token) => token !== '.');
    if (path.length > 0 && (tokens.length === 0 || '.' in node)) fields.add(pathKey(path));
    for (const token of tokens) visit(node[token], [...path, token]);
  };
  visit(fieldsV1, []);
  return fields;
}

/** The entries of `object.metadata.managedFields`; malformed entries are dropped. */
export function readOwnerships(object: JsonObject | undefined): Ownership[] {
  const metadata = object?.metadata;
  const entries = isJsonObject(metadata) && Array.isArray(metadata.managedFields) ? metadata.managedFields : [];
  return entries.filter(isJsonObject).flatMap((entry): Ownership[] => {
    const { manager, operation, apiVersion, time, subresource } = entry;
    if (typeof manager !== 'string' || (operation !== 'Apply' && operation !== 'Update')) return [];
    return [
      {
        manager,
        operation,
        apiVersion: typeof apiVersion === 'string' ? apiVersion : '',
        time: typeof time === 'string' ? time : '',
        ...(typeof subresource === 'string' && subresource !== '' ? { subresource } : {}),
        fields: decodeFieldsV1(entry.fieldsV1),
      },
    ];
  });
}

/** Entries as the API server writes them: empty ones dropped, sorted by operation, time, manager. */
export function writeOwnerships(object: JsonObject, ownerships: readonly Ownership[]): JsonObject {
  const entries = ownerships
    .filter((o) => o.fields.size > 0)
    .sort(byOperationTimeManager)
    .map(({ manager, operation, apiVersion, time, subresource, fields }) => ({
      manager,
      operation,
      apiVersion,
      time,
      fieldsType: 'FieldsV1',
      fieldsV1: encodeFieldsV1(fields),
      ...(subresource === undefined ? {} : { subresource }),
    }));
  const metadata = isJsonObject(object.metadata) ? { ...object.metadata } : {};
  if (entries.length > 0) metadata.managedFields = entries;
  else delete metadata.managedFields;
  return { ...object, metadata };
}

function byOperationTimeManager(a: Ownership, b: Ownership): number {
  return (
    compareText(a.operation, b.operation) ||
    compareText(a.time, b.time) ||
    compareText(a.manager, b.manager) ||
    compareText(a.apiVersion, b.apiVersion) ||
    compareText(a.subresource ?? '', b.subresource ?? '')
  );
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Managed fields after a create, update or non-apply patch by `manager`: it now owns every field
 * it changed (taken from whoever owned it: an update is never refused for ownership), and
 * fields that disappeared are owned by no one. `after` is returned with the new managedFields;
 * an `after` without managedFields keeps `before`'s (clients that drop them must not wipe them).
 */
export function recordUpdate(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
  manager: string,
  now: string,
  subresource?: string,
): Record<string, unknown> {
  const sent = readOwnerships(after);
  const ownerships = sent.length > 0 ? sent : readOwnerships(before);
  const { added, modified, removed } = compareObjects(trackedPart(before ?? {}), trackedPart(after));
  const changed = union(added, modified);
  if (changed.size === 0 && removed.size === 0) return writeOwnerships(after, ownerships);
  const updater: Ownership = {
    manager,
    operation: 'Update',
    apiVersion: typeof after.apiVersion === 'string' ? after.apiVersion : '',
    time: now,
    ...(subresource === undefined ? {} : { subresource }),
    fields: new Set(),
  };
  const previous = ownerships.find((o) => sameOwner(o, updater));
  const others = ownerships
    .filter((o) => !sameOwner(o, updater))
    .map((o) => ({ ...o, fields: difference(difference(o.fields, changed), removed) }));
  const own = { ...updater, fields: difference(union(previous?.fields ?? new Set(), changed), removed) };
  return writeOwnerships(after, [...others, own]);
}
