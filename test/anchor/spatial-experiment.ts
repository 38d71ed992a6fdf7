/**
 * The spatial workload-shifting experiment (capacity × latency) of Sukprasert et al., "On
 * the Limitations of Carbon-Aware Temporal and Spatial Workload Shifting in the Cloud"
 * (EuroSys 2024), rebuilt from its data so that a placement solver can be checked against a
 * published number: on the same instance it must never do worse than the paper's greedy.
 *
 * The experiment, as the paper's code (umassos/decarbonization-potential,
 * `sim_spatial/capacity_latency/calculate_capacity_latency.py`) runs it:
 *
 * - Zones: the Electricity Maps zones of the GCP latency matrix that also have a 2022 mean
 *   intensity: 30 of them (the `AUS-*` names do not match the `AU-*` zones and `IN-DL` has
 *   no mean, so those three regions drop out; us-east4 and us-east5 are both `US-MIDA-PJM`
 *   and count once). They are ordered by increasing 2022 mean intensity; that order is the
 *   order origins are processed in and the order destinations are tried in.
 * - Work: every zone starts with `round(100 × (1 − idle))` units (50 at 50% idle, 1 at 99%
 *   idle) and every zone can hold at most 100 units, so at 50% idle half of all capacity is
 *   free and at 99% idle any one destination can take everything (≈ unlimited).
 * - Greedy: for each origin in turn, walk the destinations within the latency limit from the
 *   greenest, and move as much of the origin's own units as the destination has room for,
 *   until they are all placed. The origin is one of its own destinations (the diagonal is
 *   5 ms, within every limit); reaching it keeps as many units at home as it has room for.
 * - Result: Σ units × mean intensity / total units, gCO2eq/kWh of all work.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Mover, PlacementProblem, ProblemRegion } from '../../scheduler/planner/problem.js';

export interface SpatialZone {
  /** Electricity Maps zone code. */
  readonly name: string;
  /** Mean lifecycle carbon intensity over 2022, gCO2eq/kWh. */
  readonly meanIntensity: number;
}

export interface SpatialScenario {
  /** The experiment's zones by increasing 2022 mean (ties, of which there are none, by first row in the matrix). */
  readonly zones: readonly SpatialZone[];
  /**
   * `latencyMs[o][d]`: the round-trip ms the experiment compares with the latency limit when
   * work from origin zone `o` may go to destination zone `d` (indices into `zones`).
   */
  readonly latencyMs: readonly (readonly number[])[];
}

export type IdleFraction = 0.5 | 0.99;

/** Units of work a destination can hold (the experiment's `max_util`). */
export const DESTINATION_CAPACITY = 100;

/** The year whose mean intensities the experiment uses. */
export const YEAR = 2022;

/** Units of work each zone starts with: `round(100 × (1 − idle))`, i.e. 50 at 50% idle, 1 at 99% idle. */
export function workPerZone(idle: IdleFraction): number {
  return Math.round(DESTINATION_CAPACITY * (1 - idle));
}

/** The published table (average gCO2eq/kWh of all work), as printed in the paper. */
export const PUBLISHED_TABLE = {
  noMigration: 379.8,
  latencyLimitsMs: [5, 50, 100, 150, 200, 250, 300],
  rows: [
    { idle: 0.5, label: '50% idle capacity', values: [372.3, 261.6, 244.4, 208.6, 206.2, 207.0, 206.2] },
    { idle: 0.99, label: '99% idle (≈ unlimited)', values: [372.3, 199.8, 135.6, 86.6, 40.1, 28.5, 28.5] },
  ],
} as const satisfies {
  noMigration: number;
  latencyLimitsMs: readonly number[];
  rows: readonly { idle: IdleFraction; label: string; values: readonly number[] }[];
};

const DATA = new URL('./data/', import.meta.url);

function readCsv(file: string): string[][] {
  return readFileSync(fileURLToPath(new URL(file, DATA)), 'utf8')
    .trim()
    .split(/\r?\n/)
    .map((line) => line.split(','));
}

