/**
 * Units shared by fleet files and intent files. Every quantity a user writes carries its
 * unit (`15ms`, `2h`, `10%`, `300gCO2eq/kWh`); these tables say which units each kind of
 * quantity accepts and how they convert to the base unit the code works in.
 */

export type QuantityKind = 'duration' | 'percent' | 'intensity';

/** Base units: milliseconds, percent, gCO2eq/kWh. */
const UNITS: Readonly<Record<QuantityKind, Readonly<Record<string, number>>>> = {
  duration: { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 },
  percent: { '%': 1 },
  intensity: { 'g/kWh': 1, 'gCO2/kWh': 1, 'gCO2eq/kWh': 1 },
};

export const QUANTITY_EXAMPLES: Readonly<Record<QuantityKind, string>> = {
  duration: 'a duration such as 15ms, 30s, 2h (units: us, µs, ms, s, m, min, h, d)',
  percent: 'a percentage such as 10%',
  intensity: 'a carbon intensity such as 300gCO2eq/kWh (units: g/kWh, gCO2/kWh, gCO2eq/kWh)',
};

/** The kind of quantity with its article, for messages: "a duration", "an intensity". */
export function quantityNoun(kind: QuantityKind): string {
  return kind === 'intensity' ? 'an intensity' : kind === 'percent' ? 'a percentage' : 'a duration';
}

const SPELLED_OUT: Readonly<Record<string, string>> = {
  sec: 's',
  secs: 's',
  second: 's',
  seconds: 's',
  msec: 'ms',
  millis: 'ms',
  millisecond: 'ms',
  milliseconds: 'ms',
  mins: 'min',
  minute: 'min',
  minutes: 'min',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
  day: 'd',
  days: 'd',
  percent: '%',
  pct: '%',
};

/** "15sec" → "15s", "6 hours" → "6h": the quantity written with the unit the word meant, if any. */
export function nearUnit(kind: QuantityKind, value: number, word: string): string | undefined {
  const unit = SPELLED_OUT[word.toLowerCase()];
  return unit !== undefined && UNITS[kind][unit] !== undefined ? `${value}${unit}` : undefined;
}

export function unitsOf(kind: QuantityKind): string[] {
  return Object.keys(UNITS[kind]);
}

/** Converts `value unit` to the base unit of `kind`, or undefined if the unit does not belong. */
export function toBaseUnit(kind: QuantityKind, value: number, unit: string): number | undefined {
  const factor = UNITS[kind][unit];
  return factor === undefined ? undefined : value * factor;
}

/** Which kind a unit belongs to, to say "that is a duration, not a percentage". */
export function kindOfUnit(unit: string): QuantityKind | undefined {
  for (const kind of Object.keys(UNITS) as QuantityKind[]) {
    if (UNITS[kind][unit] !== undefined) return kind;
  }
  return undefined;
}

export interface QuantityText {
  readonly value: number;
  readonly unit: string;
}

const QUANTITY = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z%µ][A-Za-z0-9%µ/]*)?\s*$/;

/** Splits text such as `15ms` or `2.5 h` into number and unit (unit '' when absent). */
export function splitQuantity(text: string): QuantityText | undefined {
  const m = QUANTITY.exec(text);
  if (!m || m[1] === undefined) return undefined;
  return { value: Number(m[1]), unit: m[2] ?? '' };
}

export function formatDuration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ];
  for (const [u, f] of units) {
    if (ms >= f && ms % f === 0) return `${ms / f}${u}`;
  }
  return `${ms}ms`;
}
