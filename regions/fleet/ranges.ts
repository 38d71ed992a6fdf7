import type { Range } from './range.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The range of every number and duration in a fleet file, by key. The schema checks each
 * value against its entry, docs/fleet.schema.json shows them, and the README's reference
 * table lists them (a test keeps the three in step).
 *
 * The figures are far beyond any real fleet, and small enough that the verifier's sums stay
 * exact: it counts cpu and memory in thousandths as integers, and one region's capacity
 * (10^6 cores, 10^7 GiB) in thousandths is at most 10^10, far below 2^53. Durations end at
 * 365 days, so adding one to any accepted time is always a valid Date.
 */
export const FLEET_RANGES = {
  // A thousandth is the verifier's unit: anything smaller would count as nothing.
  'regions[].capacity.cpu': { kind: 'number', min: 0.001, max: 1_000_000, unit: 'cores' },
  'regions[].capacity.memory_gib': { kind: 'number', min: 0.001, max: 10_000_000, unit: 'GiB' },
  // 60 s is the largest bound an intent may set: a slower pair satisfies no intent.
  latency_ms: {
    kind: 'number',
    min: 0,
    max: 60_000,
    unit: 'ms',
    noun: 'a latency (a number, or a duration such as "1.2s")',
  },
  // Below a minute every reading but the newest would be stale.
  'carbon.max_staleness': { kind: 'duration', min: MINUTE, max: 365 * DAY },
  'carbon.static.year': { kind: 'integer', min: 2021, max: 2025 },
  // A timeout of 0 would fail every request; beyond 10 minutes a run waits on one answer.
  'carbon.electricitymaps.timeout': { kind: 'duration', min: 100, max: 10 * MINUTE },
  // 0 asks every time; answers change hourly, so keeping one for more than a day is never right.
  'carbon.electricitymaps.cache_ttl': { kind: 'duration', min: 0, max: DAY },
  'carbon.electricitymaps.retries': { kind: 'integer', min: 0, max: 10 },
  'power.watts_per_cpu': { kind: 'number', min: 0.001, max: 1000, unit: 'W' },
  'power.watts_per_gib': { kind: 'number', min: 0, max: 100, unit: 'W' },
  'power.pue': { kind: 'number', min: 1, max: 3 },
  'policy.migration_budget': { kind: 'integer', min: 0, max: 100_000 },
  'policy.min_saving': { kind: 'percent', min: 0, max: 100 },
  'policy.cooldown': { kind: 'duration', min: 0, max: 365 * DAY },
  'policy.migration_cost_g_per_h': { kind: 'number', min: 0, max: 1_000_000, unit: 'gCO2eq/h' },
  // A copy that is not serving within a day will not be; under a second no rollout finishes.
  'policy.ready_timeout': { kind: 'duration', min: 1000, max: DAY },
  // 0 moves as soon as the copy is ready; beyond a day the source is kept running needlessly.
  'policy.verify_window': { kind: 'duration', min: 0, max: DAY },
  'policy.max_parallel': { kind: 'integer', min: 1, max: 1000 },
  'policy.max_parallel_per_cluster': { kind: 'integer', min: 1, max: 1000 },
} as const satisfies Readonly<Record<string, Range>>;