/**
 * The 30 zones and the latencies between them, exactly as the experiment sees them.
 *
 * The paper reads the matrix with pandas: the second `US-MIDA-PJM` column (us-east5) becomes
 * `US-MIDA-PJM.1` and is dropped, while both `US-MIDA-PJM` rows stay. For an origin it takes
 * the origin's *column* (latency from each row region to the origin; the matrix is not quite
 * symmetric) and allows every row within the limit. So: the origin's latencies come from its
 * first column, and a destination named twice is allowed if either of its rows is within the
 * limit, i.e. its latency is the smaller of the two.
 */
export function loadSpatialScenario(): SpatialScenario {
  const means = new Map<string, number>();
  const [meanHeader, ...meanRows] = readCsv('zone_mean_intensity_2020_2022.csv');
  const yearCol = (meanHeader ?? []).indexOf(String(YEAR));
  if (yearCol < 0) throw new Error(`no ${YEAR} column in the mean intensities`);
  for (const row of meanRows) {
    const v = Number(row[yearCol]);
    if (row[0] && row[yearCol] !== '' && Number.isFinite(v)) means.set(row[0], v);
  }

  const [header, ...rows] = readCsv('gcp_latency_matrix_ms.csv');
  const colNames = (header ?? []).slice(1);
  const rowNames = rows.map((r) => r[0] ?? '');
  if (rowNames.join() !== colNames.join()) throw new Error('latency matrix rows and columns differ');
  const cell = (r: number, c: number): number => {
    const v = Number(rows[r]?.[c + 1]);
    if (!Number.isFinite(v)) throw new Error(`bad latency at row ${r}, column ${c}`);
    return v;
  };

  // Zones in order of first appearance, kept only if they have a mean; then by increasing mean
  // (Array.prototype.sort is stable, so ties would keep matrix order).
  const names = [...new Set(colNames)].filter((z) => means.has(z));
  const order = names.map((name, i) => ({ name, i, mean: means.get(name) as number }));
  order.sort((a, b) => a.mean - b.mean || a.i - b.i);
  const zones: SpatialZone[] = order.map((z) => ({ name: z.name, meanIntensity: z.mean }));

  const positions = (name: string): number[] => colNames.flatMap((n, i) => (n === name ? [i] : []));
  const latencyMs = zones.map((origin) => {
    const col = positions(origin.name)[0] as number;
    return zones.map((dest) => Math.min(...positions(dest.name).map((row) => cell(row, col))));
  });
  return { zones, latencyMs };
}

/** A move of `units` of `origin`'s own work to `dest` (never `origin` itself). */
interface Move {
  readonly origin: number;
  readonly dest: number;
  readonly units: number;
}

interface GreedyRun {
  readonly unitsPerZone: number;
  /** Units in each zone at the end. */
  readonly allocation: readonly number[];
  readonly moves: readonly Move[];
}

/** Zones within the latency limit of `origin`, greenest first (= ascending index). */
function destinationsOf(s: SpatialScenario, origin: number, latencyLimitMs: number): number[] {
  const row = s.latencyMs[origin] as readonly number[];
  const out: number[] = [];
  for (let d = 0; d < s.zones.length; d++) if ((row[d] as number) <= latencyLimitMs) out.push(d);
  if (!out.includes(origin)) throw new Error(`${s.zones[origin]?.name} is not within ${latencyLimitMs} ms of itself`);
  return out;
}

