/**
 * Field paths as server-side apply tracks them: a path is a list of tokens in the FieldsV1
 * notation (`f:spec`, `k:{"name":"nginx"}` for an item of a keyed list, `v:"x"` for a value of
 * a set), and a field set holds the paths a manager owns. Only leaves, keyed-list items and set
 * values are members (as in the Apply entries the real server writes); maps are implied by
 * their members.
 */
import { isJsonObject, jsonEqual, type JsonObject } from './json-value.js';
import { isAtomicMapAt, listStrategyAt } from './list-keys.js';

export type FieldPath = readonly string[];

/** A set of field paths, keyed by their JSON text so that paths compare by value. */
export type FieldSet = ReadonlySet<string>;

export const pathKey = (path: FieldPath): string => JSON.stringify(path);
export const pathOfKey = (key: string): string[] => JSON.parse(key) as string[];

/** Metadata the API server sets itself: never owned by a manager (apimachinery's stripmeta). */
const UNTRACKED_METADATA = [
  'name',
  'namespace',
  'creationTimestamp',
  'deletionTimestamp',
  'selfLink',
  'uid',
  'generation',
  'managedFields',
  'resourceVersion',
];

/** The object without the fields no manager owns: apiVersion, kind and server-set metadata. */
export function trackedPart(object: JsonObject): JsonObject {
  const { apiVersion: _apiVersion, kind: _kind, metadata, ...rest } = object;
  if (!isJsonObject(metadata)) return rest;
  const tracked = Object.fromEntries(Object.entries(metadata).filter(([key]) => !UNTRACKED_METADATA.includes(key)));
  return Object.keys(tracked).length > 0 ? { ...rest, metadata: tracked } : rest;
}

/** A member of a field set: its path, the value there, and whether it is a keyed-list item. */
export interface Member {
  readonly path: FieldPath;
  readonly value: unknown;
  readonly item: boolean;
}

/** Every member path of a value (call with trackedPart of an object). */
export function membersOf(value: JsonObject): Member[] {
  const members: Member[] = [];
  visitMap(value, [], [], members);
  return members;
}

function visitMap(value: JsonObject, path: FieldPath, names: readonly string[], out: Member[]): void {
  if (path.length > 0 && isAtomicMapAt(names)) {
    out.push({ path, value, item: false });
    return;
  }
  const entries = Object.entries(value).filter(([, child]) => child !== null);
  // An empty map is a leaf: `resources: {}` is owned as `f:resources: {}`.
  if (entries.length === 0 && path.length > 0) out.push({ path, value, item: false });
  for (const [key, child] of entries) visitValue(child, [...path, `f:${key}`], [...names, key], out);
}

function visitValue(value: unknown, path: FieldPath, names: readonly string[], out: Member[]): void {
  if (isJsonObject(value)) visitMap(value, path, names, out);
  else if (Array.isArray(value)) visitList(value, path, names, out);
  else out.push({ path, value, item: false });
}

function visitList(list: readonly unknown[], path: FieldPath, names: readonly string[], out: Member[]): void {
  const strategy = listStrategyAt(names);
  if (strategy.type === 'set' && list.length > 0) {
    for (const item of list) out.push({ path: [...path, `v:${JSON.stringify(item)}`], value: item, item: false });
    return;
  }
  if (strategy.type !== 'map' || list.length === 0 || !list.every((i) => isJsonObject(i) && strategy.key in i)) {
    out.push({ path, value: list, item: false });
    return;
  }
  for (const item of list as JsonObject[]) {
    const itemPath = [...path, keyToken(strategy.key, item[strategy.key])];
    out.push({ path: itemPath, value: item, item: true });
    visitMap(item, itemPath, names, out);
  }
}

export const keyToken = (key: string, value: unknown): string => `k:${JSON.stringify({ [key]: value })}`;

export const fieldSetOf = (value: JsonObject): Set<string> => new Set(membersOf(value).map((m) => pathKey(m.path)));

/** What changed between two objects, as member paths (call with the trackedPart of each). */
export interface Comparison {
  readonly added: Set<string>;
  readonly removed: Set<string>;
  readonly modified: Set<string>;
}

export function compareObjects(before: JsonObject, after: JsonObject): Comparison {
  const old = new Map(membersOf(before).map((m) => [pathKey(m.path), m]));
  const next = new Map(membersOf(after).map((m) => [pathKey(m.path), m]));
  const added = new Set([...next.keys()].filter((key) => !old.has(key)));
  const removed = new Set([...old.keys()].filter((key) => !next.has(key)));
  const modified = new Set<string>();
  for (const [key, member] of next) {
    const previous = old.get(key);
    // An item's own path never "changes": its fields carry the changes.
    if (previous && !member.item && !jsonEqual(previous.value, member.value)) modified.add(key);
  }
  return { added, removed, modified };
}

export const union = (...sets: FieldSet[]): Set<string> => new Set(sets.flatMap((set) => [...set]));
export const difference = (a: FieldSet, b: FieldSet): Set<string> => new Set([...a].filter((key) => !b.has(key)));
export const intersection = (a: FieldSet, b: FieldSet): Set<string> => new Set([...a].filter((key) => b.has(key)));

/** `.spec.template.spec.containers[name="nginx"].image`, as structured-merge-diff prints a path. */
export function formatPath(path: FieldPath): string {
  return path.map(formatToken).join('');
}

function formatToken(token: string): string {
  const body = token.slice(2);
  if (token.startsWith('f:')) return `.${body}`;
  if (token.startsWith('v:')) return `[=${body}]`;
  if (token.startsWith('k:')) {
    const key = JSON.parse(body) as JsonObject;
    return `[${Object.entries(key)
      .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
      .join(',')}]`;
  }
  return `[${body}]`;
}

/** A copy of `object` without the member at `path` (a field, a keyed item or a set value). */
export function removePath(object: JsonObject, path: FieldPath): JsonObject {
  const [token, ...rest] = path;
  if (token === undefined || !token.startsWith('f:')) return object;
  const field = token.slice(2);
  if (!(field in object)) return object;
  const copy = { ...object };
  if (rest.length === 0) delete copy[field];
  else copy[field] = removeInside(copy[field], rest);
  return copy;
}

function removeInside(value: unknown, path: FieldPath): unknown {
  if (isJsonObject(value)) return removePath(value, path);
  const [token, ...rest] = path;
  if (!Array.isArray(value) || token === undefined) return value;
  const list: readonly unknown[] = value;
  const matches = itemMatcher(token);
  if (rest.length === 0) return list.filter((item) => !matches(item));
  return list.map((item) => (matches(item) && isJsonObject(item) ? removePath(item, rest) : item));
}

function itemMatcher(token: string): (item: unknown) => boolean {
  const body = JSON.parse(token.slice(2)) as unknown;
  if (token.startsWith('v:')) return (item) => jsonEqual(item, body);
  if (!token.startsWith('k:') || !isJsonObject(body)) return () => false;
  return (item) => isJsonObject(item) && Object.entries(body).every(([key, value]) => jsonEqual(item[key], value));
}
