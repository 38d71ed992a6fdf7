import type { z } from 'zod';
import { diagnostic, type Diagnostic } from '../../scheduler/diagnostics/diagnostic.js';
import { clip } from '../../scheduler/diagnostics/clip.js';
import { closestMatch } from '../../scheduler/diagnostics/suggest.js';
import { describeRange, type Range } from './range.js';
import { rangeOf } from './ranged-schema.js';
import type { YamlSource } from './yaml-source.js';

/**
 * Validates YAML data against a zod schema and turns every issue into a diagnostic at the
 * offending YAML node, in shisa's words rather than zod's.
 */
export function validateYaml<S extends z.ZodType>(
  schema: S,
  yaml: YamlSource,
  code: string,
  kind: string,
): { value?: z.output<S>; diagnostics: Diagnostic[] } {
  const result = schema.safeParse(yaml.data, { error: phrase });
  if (result.success) return { value: result.data, diagnostics: [] };
  const issues = result.error.issues.flatMap(throughUnion);
  // A misspelt required key shows up twice: as an unknown key with "did you mean", and as
  // the key that is then missing. The first already says how to fix it; skip the second.
  const suggested = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const known = Object.keys(objectShapeAt(schema, issue.path) ?? {});
    for (const key of issue.keys) {
      const near = closestMatch(key, known);
      if (near) suggested.add(pathText([...issue.path, near]));
    }
  }
  const diagnostics: Diagnostic[] = [];
  // One value can fail several checks (-1.5 is neither whole nor in range): say it once.
  const said = new Set<string>();
  for (const issue of issues) {
    const isMissing = issue.code === 'invalid_type' && valueAt(yaml.data, issue.path) === undefined;
    if (isMissing && suggested.has(pathText(issue.path))) continue;
    for (const d of toDiagnostics(issue, schema, yaml, code, kind)) {
      const key = `${d.code}\u0000${d.span.start}\u0000${d.message}`;
      if (!said.has(key)) diagnostics.push(d);
      said.add(key);
    }
  }
  return { diagnostics };
}

/**
 * A union that failed in one way only: when just one alternative took the value's shape (a
 * mapping where `off` or a mapping is allowed) and failed inside it, its own issues are the
 * ones to report, at their own keys, rather than "expected this or that" at the parent.
 */
function throughUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const inside = issue.errors.filter((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0));
  if (inside.length !== 1) return [issue];
  return inside[0]!.flatMap((i) => throughUnion({ ...i, path: [...issue.path, ...i.path] }));
}

/** Default phrasing for issues whose schema gave no message of its own. */
function phrase(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      return `expected ${article(iss.expected)}, found ${describe(iss.input)}`;
    case 'too_small':
      if (iss.origin === 'array') return `expected at least ${iss.minimum} item${Number(iss.minimum) === 1 ? '' : 's'}`;
      if (iss.origin === 'string') return 'expected a non-empty string';
      return `expected a number ${iss.inclusive ? 'of at least' : 'greater than'} ${iss.minimum}, ${found(iss.input)}`;
    case 'too_big':
      return `expected a number ${iss.inclusive ? 'of at most' : 'less than'} ${iss.maximum}, ${found(iss.input)}`;
    case 'invalid_value': {
      const values = iss.values.map((v) => JSON.stringify(v)).join(', ');
      return `expected ${iss.values.length === 1 ? '' : 'one of '}${values}, ${found(iss.input)}`;
    }
    case 'invalid_format':
      return iss.format === 'url' ? `expected an http(s) URL, found ${describe(iss.input)}` : `invalid ${iss.format}`;
    case 'invalid_union':
      return `expected ${describeUnion(iss)}, found ${describe(iss.input)}`;
    default:
      return undefined;
  }
}

const found = (input: unknown): string => `found ${describe(input)}`;

function toDiagnostics(
  issue: z.core.$ZodIssue,
  schema: z.ZodType,
  yaml: YamlSource,
  code: string,
  kind: string,
): Diagnostic[] {
  const path = issue.path;
  const where = pathText(path);
  // Never repeat a value that may be a secret (a token or webhook URL pasted where only the
  // name of an environment variable belongs). Excerpts are redacted when rendered.
  const secretish = path.some((p) => SECRETISH.test(String(p)));
  const source = yaml.source;
  if (issue.code === 'unrecognized_keys') return unknownKeys(issue.keys, path, schema, yaml, code);
  const value = valueAt(yaml.data, path);
  if (issue.code === 'invalid_type' && value === undefined && path.length > 0) {
    const parent = path.slice(0, -1);
    const key = String(path[path.length - 1]);
    return [
      diagnostic({
        code: `${code}/missing-key`,
        message: `${pathText(parent) || kind} is missing "${key}"`,
        span: yaml.valueSpan(parent),
        source,
        expected: `a "${key}" key`,
      }),
    ];
  }
  if (issue.code === 'invalid_key') {
    // A record key that fails its own schema (e.g. a notify channel name): point at the key.
    const parent = path.slice(0, -1);
    const key = String(path[path.length - 1]);
    const inner = issue.issues[0]?.message ?? issue.message;
    return [
      diagnostic({
        code: `${code}/invalid-key`,
        message: `${pathText(parent)}: "${clip(key)}": ${inner}`,
        span: yaml.keySpan(parent, key),
        source,
      }),
    ];
  }
  const range = rangeAt(schema, path);
  if (range && isOutOfRange(issue, value, range)) {
    return [
      diagnostic({
        code: `${code}/out-of-range`,
        message: `${where || kind}: ${written(yaml, path, value)} is out of range`,
        span: yaml.valueSpan(path),
        source,
        expected: describeRange(range),
      }),
    ];
  }
  const hint =
    issue.code === 'invalid_value' && typeof value === 'string'
      ? closestMatch(value, issue.values.map(String))
      : undefined;
  const params =
    issue.code === 'custom' ? (issue.params as { code?: string; expected?: string } | undefined) : undefined;
  const custom = params?.code;
  const suffix =
    custom ??
    (issue.code === 'invalid_value'
      ? 'unknown-value'
      : issue.code === 'too_small' || issue.code === 'too_big'
        ? 'out-of-range'
        : 'invalid-value');
  return [
    diagnostic({
      code: `${code}/${suffix}`,
      message: `${where || kind}: ${secretish ? issue.message.replace(/, found .*$/, '') : issue.message}`,
      span: yaml.valueSpan(path),
      source,
      ...(params?.expected ? { expected: params.expected } : {}),
      ...(hint ? { hint: `did you mean "${hint}"?` } : {}),
    }),
  ];
}

