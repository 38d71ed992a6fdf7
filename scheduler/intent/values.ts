import { COUNTRY_ALIASES, isCountryCode } from '../../regions/countries.js';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import { clip } from '../diagnostics/clip.js';
import { closestMatch, didYouMean } from '../diagnostics/suggest.js';
import {
  formatDuration,
  kindOfUnit,
  nearUnit,
  QUANTITY_EXAMPLES,
  quantityNoun,
  toBaseUnit,
  unitsOf,
} from '../units.js';
import type { Arg, Entry, Ident, Value } from './ast.js';
import type { KeySpec, ValueSpec } from './catalogue.js';
import type { Located } from './model.js';
import { WORKLOAD_PATTERN } from '../inventory/workload-name.js';

/** Workload names are `namespace/name` (Kubernetes DNS labels); `*` matches any run of characters. */
export { WORKLOAD_PATTERN };

export type Checked = number | boolean | string | readonly Located<string>[];

/**
 * Checks literal values against the catalogue's value specs and turns them into typed
 * values, reporting every mismatch with the value's own location.
 */
export class ValueChecker {
  constructor(
    private readonly source: SourceFile,
    private readonly diagnostics: Diagnostic[],
  ) {}

  report(code: string, message: string, node: { start: number; end: number }, expected?: string, hint?: string): void {
    this.diagnostics.push(
      diagnostic({
        code,
        message,
        span: this.source.span(node.start, node.end),
        source: this.source,
        ...(expected !== undefined ? { expected } : {}),
        ...(hint !== undefined ? { hint } : {}),
      }),
    );
  }

  span(node: { start: number; end: number }) {
    return this.source.span(node.start, node.end);
  }

  /**
   * Checks `key: value` pairs against a table of known keys: unknown keys (with a
   * suggestion), duplicates, missing required keys and each value's type.
   */
  entries(
    entries: readonly (Entry | Arg)[],
    keys: Readonly<Record<string, KeySpec>>,
    owner: string,
    ownerNode: Ident,
    oneOf?: readonly string[],
  ): Map<string, Checked> {
    const out = new Map<string, Checked>();
    const seen = new Map<string, Ident>();
    const known = Object.keys(keys);
    const suggested = new Set<string>();
    for (const e of entries) {
      if (e.key === undefined) {
        this.report(
          'intent/expected-named-argument',
          `${owner} takes named arguments`,
          e.value,
          `name: value, with a name from: ${known.join(', ')}`,
        );
        continue;
      }
      const spec = keys[e.key.name];
      if (spec === undefined) {
        const near = closestMatch(e.key.name, known);
        if (near !== undefined) suggested.add(near);
        this.report(
          'intent/unknown-key',
          `unknown key "${clip(e.key.name)}" in ${owner}`,
          e.key,
          known.length === 1 ? `${known[0]}` : `one of ${known.join(', ')}`,
          near && `did you mean "${near}"?`,
        );
        continue;
      }
      const first = seen.get(e.key.name);
      if (first !== undefined) {
        this.diagnostics.push(
          diagnostic({
            code: 'intent/duplicate-key',
            message: `"${e.key.name}" is given twice in ${owner}`,
            span: this.span(e.key),
            source: this.source,
            related: [{ message: 'first given', span: this.span(first) }],
          }),
        );
        continue;
      }
      seen.set(e.key.name, e.key);
      const v = this.value(e.value, spec.value, `${e.key.name} in ${owner}`);
      if (v !== undefined) out.set(e.key.name, v);
    }
    for (const [k, spec] of Object.entries(keys)) {
      // A misspelt required key was already reported with its fix; don't report it twice.
      if (spec.required && !seen.has(k) && !suggested.has(k)) {
        this.report('intent/missing-key', `${owner} is missing "${k}"`, ownerNode, `${k}: ${describeSpec(spec.value)}`);
      }
    }
    if (oneOf && !oneOf.some((k) => seen.has(k) || suggested.has(k))) {
      this.report(
        'intent/missing-key',
        `${owner} needs at least one of ${oneOf.map((k) => `"${k}"`).join(' or ')}`,
        ownerNode,
        oneOf.join(', '),
      );
    }
    return out;
  }

  value(v: Value, spec: ValueSpec, what: string): Checked | undefined {
    switch (spec.type) {
      case 'bool':
        if (v.kind === 'bool') return v.value;
        return this.wrongType(v, spec, what);
      case 'string':
        if (v.kind === 'string') return v.value;
        return this.wrongType(v, spec, what, v.kind === 'ident' ? `write "${v.name}" in double quotes` : undefined);
      case 'enum': {
        const word = v.kind === 'ident' ? v.name : v.kind === 'string' ? v.value : undefined;
        if (word === undefined) return this.wrongType(v, spec, what);
        if (spec.values.includes(word)) return word;
        this.report(
          'intent/unknown-value',
          `unknown value "${clip(word)}" for ${what}`,
          v,
          `one of ${spec.values.join(', ')}`,
          didYouMean(word, spec.values),
        );
        return undefined;
      }
      case 'integer':
        // A run of digits too long for a double reads as Infinity: out of range, not "not whole".
        if (v.kind !== 'number' || v.unit !== '' || (Number.isFinite(v.value) && !Number.isInteger(v.value)))
          return this.wrongType(v, spec, what);
        return this.inRange(v, v.value, spec.min, spec.max, what, String);
      case 'quantity':
        return this.quantity(v, spec, what);
      case 'strings':
      case 'countries':
      case 'patterns':
        return this.list(v, spec, what);
    }
  }

