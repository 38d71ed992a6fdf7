/**
 * Kubernetes strategic merge patch (`application/strategic-merge-patch+json`), after
 * apimachinery's strategicpatch: maps merge, lists merge by key where the API server's types say
 * so (list-keys.ts), other lists are replaced, and the `$`-directives steer the rest:
 * - `$patch: replace` (map: take the patch as is; list item `{$patch: replace}`: the patch's items
 *   replace the list), `$patch: delete` (map: emptied; keyed list item: that item removed),
 *   `$patch: merge` (the default, accepted and ignored);
 * - `$setElementOrder/<list>`: the order of the merged list (kubectl's client-side apply sends it);
 * - `$retainKeys: [...]`: keys of the original map outside the list are cleared;
 * - `$deleteFromPrimitiveList/<list>: [...]`: values removed from a list of scalars.
 * Errors follow the API server: a malformed directive is 400, a missing merge key is 422.
 */
import { cloneJson, isJsonObject, jsonEqual, type JsonObject } from './json-value.js';
import { isAtomicMapAt, listStrategyAt, type ListStrategy } from './list-keys.js';
import { badRequest, unprocessable, type PatchResult } from './result.js';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/** The first failure met while merging; merging goes on best-effort and the failure wins at the end. */
export interface Context {
  failure?: { code: 400 | 422; message: string };
  /** Server-side apply replaces atomic maps (selectors, references) whole; strategic merge merges them. */
  readonly atomicMaps?: boolean;
}

const failOnce = (context: Context, code: 400 | 422, message: string): void => {
  context.failure ??= { code, message };
};

export function applyStrategicMergePatch(current: Record<string, unknown>, patch: unknown): PatchResult {
  if (!isJsonObject(patch)) return badRequest('json: cannot unmarshal strategic merge patch into an object');
  const context: Context = {};
  const object = mergeMap(current, patch, [], context);
  if (context.failure) {
    const { code, message } = context.failure;
    return code === 400 ? badRequest(message) : unprocessable(message);
  }
  return { ok: true, object };
}

/**
 * Merge `patch` into `original` (neither is mutated). `path` is the field names from the root,
 * list items left out, which is what list-keys.ts needs to find a list's strategy.
 */
export function mergeMap(original: unknown, patch: JsonObject, path: readonly string[], context: Context): JsonObject {
  const directive = patch[PATCH];
  if (directive === 'replace') return stripDirectives(withoutKey(patch, PATCH)) as JsonObject;
  if (directive === 'delete') return {};
  if (directive !== undefined && directive !== 'merge') {
    failOnce(context, 400, `Unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patch)}`);
  }
  let result: JsonObject = isJsonObject(original) ? { ...original } : {};
  result = retainKeys(result, patch, context);
  deleteFromPrimitiveLists(result, patch, context);
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    mergeField(result, key, value, [...path, key], context);
  }
  applyElementOrders(result, patch, original, path, context);
  return result;
}

function mergeField(result: JsonObject, key: string, value: unknown, path: readonly string[], context: Context): void {
  if (value === null) {
    delete result[key];
    return;
  }
  const old = result[key];
  if (isJsonObject(value) && context.atomicMaps === true && isAtomicMapAt(path)) {
    result[key] = stripDirectives(value);
  } else if (isJsonObject(value)) {
    result[key] = mergeMap(isJsonObject(old) ? old : {}, value, path, context);
  } else if (Array.isArray(value)) {
    result[key] = mergeList(Array.isArray(old) ? old : [], value, listStrategyAt(path), path, context);
  } else {
    result[key] = value;
  }
}

function withoutKey(object: JsonObject, key: string): JsonObject {
  const copy = { ...object };
  delete copy[key];
  return copy;
}

/** Directives never reach the stored object (the real server drops them when it decodes). */
export function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((item) => !isDirectiveOnly(item)).map(stripDirectives);
  if (!isJsonObject(value)) return cloneJson(value);
  const result: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (!key.startsWith('$') && item !== null) result[key] = stripDirectives(item);
  }
  return result;
}

const isDirectiveOnly = (item: unknown): boolean =>
  isJsonObject(item) && PATCH in item && Object.keys(item).every((k) => k.startsWith('$'));

function retainKeys(result: JsonObject, patch: JsonObject, context: Context): JsonObject {
  const retained = patch[RETAIN_KEYS];
  if (retained === undefined) return result;
  if (!Array.isArray(retained) || !retained.every((k) => typeof k === 'string')) {
    failOnce(context, 400, `invalid patch: doesn't support $retainKeys format: ${JSON.stringify(retained)}`);
    return result;
  }
  // A null clears a key the union no longer uses: kubectl sends `rollingUpdate: null` next to `$retainKeys: [type]`.
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith('$') && value !== null && !retained.includes(key)) {
      failOnce(context, 400, `invalid patch: the patch sets "${key}", which is not in $retainKeys`);
    }
  }
  return Object.fromEntries(Object.entries(result).filter(([key]) => retained.includes(key)));
}

