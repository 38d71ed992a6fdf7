import { CarbonError } from './carbon-error.js';
import type { CarbonSourceKind } from './reading.js';

/**
 * The plausibility rule: whether a reading can be true at the run's time `now`, whatever its
 * source. A reading that names another zone than the one asked for, lies in the future beyond
 * clock skew, or has an intensity outside physical bounds is a bad reading: its zone is treated
 * as missing (`CARBON_BAD_READING`), never planned on. Judged before staleness, since a reading
 * that cannot be true is not made true by being recent.
 */

/**
 * How far a reading's time may lie after the run's time. The run's clock and the provider's
 * disagree by seconds under NTP; 5 minutes also covers a provider stamping the coming hour a
 * little early. Anything further ahead is a broken clock or a broken answer, not a measurement.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Highest believable intensity, gCO2eq/kWh. The dirtiest real grids (nearly all coal, or oil on
 * islands) stay under about 1,200 lifecycle, in any hour; the highest yearly average in the
 * embedded data is 976. 2,500 leaves twice that as headroom, so no real reading is refused,
 * while unit slips (per MWh), overflow and garbage are. Both bounds are inclusive.
 */
export const MAX_INTENSITY = 2_500;

/** The parts of a reading the rule looks at. */
export interface Judged {
  /** The zone the answer says it is for. */
  readonly zone: string;
  /** gCO2eq/kWh */
  readonly intensity: number;
  /** Epoch ms. */
  readonly datetime: number;
}

/** Everything wrong with a reading at `now`; empty when it is believable. */
export function readingProblems(asked: string, reading: Judged, now: number): string[] {
  return [
    zoneProblem(asked, reading.zone),
    intensityProblem(reading.intensity),
    datetimeProblem(reading.datetime, now),
  ].filter((p): p is string => p !== undefined);
}

/** A reading as a `CARBON_BAD_READING` error when it is not believable, else undefined. */
export function badReading(
  asked: string,
  reading: Judged & { readonly source: CarbonSourceKind },
  now: number,
): CarbonError | undefined {
  const problems = readingProblems(asked, reading, now);
  return problems.length > 0 ? refusal('reading', asked, reading.source, problems) : undefined;
}

/**
 * Whether one point of a forecast or history holds a believable value: intensity within bounds
 * and a valid time. (Zone and time window are the answer's, judged by the caller.)
 */
export function plausibleValue(point: { readonly intensity: number; readonly datetime: number }): boolean {
  return intensityProblem(point.intensity) === undefined && validTime(point.datetime);
}

/** `what` for `asked` refused as a bad reading, saying exactly why. */
export function refusal(
  what: 'reading' | 'forecast' | 'history',
  asked: string,
  source: CarbonSourceKind,
  problems: readonly string[],
): CarbonError {
  return new CarbonError(
    'CARBON_BAD_READING',
    `bad ${what} for ${asked} from ${source}: ${problems.join('; ')}`,
    asked,
  );
}

export function zoneProblem(asked: string, answered: string): string | undefined {
  return answered === asked ? undefined : `asked for zone ${asked}, the answer is for ${answered}`;
}

function intensityProblem(value: number): string | undefined {
  if (Number.isFinite(value) && value >= 0 && value <= MAX_INTENSITY) return undefined;
  return `${String(value).replace('e+', 'e')} gCO2eq/kWh is outside 0–${MAX_INTENSITY.toLocaleString('en-US')}`;
}

function datetimeProblem(datetime: number, now: number): string | undefined {
  if (!validTime(datetime)) return 'its datetime is not a valid time';
  const ahead = datetime - now;
  if (ahead <= CLOCK_SKEW_MS) return undefined;
  return (
    `dated ${isoTime(datetime)}, ${span(ahead)} after the run's time ${isoTime(now)} ` +
    `(more than the ${span(CLOCK_SKEW_MS)} allowed for clock skew)`
  );
}

/** Within the range a JavaScript Date can hold. */
function validTime(t: number): boolean {
  return Number.isFinite(t) && Math.abs(t) <= 8.64e15;
}

/** ISO 8601 without zero seconds and milliseconds: 2099-01-01T00:00Z. */
function isoTime(t: number): string {
  return new Date(t)
    .toISOString()
    .replace(/:00\.000Z$/, 'Z')
    .replace(/\.000Z$/, 'Z');
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365.25 * DAY;

/** A positive duration for people: whole years or days when long, exact to the millisecond when not. */
export function span(ms: number): string {
  if (ms >= 2 * YEAR) return `${Math.floor(ms / YEAR)} years`;
  if (ms >= 2 * DAY) return `${Math.floor(ms / DAY)} days`;
  const parts: [number, string][] = [
    [Math.floor(ms / HOUR), 'h'],
    [Math.floor(ms / MINUTE) % 60, 'm'],
    [Math.floor(ms / SECOND) % 60, 's'],
    [Math.floor(ms % SECOND), 'ms'],
  ];
  return (
    parts
      .filter(([n]) => n > 0)
      .map(([n, unit]) => `${n}${unit}`)
      .join(' ') || '0ms'
  );
}