  private quantity(v: Value, spec: Extract<ValueSpec, { type: 'quantity' }>, what: string): number | undefined {
    const example = QUANTITY_EXAMPLES[spec.kind];
    if (v.kind !== 'number') return this.wrongType(v, spec, what);
    if (v.unit === '') {
      const unit = spec.kind === 'duration' ? 'ms' : spec.kind === 'percent' ? '%' : 'gCO2eq/kWh';
      this.report('intent/missing-unit', `${what} needs a unit`, v, example, `write ${v.value}${unit}`);
      return undefined;
    }
    const base = toBaseUnit(spec.kind, v.value, v.unit);
    if (base === undefined) {
      const other = kindOfUnit(v.unit);
      const near = nearUnit(spec.kind, v.value, v.unit);
      const message =
        other !== undefined
          ? `${what} is ${quantityNoun(spec.kind)}, but "${v.unit}" is a unit of ${quantityNoun(other).replace(/^an? /, '')}`
          : `unknown unit "${clip(v.unit)}" for ${what}`;
      this.report(
        'intent/wrong-unit',
        message,
        v,
        example,
        near ? `write ${near}` : other === undefined ? didYouMean(v.unit, unitsOf(spec.kind)) : undefined,
      );
      return undefined;
    }
    const format = (n: number) =>
      spec.kind === 'duration' ? formatDuration(n) : `${n}${spec.kind === 'percent' ? '%' : 'gCO2eq/kWh'}`;
    return this.inRange(v, base, spec.min, spec.max, what, format);
  }

  private inRange(
    v: Value,
    n: number,
    min: number,
    max: number,
    what: string,
    fmt: (n: number) => string,
  ): number | undefined {
    if (!Number.isFinite(n) || n < min || n > max) {
      const range = `between ${fmt(min)} and ${fmt(max)}`;
      this.report('intent/out-of-range', `${what} is out of range`, v, `a value ${range}`);
      return undefined;
    }
    return n;
  }

  private list(v: Value, spec: ValueSpec, what: string): readonly Located<string>[] | undefined {
    const items = v.kind === 'list' ? v.items : [v];
    if (v.kind === 'list' && items.length === 0) {
      this.report('intent/empty-list', `${what} is an empty list`, v, `at least one item: ${describeSpec(spec)}`);
      return undefined;
    }
    const out: Located<string>[] = [];
    let ok = true;
    for (const item of items) {
      if (item.kind !== 'string') {
        this.wrongType(item, spec, what, item.kind === 'ident' ? `write "${item.name}" in double quotes` : undefined);
        ok = false;
        continue;
      }
      if (spec.type === 'countries' && !isCountryCode(item.value)) {
        const upper = COUNTRY_ALIASES[item.value.toUpperCase()] ?? item.value.toUpperCase();
        this.report(
          'intent/unknown-country',
          `"${item.value}" is not an ISO 3166-1 alpha-2 country code (in ${what})`,
          item,
          'a two-letter country code such as "JP", "NP", "SE"',
          isCountryCode(upper) ? `did you mean "${upper}"?` : undefined,
        );
        ok = false;
        continue;
      }
      if (spec.type === 'patterns' && !WORKLOAD_PATTERN.test(item.value)) {
        this.report(
          'intent/bad-workload-pattern',
          `"${item.value}" is not a workload name or pattern (in ${what})`,
          item,
          'namespace/name in lowercase, where * matches anything, e.g. "payments/ledger-db" or "batch/*"',
        );
        ok = false;
        continue;
      }
      if (spec.type === 'strings' && item.value.trim() === '') {
        this.report('intent/empty-string', `${what} contains an empty string`, item, 'a non-empty string');
        ok = false;
        continue;
      }
      out.push({ value: item.value, span: this.span(item) });
    }
    return ok ? out : undefined;
  }

  private wrongType(v: Value, spec: ValueSpec, what: string, hint?: string): undefined {
    this.report(
      'intent/wrong-type',
      `${what} must be ${describeSpec(spec)}, found ${describeValue(v)}`,
      v,
      describeSpec(spec),
      hint,
    );
    return undefined;
  }
}

export function describeSpec(spec: ValueSpec): string {
  switch (spec.type) {
    case 'bool':
      return 'true or false';
    case 'string':
      return 'a string in double quotes';
    case 'strings':
      return 'a string or a [list] of strings';
    case 'enum':
      return `one of ${spec.values.join(', ')}`;
    case 'integer':
      return `a whole number from ${spec.min} to ${spec.max}`;
    case 'quantity':
      return QUANTITY_EXAMPLES[spec.kind];
    case 'countries':
      return 'a country code or a [list] of them, e.g. ["JP", "SG"]';
    case 'patterns':
      return 'a workload name "namespace/name" or a [list] of them (* matches anything)';
  }
}

export function describeValue(v: Value): string {
  switch (v.kind) {
    case 'bool':
      return String(v.value);
    case 'string':
      return 'a string';
    case 'ident':
      return `the name ${clip(v.name)}`;
    case 'list':
      return 'a list';
    case 'number':
      return v.unit === '' ? `the number ${v.value}` : `"${v.value}${v.unit}"`;
  }
}
