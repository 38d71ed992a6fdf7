// Label and field selectors with the Kubernetes grammar. Labels: `k=v`, `k==v`, `k!=v`,
// `k in (a,b)`, `k notin (a,b)`, `k` (exists), `!k` (does not exist), joined by commas. Fields:
// `f=v`, `f==v`, `f!=v` for metadata.name and metadata.namespace on every type, plus
// spec.nodeName and status.phase on pods; any other field is refused, as the real server does.

export type Labels = Readonly<Record<string, string>>;

type Requirement =
  { key: string; op: 'in' | 'notin'; values: readonly string[] } | { key: string; op: 'exists' | 'doesnotexist' };

export type Matcher = (object: Record<string, unknown>) => boolean;

export class SelectorError extends Error {}

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Splits on commas that are not inside `( … )`. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function checkKey(key: string, whole: string): string {
  if (!KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${whole}"`);
  return key;
}

function checkValue(value: string, whole: string): string {
  if (!VALUE.test(value))
    throw new SelectorError(`unable to parse requirement: invalid label value "${value}" in "${whole}"`);
  return value;
}

function parseRequirement(text: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text);
  if (set !== null) {
    const values = set[3]!.split(',').map((v) => checkValue(v.trim(), text));
    return { key: checkKey(set[1]!, text), op: set[2] as 'in' | 'notin', values };
  }
  const equality = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(text);
  if (equality !== null) {
    const value = checkValue(equality[3]!, text);
    return { key: checkKey(equality[1]!, text), op: equality[2] === '!=' ? 'notin' : 'in', values: [value] };
  }
  if (text.startsWith('!')) return { key: checkKey(text.slice(1).trim(), text), op: 'doesnotexist' };
  return { key: checkKey(text, text), op: 'exists' };
}

function satisfies(labels: Labels, r: Requirement): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.op) {
    case 'exists':
      return has;
    case 'doesnotexist':
      return !has;
    case 'in':
      return has && r.values.includes(labels[r.key]!);
    case 'notin':
      return !has || !r.values.includes(labels[r.key]!);
  }
}

/** Parses a `labelSelector` query value; throws SelectorError on bad syntax. */
export function parseLabelSelector(text: string | undefined): (labels: Labels) => boolean {
  if (text === undefined || text.trim() === '') return () => true;
  const requirements = splitTopLevel(text).map(parseRequirement);
  return (labels) => requirements.every((r) => satisfies(labels, r));
}

/** Label selector over an object's metadata.labels. */
export function labelMatcher(text: string | undefined): Matcher {
  const matches = parseLabelSelector(text);
  return (object) => matches(labelsOf(object));
}

export function labelsOf(object: Record<string, unknown>): Labels {
  const metadata = object.metadata as { labels?: Labels } | undefined;
  return metadata?.labels ?? {};
}

const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];
const FIELDS_BY_KIND: Record<string, readonly string[]> = {
  Pod: [...COMMON_FIELDS, 'spec.nodeName', 'status.phase'],
};

function fieldValue(object: Record<string, unknown>, path: string): string {
  let value: unknown = object;
  for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  return typeof value === 'string' ? value : '';
}

/** Parses a `fieldSelector` for objects of `kind`; throws SelectorError on unsupported fields. */
export function fieldMatcher(kind: string, text: string | undefined): Matcher {
  if (text === undefined || text.trim() === '') return () => true;
  const supported = FIELDS_BY_KIND[kind] ?? COMMON_FIELDS;
  const terms = text.split(',').map((term) => {
    const m = /^\s*([^!=\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(term);
    if (m === null) throw new SelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
    if (!supported.includes(m[1]!)) throw new SelectorError(`field label not supported: ${m[1]}`);
    return { field: m[1]!, negated: m[2] === '!=', value: m[3]! };
  });
  return (object) => terms.every((t) => (fieldValue(object, t.field) === t.value) !== t.negated);
}
