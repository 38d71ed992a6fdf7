/**
 * Kubernetes label selectors (`app=web,tier in (a,b),!legacy`), checked before one is sent to
 * an API server, so a typo in the fleet file is an error at its line and column rather than a
 * 400 from every cluster at run time. The grammar is apimachinery's `labels.Parse`: equality
 * (`=`, `==`, `!=`), set (`in`, `notin`) and existence (`key`, `!key`) requirements, comma-
 * separated; keys are an optional DNS-subdomain prefix and a name of at most 63 characters.
 */
export type SelectorOperator = 'exists' | 'not-exists' | '=' | '!=' | 'in' | 'notin';

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

export type ParsedSelector =
  | { readonly ok: true; readonly requirements: readonly SelectorRequirement[] }
  | { readonly ok: false; readonly offset: number; readonly message: string };

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const MAX_LENGTH = 4096;

/** Parses a selector; on error, the offset in `text` where it goes wrong and what was expected. */
export function parseLabelSelector(text: string): ParsedSelector {
  if (text.length > MAX_LENGTH)
    return { ok: false, offset: MAX_LENGTH, message: `a label selector of at most ${MAX_LENGTH} characters` };
  if (text.trim() === '') return { ok: false, offset: 0, message: 'at least one requirement, e.g. app=web' };
  const requirements: SelectorRequirement[] = [];
  for (const part of splitTopLevel(text)) {
    const parsed = parseRequirement(part.text, part.offset);
    if ('message' in parsed) return { ok: false, offset: parsed.offset, message: parsed.message };
    requirements.push(parsed);
  }
  return { ok: true, requirements };
}

/** Splits at commas outside parentheses, keeping where each part starts. */
function splitTopLevel(text: string): { text: string; offset: number }[] {
  const parts: { text: string; offset: number }[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if ((c === ',' && depth === 0) || i === text.length) {
      parts.push({ text: text.slice(start, i), offset: start });
      start = i + 1;
    }
  }
  return parts;
}

type Failure = { offset: number; message: string };

function parseRequirement(raw: string, offset: number): SelectorRequirement | Failure {
  const lead = raw.length - raw.trimStart().length;
  const text = raw.trim();
  const at = offset + lead;
  if (text === '')
    return { offset: at, message: 'a requirement such as app=web (two commas in a row, or one at an end)' };
  if (text.startsWith('!')) return keyOnly(text.slice(1).trim(), at + 1, 'not-exists');
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/s.exec(text);
  if (set) return setRequirement(set[1]!, set[2] as 'in' | 'notin', set[3]!, at, text.indexOf('(') + 1);
  const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/s.exec(text);
  if (eq) {
    const keyError = checkKey(eq[1]!, at);
    if (keyError) return keyError;
    const value = eq[3]!;
    const valueAt = at + text.length - value.length;
    if (!VALUE.test(value)) return { offset: valueAt, message: valueExpected(value) };
    return { key: eq[1]!, operator: eq[2] === '!=' ? '!=' : '=', values: [value] };
  }
  if (/\s(in|notin)\b/.test(text) || /[()]/.test(text))
    return { offset: at, message: 'a set requirement written key in (a,b) or key notin (a,b)' };
  return keyOnly(text, at, 'exists');
}

function keyOnly(key: string, at: number, operator: 'exists' | 'not-exists'): SelectorRequirement | Failure {
  return checkKey(key, at) ?? { key, operator, values: [] };
}

function setRequirement(
  key: string,
  operator: 'in' | 'notin',
  list: string,
  at: number,
  listStart: number,
): SelectorRequirement | Failure {
  const keyError = checkKey(key, at);
  if (keyError) return keyError;
  const values: string[] = [];
  let pos = at + listStart;
  for (const item of list.split(',')) {
    const value = item.trim();
    const valueAt = pos + item.length - item.trimStart().length;
    if (value === '' || !VALUE.test(value)) return { offset: valueAt, message: valueExpected(value) };
    values.push(value);
    pos += item.length + 1;
  }
  return { key, operator, values };
}

function checkKey(key: string, at: number): Failure | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix)))
    return { offset: at, message: 'a key prefix that is a DNS subdomain (lowercase, e.g. shisa.io/)' };
  if (!NAME.test(name))
    return {
      offset: at + (prefix === undefined ? 0 : slash + 1),
      message:
        'a label key: letters, digits, "-", "_" and "." (at most 63), starting and ending with a letter or digit',
    };
  return undefined;
}

const valueExpected = (value: string): string =>
  value === ''
    ? 'a label value (letters, digits, "-", "_", "."; at most 63)'
    : 'a label value: letters, digits, "-", "_" and "." (at most 63), starting and ending with a letter or digit';

/** Whether labels satisfy every requirement (apimachinery's semantics: `!=` and `notin` hold for a missing key). */
export function selectorMatches(
  requirements: readonly SelectorRequirement[],
  labels: Readonly<Record<string, unknown>>,
): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const value = has ? String(labels[r.key]) : undefined;
    switch (r.operator) {
      case 'exists':
        return has;
      case 'not-exists':
        return !has;
      case '=':
        return value === r.values[0];
      case '!=':
        return value !== r.values[0];
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notin':
        return value === undefined || !r.values.includes(value);
    }
  });
}