function deleteFromPrimitiveLists(result: JsonObject, patch: JsonObject, context: Context): void {
  for (const [key, values] of Object.entries(patch)) {
    if (!key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    if (!Array.isArray(values)) {
      failOnce(context, 400, `invalid patch: doesn't support ${key} format: ${JSON.stringify(values)}`);
      continue;
    }
    const listKey = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
    const list = result[listKey];
    if (Array.isArray(list)) result[listKey] = list.filter((item) => !values.some((v) => jsonEqual(v, item)));
  }
}

function mergeList(
  original: readonly unknown[],
  patch: readonly unknown[],
  strategy: ListStrategy,
  path: readonly string[],
  context: Context,
): unknown[] {
  if (strategy.type === 'atomic') return stripDirectives(patch) as unknown[];
  if (strategy.type === 'set') return union(original, patch);
  return mergeKeyedList(original, patch, strategy.key, path, context);
}

/** Scalars merged as a set: the original's order, then what the patch adds. */
function union(original: readonly unknown[], patch: readonly unknown[]): unknown[] {
  const result = [...original];
  for (const item of patch) if (!result.some((existing) => jsonEqual(existing, item))) result.push(item);
  return result;
}

function mergeKeyedList(
  original: readonly unknown[],
  patch: readonly unknown[],
  key: string,
  path: readonly string[],
  context: Context,
): unknown[] {
  if (!patch.every(isJsonObject)) return stripDirectives(patch) as unknown[];
  const items = patch.filter((item) => item[PATCH] === undefined || item[PATCH] === 'merge');
  if (patch.some((item) => item[PATCH] === 'replace')) return items.map((item) => mergeMap({}, item, path, context));
  let result = [...original];
  for (const item of patch) {
    if (!(key in item)) {
      failOnce(context, 422, `map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
      continue;
    }
    const directive = item[PATCH];
    if (directive === 'delete') result = result.filter((existing) => !hasKey(existing, key, item[key]));
    else if (directive !== undefined && directive !== 'merge') {
      failOnce(context, 400, `Unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(item)}`);
    } else result = mergeItem(result, item, key, path, context);
  }
  return result;
}

const hasKey = (item: unknown, key: string, value: unknown): boolean =>
  isJsonObject(item) && jsonEqual(item[key], value);

/** An item whose key is already in the list merges into it in place; a new one is appended. */
function mergeItem(list: unknown[], item: JsonObject, key: string, path: readonly string[], context: Context) {
  const index = list.findIndex((existing) => hasKey(existing, key, item[key]));
  const patchItem = withoutKey(item, PATCH);
  if (index < 0) return [...list, mergeMap({}, patchItem, path, context)];
  const merged = [...list];
  merged[index] = mergeMap(list[index], patchItem, path, context);
  return merged;
}

/** `$setElementOrder/<list>` for every list the patch names, whether or not the patch changes it. */
function applyElementOrders(
  result: JsonObject,
  patch: JsonObject,
  original: unknown,
  path: readonly string[],
  context: Context,
): void {
  for (const [directive, order] of Object.entries(patch)) {
    if (!directive.startsWith(SET_ELEMENT_ORDER)) continue;
    const listKey = directive.slice(SET_ELEMENT_ORDER.length);
    if (!Array.isArray(order)) {
      failOnce(context, 400, `invalid patch: doesn't support ${directive} format: ${JSON.stringify(order)}`);
      continue;
    }
    const merged = result[listKey];
    if (!Array.isArray(merged)) continue;
    const strategy = listStrategyAt([...path, listKey]);
    const key = strategy.type === 'map' ? strategy.key : undefined;
    if (key !== undefined && !order.every((entry) => isJsonObject(entry) && key in entry)) {
      failOnce(context, 422, `map: ${JSON.stringify(order)} does not contain declared merge key: ${key}`);
      continue;
    }
    const server = isJsonObject(original) && Array.isArray(original[listKey]) ? original[listKey] : [];
    result[listKey] = orderElements(merged, order, server, key);
  }
}

/** The identity an item is ordered by: its merge key's value, or itself in a list of scalars. */
const identity = (item: unknown, key: string | undefined): unknown =>
  key !== undefined && isJsonObject(item) ? item[key] : item;

const indexIn = (list: readonly unknown[], item: unknown, key: string | undefined): number =>
  list.findIndex((entry) => jsonEqual(identity(entry, key), identity(item, key)));

/**
 * apimachinery's normalizeElementOrder: the items the order names follow it; the others (added
 * on the server, not by this client) keep their place relative to their neighbours in the live list.
 */
export function orderElements(
  merged: readonly unknown[],
  order: readonly unknown[],
  server: readonly unknown[],
  key: string | undefined,
): unknown[] {
  const named = merged.filter((item) => indexIn(order, item, key) >= 0);
  const serverOnly = merged.filter((item) => indexIn(order, item, key) < 0);
  const sortedNamed = stableSortBy(named, (item) => indexIn(order, item, key));
  const sortedServerOnly = stableSortBy(serverOnly, (item) => indexIn(server, item, key));
  return interleave(sortedServerOnly, sortedNamed, (item) => indexIn(server, item, key));
}

/** Sort by rank, keeping the relative order of items without one (rank < 0). */
function stableSortBy<T>(items: readonly T[], rank: (item: T) => number): T[] {
  const ranked = items.map((item, position) => ({ item, position, rank: rank(item) }));
  const withRank = ranked.filter((entry) => entry.rank >= 0).sort((a, b) => a.rank - b.rank);
  let next = 0;
  return ranked.map((entry) => (entry.rank >= 0 ? (withRank[next++] as (typeof ranked)[number]).item : entry.item));
}

/** apimachinery's mergeSortedSlice: a server-only item goes first only when both are in the live list and it came first there. */
function interleave<T>(left: readonly T[], right: readonly T[], liveIndex: (item: T) => number): T[] {
  const result: T[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    const l = left[i];
    const r = right[j];
    if (j >= right.length || (i < left.length && takeLeft(liveIndex(l as T), liveIndex(r as T)))) {
      result.push(l as T);
      i++;
    } else {
      result.push(r as T);
      j++;
    }
  }
  return result;
}

const takeLeft = (leftIndex: number, rightIndex: number): boolean =>
  leftIndex >= 0 && rightIndex >= 0 && leftIndex < rightIndex;
