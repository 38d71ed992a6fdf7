/**
 * RFC 6902 JSON Patch (`application/json-patch+json`), with the API server's error wording: it
 * uses evanphx/json-patch, whose messages end in `: missing value` or `: test failed`, and it
 * answers 400 when the patch cannot be decoded and 422 when it does not apply.
 */
import { cloneJson, isJsonObject, jsonEqual, type JsonObject } from './json-value.js';
import { badRequest, unprocessable, type PatchResult } from './result.js';

interface Operation {
  readonly op: string;
  readonly path: string;
  readonly from?: string;
  readonly value?: unknown;
  readonly hasValue: boolean;
}

/** A failure while applying one operation; becomes a 422. */
type Failure = { failed: string };
const fail = (failed: string): Failure => ({ failed });
const MISSING = 'missing value';

/** Where a pointer lands: the container that holds it and the token naming it inside. */
interface Location {
  readonly container: JsonObject | unknown[];
  readonly token: string;
}

export function applyJsonPatch(current: Record<string, unknown>, patch: unknown): PatchResult {
  const operations = decodeOperations(patch);
  if (typeof operations === 'string') return badRequest(operations);
  let doc: unknown = cloneJson(current);
  for (const operation of operations) {
    const next = applyOperation(doc, operation);
    if (isFailure(next)) return unprocessable(next.failed);
    doc = next.doc;
  }
  if (!isJsonObject(doc)) return unprocessable('the patched document is not a JSON object');
  return { ok: true, object: doc };
}

const isFailure = (value: unknown): value is Failure => isJsonObject(value) && typeof value.failed === 'string';

function decodeOperations(patch: unknown): Operation[] | string {
  if (!Array.isArray(patch)) return 'json: cannot unmarshal object into Go value of type jsonpatch.Patch';
  const operations: Operation[] = [];
  for (const raw of patch) {
    if (!isJsonObject(raw)) return 'json: cannot unmarshal into Go value of type jsonpatch.Operation';
    const { op, path, from } = raw;
    operations.push({
      op: typeof op === 'string' ? op : '',
      path: typeof path === 'string' ? path : '',
      ...(typeof from === 'string' ? { from } : {}),
      value: raw.value,
      hasValue: 'value' in raw,
    });
  }
  return operations;
}

function applyOperation(doc: unknown, operation: Operation): { doc: unknown } | Failure {
  switch (operation.op) {
    case 'add':
      return withValue(operation, (value) => add(doc, operation.path, value));
    case 'remove':
      return remove(doc, operation.path);
    case 'replace':
      return withValue(operation, (value) => replace(doc, operation.path, value));
    case 'move':
      return move(doc, operation);
    case 'copy':
      return copy(doc, operation);
    case 'test':
      return withValue(operation, (value) => test(doc, operation.path, value));
    default:
      return fail(`Unexpected kind: ${operation.op}`);
  }
}

function withValue(operation: Operation, run: (value: unknown) => { doc: unknown } | Failure) {
  if (!operation.hasValue) return fail(`${operation.op} operation, missing value: ${MISSING}`);
  return run(cloneJson(operation.value));
}

/** RFC 6901: `""` is the whole document; every other pointer starts with `/`; `~1` is `/`, `~0` is `~`. */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** An array index: digits without a leading zero; `-` (past the end) only where the caller allows it. */
function arrayIndex(token: string, length: number, allowEnd: boolean): number | undefined {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const index = Number(token);
  return index < length || (allowEnd && index === length) ? index : undefined;
}

function valueAt(doc: unknown, tokens: readonly string[]): { value: unknown } | undefined {
  let node = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) {
      const index = arrayIndex(token, node.length, false);
      if (index === undefined) return undefined;
      node = node[index];
    } else if (isJsonObject(node) && Object.hasOwn(node, token)) {
      node = node[token];
    } else {
      return undefined;
    }
  }
  return { value: node };
}

