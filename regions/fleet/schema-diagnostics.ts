import type { z } from 'zod';
import { diagnostic, type Diagnostic } from '../../scheduler/diagnostics/diagnostic.js';
import { clip } from '../../scheduler/diagnostics/clip.js';
import { closestMatch } from '../../scheduler/diagnostics/suggest.js';
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
  // A misspelt required key shows up twice: as an unknown key with "did you mean", and as
  // the key that is then missing. The first already says how to fix it; skip the second.
  const suggested = new Set<string>();
  for (const issue of result.error.issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const known = Object.keys(objectShapeAt(schema, issue.path as PropertyKey[]) ?? {});
    for (const key of issue.keys) {
      const near = closestMatch(key, known);
      if (near) suggested.add(pathText([...(issue.path as PropertyKey[]), near]));
    }
  }
  const diagnostics: Diagnostic[] = [];
  for (const issue of result.error.issues) {
    const isMissing = issue.code === 'invalid_type' && valueAt(yaml.data, issue.path as PropertyKey[]) === undefined;
    if (isMissing && suggested.has(pathText(issue.path as PropertyKey[]))) continue;
    diagnostics.push(...toDiagnostics(issue, schema, yaml, code, kind));
  }
  return { diagnostics };
}

/** Default phrasing for issues whose schema gave no message of its own. */
function phrase(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      return `expected ${article(iss.expected)}, found ${describe(iss.input)}`;
    case 'too_small':
      if (iss.origin === 'array') return `expected at least ${iss.minimum} item${Number(iss.minimum) === 1 ? '' : 's'}`;
      if (iss.origin === 'string') return 'expected a non-empty string';
      return `expected a number ${iss.inclusive ? 'of at least' : 'greater than'} ${iss.minimum}, found ${describe(iss.input)}`;
    case 'too_big':
      return `expected a number ${iss.inclusive ? 'of at most' : 'less than'} ${iss.maximum}, found ${describe(iss.input)}`;
    case 'invalid_value':
      return `expected ${iss.values.length === 1 ? '' : 'one of '}${iss.values.map((v) => JSON.stringify(v)).join(', ')}, found ${describe(iss.input)}`;
    case 'invalid_format':
      return iss.format === 'url' ? `expected an http(s) URL, found ${describe(iss.input)}` : `invalid ${iss.format}`;
    case 'invalid_union':
      return `expected ${describeUnion(iss)}, found ${describe(iss.input)}`;
    default:
      return undefined;
  }
}

function toDiagnostics(issue: z.core.$ZodIssue, schema: z.ZodType, yaml: YamlSource, code: string, kind: string): Diagnostic[] {
  const path = issue.path as PropertyKey[];
  const where = pathText(path);
  // Never repeat a value that may be a secret (a token or webhook URL pasted where only the
  // name of an environment variable belongs). Excerpts are redacted when rendered.
  const secretish = path.some((p) => SECRETISH.test(String(p)));
  const source = yaml.source;
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(objectShapeAt(schema, path) ?? {});
    return issue.keys.map((key) => {
      const near = closestMatch(key, known);
      return diagnostic({
        code: `${code}/unknown-key`,
        message: `unknown key "${key}"${where ? ` in ${where}` : ''}`,
        span: yaml.keySpan(path, key),
        source,
        expected: known.length ? `one of ${known.join(', ')}` : 'no other keys',
        ...(near ? { hint: `did you mean "${near}"?` } : {}),
      });
    });
  }
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
    return [diagnostic({ code: `${code}/invalid-key`, message: `${pathText(parent)}: "${clip(key)}": ${inner}`, span: yaml.keySpan(parent, key), source })];
  }
  const hint =
    issue.code === 'invalid_value' && typeof value === 'string'
      ? closestMatch(value, issue.values.map(String))
      : undefined;
  const custom = issue.code === 'custom' ? (issue.params as { code?: string } | undefined)?.code : undefined;
  const suffix = custom ?? (issue.code === 'invalid_value' ? 'unknown-value' : issue.code === 'too_small' || issue.code === 'too_big' ? 'out-of-range' : 'invalid-value');
  return [
    diagnostic({
      code: `${code}/${suffix}`,
      message: `${where || kind}: ${secretish ? issue.message.replace(/, found .*$/, '') : issue.message}`,
      span: yaml.valueSpan(path),
      source,
      ...(hint ? { hint: `did you mean "${hint}"?` } : {}),
    }),
  ];
}

const SECRETISH = /token|secret|password|webhook|url|credential|api_?key/i;

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
}

/** The object shape the schema expects at `path`, for "did you mean" on unknown keys. */
function objectShapeAt(schema: z.ZodType, path: readonly PropertyKey[]): Record<string, z.ZodType> | undefined {
  let s: z.ZodType | undefined = unwrap(schema);
  for (const p of path) {
    if (s === undefined) return undefined;
    const def: Def = (s as unknown as { _zod: { def: Def } })._zod.def;
    if (def.type === 'object') s = def.shape?.[String(p)];
    else if (def.type === 'array') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else return undefined;
    s = s && unwrap(s);
  }
  const def: Def | undefined = s && (s as unknown as { _zod: { def: Def } })._zod.def;
  return def?.type === 'object' ? def.shape : undefined;
}

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (;;) {
    const def: Def = (cur as unknown as { _zod: { def: Def } })._zod.def;
    const next: z.ZodType | undefined = def.type === 'pipe' ? def.in : ['optional', 'default', 'prefault', 'nullable', 'readonly'].includes(def.type) ? def.innerType : undefined;
    if (next === undefined) return cur;
    cur = next;
  }
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
  return String(v);
}
