import { CommanderError } from 'commander';
import { describeRange, inRange, TIME_RANGE, type Range } from '../../regions/fleet/range.js';
import { clip } from '../diagnostics/clip.js';
import { EXIT } from './io.js';

/**
 * Numbers and times given on the command line, checked against their documented ranges
 * before any command runs. A bad value is one line on stderr and exit 2 (a usage error
 * the CLI reports like commander's own), never an internal error further in.
 */
export const ARGUMENT_RANGES = {
  // Run numbers are counted in a JavaScript number: beyond 2^53 − 1 one can neither be
  // recorded nor told apart from its neighbour.
  run: { kind: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER },
  // Per proof obligation: an hour is already far more than any proof here needs.
  '--timeout': { kind: 'integer', min: 1, max: 3_600_000, unit: 'ms' },
  '--at': TIME_RANGE,
  // As the fleet's policy.max_parallel.
  '--max-parallel': { kind: 'integer', min: 1, max: 1000 },
  // Long enough for a migration step in flight to be journaled; short of a pod's grace period.
  '--shutdown-timeout': { kind: 'integer', min: 1, max: 600, unit: 's' },
  port: { kind: 'integer', min: 0, max: 65535 },
} as const satisfies Readonly<Record<string, Range>>;

const DIGITS = /^\d+$/;
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** `shisa history RUN`: digits only, 1 to 2^53 − 1. */
export function runNumber(text: string): number {
  const n = DIGITS.test(text) ? Number(text) : NaN;
  if (!inRange(n, ARGUMENT_RANGES.run))
    throw usageError(`run ${quote(text)} is not a run number: expected ${describeRange(ARGUMENT_RANGES.run)}`);
  return n;
}

/** `shisa apply --max-parallel K`: migrations under way at once, 1 to 1000. */
export function maxParallel(text: string): number {
  const range = ARGUMENT_RANGES['--max-parallel'];
  const n = DIGITS.test(text) ? Number(text) : NaN;
  if (!inRange(n, range))
    throw usageError(`--max-parallel ${quote(text)} is not a number of migrations: expected ${describeRange(range)}`);
  return n;
}

/** `--shutdown-timeout S`: whole seconds, 1 to 600. */
export function shutdownSeconds(text: string): number {
  const range = ARGUMENT_RANGES['--shutdown-timeout'];
  const n = DIGITS.test(text) ? Number(text) : NaN;
  if (!inRange(n, range))
    throw usageError(`--shutdown-timeout ${quote(text)} is not a number of seconds: expected ${describeRange(range)}`);
  return n;
}

/** `--listen HOST:PORT` (`[::1]:8470` for IPv6; port 0 takes any free one). */
export function listenAddress(text: string): { readonly host: string; readonly port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253}):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !inRange(port, ARGUMENT_RANGES.port))
    throw usageError(`--listen ${quote(text)} is not an address: expected HOST:PORT, e.g. 127.0.0.1:8470`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** `--timeout MS`: whole milliseconds, 1 to 3,600,000. */
export function timeoutMs(text: string): number {
  const range = ARGUMENT_RANGES['--timeout'];
  if (!DIGITS.test(text))
    throw usageError(`--timeout ${quote(text)} is not a whole number of milliseconds, e.g. 10000`);
  const n = Number(text);
  if (!inRange(n, range))
    throw usageError(`--timeout ${quote(text)} is out of range: expected ${describeRange(range)}`);
  return n;
}

/** `--at TIME`: a real ISO 8601 time with a zone (so it never depends on the machine's), years 1970–9999. */
export function atTime(text: string): number {
  const range = ARGUMENT_RANGES['--at'];
  const t = realTime(text);
  if (t === undefined)
    throw usageError(`--at ${quote(text)} is not an ISO 8601 time with a zone, e.g. 2022-06-01T12:00Z`);
  if (!inRange(t, range)) throw usageError(`--at ${quote(text)} is out of range: expected ${describeRange(range)}`);
  return t;
}

/**
 * Epoch ms of an ISO 8601 time, or undefined unless every field exists: Date.parse reads
 * 2022-02-30 as 2 March and 24:00 as the next day, which would plan for a time nobody gave.
 */
function realTime(text: string): number | undefined {
  const m = ISO_TIME.exec(text);
  if (!m) return undefined;
  // Absent seconds and the zone "Z" count as 0.
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = m
    .slice(1, 9)
    .map((f) => Number(f ?? 0)) as [number, number, number, number, number, number, number, number];
  const date = month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
  const clock = hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
  return date && clock ? Date.parse(text) : undefined;
}

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The text as typed, quoted and shortened, so a stray control character or a huge argument is harmless. */
function quote(text: string): string {
  return JSON.stringify(clip(text, 40));
}

/** What the CLI reports as a usage error: the message alone on stderr, exit 2. */
function usageError(message: string): CommanderError {
  return new CommanderError(EXIT.invalidInput, 'shisa.badInput', `error: ${message}`);
}
