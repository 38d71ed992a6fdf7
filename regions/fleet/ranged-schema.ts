import { z } from 'zod';
import {
  kindOfUnit,
  nearUnit,
  QUANTITY_EXAMPLES,
  quantityNoun,
  splitQuantity,
  toBaseUnit,
  unitsOf,
  type QuantityKind,
} from '../../scheduler/units.js';
import { describeRange, inRange, rangeBounds, TIME_RANGE, type Range } from './range.js';

/**
 * zod schemas for the numbers, quantities and times users write, each with its documented
 * range: a number carries minimum and maximum into the JSON Schema, a quantity (a string
 * with a unit, such as "6h") says its range in its description. The range of each schema is
 * kept in a registry, so a diagnostic can state it in `expected` (schema-diagnostics.ts).
 */

const RANGES = new WeakMap<z.ZodType, Range>();

/** The range a schema built here checks, if any. */
export function rangeOf(schema: z.ZodType): Range | undefined {
  return RANGES.get(schema);
}

function ranged<S extends z.ZodType>(schema: S, range: Range): S {
  RANGES.set(schema, range);
  return schema;
}

const sentence = (description: string, range: Range): string => `${description} Range: ${rangeBounds(range)}.`;

/** A plain number (or whole number) within `range`; infinities and NaN are out of range too. */
export function rangedNumber(range: Range, description: string) {
  const base = range.kind === 'integer' ? z.number().int() : z.number();
  return ranged(
    base
      .min(range.min)
      .max(range.max)
      .meta({ description: sentence(description, range) }),
    range,
  );
}

/** A duration with its unit ("30s", "6h"), in ms once parsed, within `range`. */
export function rangedDuration(range: Range, description: string) {
  return ranged(withinRange(quantity('duration'), range).meta({ description: sentence(description, range) }), range);
}

/** A percentage with its sign ("10%"), within `range`. */
export function rangedPercent(range: Range, description: string) {
  return ranged(withinRange(quantity('percent'), range).meta({ description: sentence(description, range) }), range);
}

/** A latency: a number of ms, or a duration string such as "1.2s"; either within `range` (ms). */
export function rangedLatency(range: Range, description: string) {
  const union = z.union(
    [
      rangedNumber(range, 'Latency, ms.'),
      rangedDuration({ kind: 'duration', min: range.min, max: range.max }, 'Latency with its unit.'),
    ],
    {
      error: 'expected a latency in ms (a number such as 35) or a duration string such as "1.2s"',
    },
  );
  return ranged(union.meta({ description: sentence(description, range) }), range);
}

/** An ISO 8601 timestamp with a zone, a real calendar time within TIME_RANGE; epoch ms once parsed. */
export function timestamp(description: string) {
  const schema = z.iso
    .datetime({ offset: true, error: 'expected an ISO 8601 timestamp such as 2026-11-20T03:00:00Z' })
    .transform((s) => Date.parse(s));
  return ranged(withinRange(schema, TIME_RANGE).meta({ description: sentence(description, TIME_RANGE) }), TIME_RANGE);
}

/** Refuses a parsed value outside `range`; the diagnostic names the range (schema-diagnostics.ts). */
function withinRange<S extends z.ZodType<number>>(schema: S, range: Range) {
  return schema.refine((n) => inRange(n, range), {
    error: `expected ${describeRange(range)}`,
    params: { code: 'out-of-range' },
  });
}

/** A string quantity with a unit of `kind`, as a number in the kind's base unit. */
function quantity(kind: QuantityKind) {
  const units = unitsOf(kind)
    .map((u) => u.replace(/[/%]/g, '\\$&'))
    .join('|');
  return z
    .string({
      error: (iss) =>
        iss.input === undefined ? undefined : `expected ${QUANTITY_EXAMPLES[kind]}; write the unit after the number`,
    })
    .regex(new RegExp(`^\\d+(\\.\\d+)?\\s*(${units})$`), { error: (iss) => wrongQuantity(kind, iss.input) })
    .transform((s) => {
      const q = splitQuantity(s);
      return q ? (toBaseUnit(kind, q.value, q.unit) as number) : NaN;
    });
}

/** "6 hours": a number and a spelled-out unit. */
function spelledOut(kind: QuantityKind, input: string): string | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s+([A-Za-z]+)\s*$/.exec(input);
  return m ? nearUnit(kind, Number(m[1]), m[2] ?? '') : undefined;
}

/** Says what is wrong with a quantity: a unit of another kind, or no recognisable unit. */
function wrongQuantity(kind: QuantityKind, input: unknown): string {
  const q = typeof input === 'string' ? splitQuantity(input) : undefined;
  const other = q && q.unit ? kindOfUnit(q.unit) : undefined;
  if (q && other && other !== kind)
    return `expected ${quantityNoun(kind)}, but "${q.unit}" is a unit of ${quantityNoun(other).replace(/^an? /, '')}`;
  const near =
    q && q.unit ? nearUnit(kind, q.value, q.unit) : typeof input === 'string' ? spelledOut(kind, input) : undefined;
  return `expected ${QUANTITY_EXAMPLES[kind]}${near ? `; did you mean "${near}"?` : ''}`;
}