/** The container a pointer's last token lives in, when every step before it exists. */
function locate(doc: unknown, pointer: string): Location | undefined {
  const tokens = parsePointer(pointer);
  if (tokens === undefined || tokens.length === 0) return undefined;
  const parent = valueAt(doc, tokens.slice(0, -1));
  const container = parent?.value;
  if (!Array.isArray(container) && !isJsonObject(container)) return undefined;
  return { container, token: tokens[tokens.length - 1] ?? '' };
}

function add(doc: unknown, path: string, value: unknown): { doc: unknown } | Failure {
  if (path === '') return { doc: value };
  const missing = fail(`add operation does not apply: doc is missing path: "${path}": ${MISSING}`);
  const at = locate(doc, path);
  if (at === undefined) return missing;
  if (Array.isArray(at.container)) {
    const index = arrayIndex(at.token, at.container.length, true);
    if (index === undefined) return fail(`Unable to access invalid index: ${at.token}: invalid index referenced`);
    at.container.splice(index, 0, value);
  } else {
    at.container[at.token] = value;
  }
  return { doc };
}

function remove(doc: unknown, path: string): { doc: unknown } | Failure {
  const at = locate(doc, path);
  if (at === undefined) return fail(`remove operation does not apply: doc is missing path: "${path}": ${MISSING}`);
  if (Array.isArray(at.container)) {
    const index = arrayIndex(at.token, at.container.length, false);
    if (index === undefined) {
      return fail(
        `error in remove for path: '${path}': Unable to access invalid index: ${at.token}: invalid index referenced`,
      );
    }
    at.container.splice(index, 1);
  } else {
    if (!Object.hasOwn(at.container, at.token)) {
      return fail(`error in remove for path: '${path}': Unable to remove nonexistent key: ${at.token}: ${MISSING}`);
    }
    delete at.container[at.token];
  }
  return { doc };
}

function replace(doc: unknown, path: string, value: unknown): { doc: unknown } | Failure {
  if (path === '') return { doc: value };
  const at = locate(doc, path);
  if (at === undefined) return fail(`replace operation does not apply: doc is missing path: ${path}: ${MISSING}`);
  const tokens = parsePointer(path) ?? [];
  if (valueAt(doc, tokens) === undefined) {
    return fail(`replace operation does not apply: doc is missing key: ${path}: ${MISSING}`);
  }
  if (Array.isArray(at.container)) at.container[Number(at.token)] = value;
  else at.container[at.token] = value;
  return { doc };
}

function sourceValue(doc: unknown, operation: Operation): { value: unknown } | undefined {
  const tokens = operation.from === undefined ? undefined : parsePointer(operation.from);
  return tokens === undefined ? undefined : valueAt(doc, tokens);
}

function move(doc: unknown, operation: Operation): { doc: unknown } | Failure {
  const from = operation.from ?? '';
  const source = sourceValue(doc, operation);
  if (source === undefined) return fail(`move operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
  if (operation.path.startsWith(`${from}/`)) {
    return fail(`move operation does not apply: path ${operation.path} is a child of from ${from}`);
  }
  if (from === operation.path) return { doc };
  const removed = remove(doc, from);
  if (isFailure(removed)) return removed;
  return add(removed.doc, operation.path, source.value);
}

function copy(doc: unknown, operation: Operation): { doc: unknown } | Failure {
  const source = sourceValue(doc, operation);
  if (source === undefined) {
    return fail(`copy operation does not apply: doc is missing from path: ${operation.from ?? ''}: ${MISSING}`);
  }
  return add(doc, operation.path, cloneJson(source.value));
}

function test(doc: unknown, path: string, expected: unknown): { doc: unknown } | Failure {
  const tokens = parsePointer(path);
  const actual = tokens === undefined ? undefined : valueAt(doc, tokens);
  if (actual === undefined || !jsonEqual(actual.value, expected)) {
    return fail(`testing value ${path} failed: test failed`);
  }
  return { doc };
}