function runGreedy(s: SpatialScenario, latencyLimitMs: number, idle: IdleFraction): GreedyRun {
  const n = s.zones.length;
  const unitsPerZone = workPerZone(idle);
  const allocation = new Array<number>(n).fill(unitsPerZone);
  const moves: Move[] = [];
  // Origins greenest first; zones are stored in that order.
  for (let origin = 0; origin < n; origin++) {
    let left = unitsPerZone;
    for (const dest of destinationsOf(s, origin, latencyLimitMs)) {
      const room = DESTINATION_CAPACITY - (allocation[dest] as number);
      const units = Math.min(left, Math.max(0, room));
      // As in the paper, reaching the origin itself "moves" units in place: they stay at home,
      // as many as the origin has room for. Units still left then go on to the next (dirtier)
      // destinations. (This never happens in the published cells, but it is the policy.)
      if (units > 0 && dest !== origin) {
        allocation[dest] = (allocation[dest] as number) + units;
        allocation[origin] = (allocation[origin] as number) - units;
        moves.push({ origin, dest, units });
      }
      left -= units;
      if (left <= 0) break;
    }
    // Units that found no room anywhere stay at home. The paper's code handles this case only
    // after the loop, and only for the last origin, by *setting* its allocation to the units
    // left (which loses work); refuse instances where that would change the result.
    if (left > 0 && origin === n - 1 && allocation[origin] !== left) {
      throw new Error("instance hits the paper code's end-of-loop leftover case; result would differ from the paper");
    }
  }
  return { unitsPerZone, allocation, moves };
}

/** The paper's greedy policy: average gCO2eq/kWh of all work after it has moved. */
export function paperGreedy(s: SpatialScenario, latencyLimitMs: number, idle: IdleFraction): number {
  const run = runGreedy(s, latencyLimitMs, idle);
  let total = 0;
  run.allocation.forEach((units, z) => {
    total += units * (s.zones[z] as SpatialZone).meanIntensity;
  });
  return total / (run.unitsPerZone * s.zones.length);
}

/** Average intensity with no migration: every zone's mean, weighted equally. */
export function noMigrationAverage(s: SpatialScenario): number {
  return s.zones.reduce((sum, z) => sum + z.meanIntensity, 0) / s.zones.length;
}

/**
 * The same instance as a `PlacementProblem`: one region per zone (index = zone index) with
 * room for `DESTINATION_CAPACITY` units, and one mover per unit of work, zone by zone
 * (`<zone>#<k>`, k = 0 … unitsPerZone − 1), costing the region's mean intensity, so that
 * objective / workUnits is the average gCO2eq/kWh of all work.
 */
export function toPlacementProblem(
  s: SpatialScenario,
  latencyLimitMs: number,
  idle: IdleFraction,
): { problem: PlacementProblem; workUnits: number } {
  const unitsPerZone = workPerZone(idle);
  const regions: ProblemRegion[] = s.zones.map((z) => ({
    name: z.name,
    cpu: DESTINATION_CAPACITY,
    memoryGib: DESTINATION_CAPACITY,
    intensity: z.meanIntensity,
  }));
  const movers: Mover[] = [];
  s.zones.forEach((zone, origin) => {
    const allowed = Int32Array.from(destinationsOf(s, origin, latencyLimitMs)).sort();
    const cost = Float64Array.from(allowed, (r) => (s.zones[r] as SpatialZone).meanIntensity);
    for (let k = 0; k < unitsPerZone; k++) {
      movers.push({ name: `${zone.name}#${k}`, current: origin, cpu: 1, memoryGib: 1, allowed, cost });
    }
  });
  const workUnits = movers.length;
  const problem: PlacementProblem = {
    regions,
    movers,
    budget: workUnits,
    pairs: [],
    latency: (a, b) => s.latencyMs[a]?.[b],
    fixedEmissions: 0,
  };
  return { problem, workUnits };
}

/**
 * Where the paper's greedy leaves every unit, in `toPlacementProblem`'s mover order: each
 * zone's first units go where the greedy moved them (in the order it moved them), the rest
 * stay at home.
 */
export function paperGreedyPlacement(s: SpatialScenario, latencyLimitMs: number, idle: IdleFraction): Int32Array {
  const run = runGreedy(s, latencyLimitMs, idle);
  const region = new Int32Array(run.unitsPerZone * s.zones.length);
  for (let z = 0; z < s.zones.length; z++) region.fill(z, z * run.unitsPerZone, (z + 1) * run.unitsPerZone);
  const sent = new Array<number>(s.zones.length).fill(0);
  for (const m of run.moves) {
    const start = m.origin * run.unitsPerZone + (sent[m.origin] as number);
    region.fill(m.dest, start, start + m.units);
    sent[m.origin] = (sent[m.origin] as number) + m.units;
  }
  return region;
}
