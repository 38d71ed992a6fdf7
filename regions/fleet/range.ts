import { formatDuration } from '../../scheduler/units.js';

/**
 * The documented range of a number or duration a user writes. Every such value in a fleet
 * file, an inventory or an enforcer file has one and is checked against it at the
 * boundary, so nothing further in is handed a value that is infinite, negative where that
 * means nothing, too large to add up exactly, or a duration that overflows a Date.
 */

export type RangeKind = 'number' | 'integer' | 'duration' | 'percent' | 'time';

export interface Range {
  readonly kind: RangeKind;
  /** Inclusive bounds in the base unit: ms for durations, epoch ms for times, % for percentages. */
  readonly min: number;
  readonly max: number;
  /** What a plain number counts, named after it in messages: "cores", "ms", "W". */
  readonly unit?: string;
  /** What the value is, when the kind alone would mislead ("a latency": a number or a duration). */
  readonly noun?: string;
}

/**
 * The instants shisa accepts: years 1970 to 9999 (UTC). A four-digit year keeps every time
 * writable in ISO 8601 and storable, and the latest time plus the longest duration
 * (365 days) stays far inside what a JavaScript Date can hold (year 275760).
 */
export const TIME_RANGE: Range = {
  kind: 'time',
  min: Date.UTC(1970, 0, 1),
  max: Date.UTC(9999, 11, 31, 23, 59, 59, 999),
};

/** Whether `n` is a finite number within the range (whole for integer ranges). */
export function inRange(n: number, range: Range): boolean {
  if (!Number.isFinite(n) || n < range.min || n > range.max) return false;
  return range.kind !== 'integer' || Number.isInteger(n);
}

/** "a number from 0.001 to 1000000 cores", "a duration from 0ms to 365d". */
export function describeRange(range: Range): string {
  const noun =
    range.noun ??
    { number: 'a number', integer: 'a whole number', duration: 'a duration', percent: 'a percentage', time: 'a time' }[
      range.kind
    ];
  return `${noun} from ${rangeBounds(range)}`;
}

/** "0.001 to 1000000 cores", "0ms to 365d": the bounds alone, for tables and descriptions. */
export function rangeBounds(range: Range): string {
  return `${formatBound(range.min, range)} to ${formatBound(range.max, range)}${range.unit ? ` ${range.unit}` : ''}`;
}

/** One end of a range as a user would write it. */
export function formatBound(n: number, range: Range): string {
  switch (range.kind) {
    case 'duration':
      return formatDuration(n);
    case 'percent':
      return `${n}%`;
    case 'time':
      return new Date(n).toISOString().replace(/\.\d{3}Z$/, 'Z');
    default:
      return String(n);
  }
}