/** One diagnostic per key the schema does not know, at the key, with the closest known one. */
function unknownKeys(
  keys: readonly string[],
  path: readonly PropertyKey[],
  schema: z.ZodType,
  yaml: YamlSource,
  code: string,
): Diagnostic[] {
  const where = pathText(path);
  const known = Object.keys(objectShapeAt(schema, path) ?? {});
  return keys.map((key) => {
    const near = closestMatch(key, known);
    return diagnostic({
      code: `${code}/unknown-key`,
      message: `unknown key "${key}"${where ? ` in ${where}` : ''}`,
      span: yaml.keySpan(path, key),
      source: yaml.source,
      expected: known.length ? `one of ${known.join(', ')}` : 'no other keys',
      ...(near ? { hint: `did you mean "${near}"?` } : {}),
    });
  });
}

const SECRETISH = /token|secret|password|webhook|url|credential|api_?key/i;

/**
 * Whether an issue is about a value outside its documented range: the range check of a
 * quantity or time, or any issue with a number below or above the range, or not finite
 * (YAML reads 1e400 and .inf as infinity and .nan as NaN, which zod refuses as "not a
 * number" rather than as out of range).
 */
function isOutOfRange(issue: z.core.$ZodIssue, value: unknown, range: Range): boolean {
  if (issue.code === 'custom' && (issue.params as { code?: string } | undefined)?.code === 'out-of-range') return true;
  // A number where a quantity ("2h") belongs is a missing unit, and 2.5 where a whole number
  // belongs is not whole: neither is a range problem.
  const numeric = range.kind === 'number' || range.kind === 'integer';
  return numeric && typeof value === 'number' && !(Number.isFinite(value) && value >= range.min && value <= range.max);
}

/** The value as the user wrote it ("1e20", ".inf", "100000000d"), for messages. */
function written(yaml: YamlSource, path: readonly PropertyKey[], value: unknown): string {
  const span = yaml.valueSpan(path);
  const text = yaml.source.text.slice(span.start, span.end).trim();
  return text === '' ? describe(value) : clip(text, 40);
}

/** `regions[2].capacity.cpu` */
export function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p as string];
  }
  return v;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  valueType?: z.ZodType;
  options?: readonly z.ZodType[];
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object shape the schema expects at `path`, for "did you mean" on unknown keys. */
function objectShapeAt(schema: z.ZodType, path: readonly PropertyKey[]): Record<string, z.ZodType> | undefined {
  const s = schemaAt(schema, path);
  const def = s && defOf(unwrap(s));
  return def?.type === 'object' ? def.shape : undefined;
}

/** The documented range of the value at `path`, if the schema there is a ranged one. */
function rangeAt(schema: z.ZodType, path: readonly PropertyKey[]): Range | undefined {
  let cur = schemaAt(schema, path);
  while (cur !== undefined) {
    const range = rangeOf(cur);
    if (range) return range;
    cur = unwrapOnce(cur);
  }
  return undefined;
}

/** The schema for the value at `path` (through objects, lists, records and unions), wrapped as declared. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  for (const p of path) {
    if (s === undefined) return undefined;
    s = childOf(unwrap(s), p);
  }
  return s;
}

function childOf(s: z.ZodType, key: PropertyKey): z.ZodType | undefined {
  const def = defOf(s);
  if (def.type === 'object') return def.shape?.[String(key)];
  if (def.type === 'array') return def.element;
  if (def.type === 'record') return def.valueType;
  if (def.type === 'union') {
    for (const option of def.options ?? []) {
      const child = childOf(unwrap(option), key);
      if (child) return child;
    }
  }
  return undefined;
}

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (let next = unwrapOnce(cur); next !== undefined; next = unwrapOnce(cur)) cur = next;
  return cur;
}

/** What a wrapper (optional, default, a transform's input, …) wraps, or undefined. */
function unwrapOnce(s: z.ZodType): z.ZodType | undefined {
  const def = defOf(s);
  if (def.type === 'pipe') return def.in;
  return ['optional', 'default', 'prefault', 'nullable', 'readonly'].includes(def.type) ? def.innerType : undefined;
}

function article(expected: string): string {
  switch (expected) {
    case 'object':
      return 'a mapping (key: value)';
    case 'array':
      return 'a list';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'int':
      return 'a whole number';
    case 'record':
    case 'map':
      return 'a mapping (key: value)';
    default:
      return expected;
  }
}

function describeUnion(iss: z.core.$ZodRawIssue): string {
  const errors = (iss as { errors?: { expected?: string }[][] }).errors ?? [];
  const kinds = errors.map((e) => e[0]?.expected).filter((k): k is string => k !== undefined);
  return kinds.length ? kinds.map(article).join(' or ') : 'another kind of value';
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(clip(v, 40));
  return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : typeof v;
}
