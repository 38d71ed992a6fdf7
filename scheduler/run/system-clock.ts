import type { Clock } from './ports.js';

/** The wall clock, or the one a caller gives (tests, `--at`'s neighbours). */
export function systemClock(now: () => number = Date.now): Clock {
  return Object.freeze({ now });
}
