import { describe, expect, it } from 'vitest';
import { objectiveOf, violation } from '../../scheduler/planner/problem.js';
import {
  DESTINATION_CAPACITY,
  PUBLISHED_TABLE,
  loadSpatialScenario,
  noMigrationAverage,
  paperGreedy,
  paperGreedyPlacement,
  toPlacementProblem,
  workPerZone,
} from './spatial-experiment.js';

// Published numbers are rounded to 0.1 g; allow rounding plus float noise.
const TOLERANCE = 0.05 + 1e-9;

const scenario = loadSpatialScenario();

const cells = PUBLISHED_TABLE.rows.flatMap((row) =>
  PUBLISHED_TABLE.latencyLimitsMs.map((limit, i) => ({
    label: row.label,
    idle: row.idle,
    limit,
    published: row.values[i] as number,
  })),
);

describe('the spatial experiment of Sukprasert et al. (EuroSys 2024)', () => {
  it('has the 30 zones the paper uses, greenest first', () => {
    expect(scenario.zones).toHaveLength(30);
    expect(scenario.latencyMs).toHaveLength(30);
    for (const row of scenario.latencyMs) expect(row).toHaveLength(30);
    const names = scenario.zones.map((z) => z.name);
    expect(new Set(names).size).toBe(30);
    expect(names.filter((n) => n.startsWith('AUS-') || n === 'IN-DL')).toEqual([]);
    expect(names[0]).toBe('CA-QC');
    expect(names.at(-1)).toBe('PL');
    for (let i = 1; i < names.length; i++) {
      expect(scenario.zones[i]!.meanIntensity).toBeGreaterThan(scenario.zones[i - 1]!.meanIntensity);
    }
    scenario.latencyMs.forEach((row, i) => expect(row[i]).toBe(5));
  });

  it('averages 379.8 gCO2eq/kWh with no migration', () => {
    expect(Math.abs(noMigrationAverage(scenario) - PUBLISHED_TABLE.noMigration)).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each(cells)('reproduces $label at $limit ms: $published', ({ idle, limit, published }) => {
    expect(Math.abs(paperGreedy(scenario, limit, idle) - published)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('the experiment as a PlacementProblem', () => {
  it.each(PUBLISHED_TABLE.rows.map((r) => ({ idle: r.idle })))('sizes it right at $idle idle', ({ idle }) => {
    const { problem, workUnits } = toPlacementProblem(scenario, 100, idle);
    expect(workUnits).toBe(30 * workPerZone(idle));
    expect(problem.movers).toHaveLength(workUnits);
    expect(problem.regions.map((r) => r.name)).toEqual(scenario.zones.map((z) => z.name));
    for (const r of problem.regions) {
      expect(r.cpu).toBe(DESTINATION_CAPACITY);
      expect(r.memoryGib).toBe(DESTINATION_CAPACITY);
    }
    for (const m of problem.movers) {
      expect(m.cpu).toBe(1);
      expect(m.memoryGib).toBe(1);
      expect([...m.allowed]).toContain(m.current);
      for (let k = 1; k < m.allowed.length; k++) expect(m.allowed[k]!).toBeGreaterThan(m.allowed[k - 1]!);
      for (const r of m.allowed) expect(problem.latency(m.current, r)).toBeLessThanOrEqual(100);
    }
  });

  it.each(cells)('$label at $limit ms: everyone at home is feasible and averages 379.8', ({ idle, limit }) => {
    const { problem, workUnits } = toPlacementProblem(scenario, limit, idle);
    const stay = Int32Array.from(problem.movers, (m) => m.current);
    expect(violation(problem, stay)).toBeUndefined();
    expect(Math.abs(objectiveOf(problem, stay) / workUnits - PUBLISHED_TABLE.noMigration)).toBeLessThanOrEqual(
      TOLERANCE,
    );
  });

  it.each(cells)(
    "$label at $limit ms: the paper greedy's placement is feasible and scores the same",
    ({ idle, limit }) => {
      const { problem, workUnits } = toPlacementProblem(scenario, limit, idle);
      const placement = paperGreedyPlacement(scenario, limit, idle);
      expect(placement).toHaveLength(problem.movers.length);
      expect(violation(problem, placement)).toBeUndefined();
      expect(objectiveOf(problem, placement) / workUnits).toBeCloseTo(paperGreedy(scenario, limit, idle), 9);
    },
  );
});
