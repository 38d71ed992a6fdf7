/**
 * `npm run bench:planner`: the planner against the greedy baseline and the exact MIP on
 * generated fleets of 1,000 / 10,000 / 50,000 workloads × 40 regions, then the published
 * spatial-shifting table (Sukprasert et al., EuroSys 2024) next to the paper's greedy and
 * shisa. Wall time is the median of several runs of the whole compiled planner (filters included).
 */
import { buildProblem } from '../scheduler/planner/build-problem.js';
import type { Plan } from '../scheduler/planner/plan.js';
import { solve } from '../scheduler/planner/solve.js';
import {
  loadSpatialScenario,
  paperGreedy,
  PUBLISHED_TABLE,
  toPlacementProblem,
} from '../test/anchor/spatial-experiment.js';
import { generateFleet } from './generate-fleet.js';
import { solveMip } from './mip.js';

// Timed is what ships: the compiled planner in dist/ (the script builds it first), which is
// what `shisa plan` runs; the TypeScript sources through tsx run measurably slower.
const shipped = (path: string): Promise<unknown> => import(new URL(`../dist/${path}`, import.meta.url).href);
const { plan } = (await shipped('scheduler/planner/plan.js')) as typeof import('../scheduler/planner/plan.js');
const { buildProblem: buildShipped } = (await shipped(
  'scheduler/planner/build-problem.js',
)) as typeof import('../scheduler/planner/build-problem.js');
const { solveGreedy } = (await shipped(
  'scheduler/planner/solvers/greedy.js',
)) as typeof import('../scheduler/planner/solvers/greedy.js');

const SIZES = [1_000, 10_000, 50_000];
const RUNS: Record<number, number> = { 1_000: 7, 10_000: 5, 50_000: 5 };
const MIP_LIMIT_S = 60;
const OTHER_SEEDS = [1, 2, 3, 4, 5, 6];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const g = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const pad = (s: string, n: number): string => s.padStart(n);

async function main(): Promise<void> {
  console.log(`shisa planner benchmark (Node ${process.versions.node}, ${process.arch})\n`);
  console.log(
    [
      'instance'.padEnd(16),
      'solver'.padEnd(8),
      pad('median ms', 10),
      pad('emissions after g/h', 20),
      pad('lower bound g/h', 16),
      pad('gap', 9),
      '  notes',
    ].join(''),
  );
  let mipGaveUp = false;
  for (const n of SIZES) {
    const { snapshot, regions } = await generateFleet(n, 7);
    const label = `${n.toLocaleString('en-US')} × ${regions}`;
    const times: number[] = [];
    let result: Plan | undefined;
    for (let k = 0; k < (RUNS[n] ?? 3); k++) {
      const t = performance.now();
      result = plan(snapshot);
      times.push(performance.now() - t);
    }
    const p = result as Plan;
    const built = buildProblem(snapshot);
    const greedyTimes: number[] = [];
    let greedyObjective = 0;
    for (let k = 0; k < (RUNS[n] ?? 3); k++) {
      const t = performance.now();
      const b = buildShipped(snapshot);
      greedyObjective = solveGreedy(b.problem).objective;
      greedyTimes.push(performance.now() - t);
    }
    console.log(
      [
        label.padEnd(16),
        'shisa'.padEnd(8),
        pad(median(times).toFixed(0), 10),
        pad(g(p.emissions.after), 20),
        pad(g(p.lowerBound), 16),
        pad(`${(p.gap * 100).toFixed(3)}%`, 9),
        `  before ${g(p.emissions.before)}; ${p.moves.length} moves of ${p.budget}; ${built.problem.movers.length} movers; ${p.optimality === 'proven' ? 'proven optimal' : 'bounded'}`,
      ].join(''),
    );
    console.log(
      [
        '',
        'greedy'.padEnd(8),
        pad(median(greedyTimes).toFixed(0), 10),
        pad(g(greedyObjective), 20),
        pad('-', 16),
        pad(`${(((greedyObjective - p.lowerBound) / greedyObjective) * 100).toFixed(3)}%`, 9),
        "  gap against shisa's bound",
      ]
        .join('')
        .padStart(0)
        .replace(/^/, ' '.repeat(16))
        .slice(0),
    );
    if (mipGaveUp) {
      console.log(
        `${' '.repeat(16)}${'MIP'.padEnd(8)}${pad('-', 10)}  not attempted: it did not finish within ${MIP_LIMIT_S} s on a smaller instance`,
      );
      continue;
    }
    const mip = await solveMip(built.problem, MIP_LIMIT_S);
    if (mip.objective === undefined) {
      mipGaveUp = true;
      console.log(
        `${' '.repeat(16)}${'MIP'.padEnd(8)}${pad((mip.seconds * 1000).toFixed(0), 10)}  HiGHS: ${mip.status} (limit ${MIP_LIMIT_S} s)`,
      );
    } else {
      console.log(
        `${' '.repeat(16)}${'MIP'.padEnd(8)}${pad((mip.seconds * 1000).toFixed(0), 10)}${pad(g(mip.objective), 20)}${pad(g(mip.objective), 16)}${pad('0.000%', 9)}  HiGHS, one run; shisa is ${(((p.objective - mip.objective) / mip.objective) * 100).toFixed(4)}% above it`,
      );
    }
  }

  // One instance can flatter: the largest size again on other seeds, one plan each.
  console.log(`\nThe same ${SIZES.at(-1)?.toLocaleString('en-US')}-workload fleet on other seeds (one run each):`);
  const rows: string[] = [];
  let worst = 0;
  for (const seed of OTHER_SEEDS) {
    const { snapshot } = await generateFleet(SIZES.at(-1) as number, seed);
    const t = performance.now();
    const p = plan(snapshot);
    const ms = performance.now() - t;
    worst = Math.max(worst, p.gap);
    rows.push(
      `  seed ${seed}: ${ms.toFixed(0)} ms, gap ${(p.gap * 100).toFixed(3)}%, emissions after ${g(p.emissions.after)} g/h (greedy ${g(p.greedyAfter)})`,
    );
  }
  console.log(`${rows.join('\n')}\n  worst gap ${(worst * 100).toFixed(3)}%`);

  console.log(
    '\nSpatial shifting, Sukprasert et al. (EuroSys 2024): average gCO2eq/kWh of all work (no migration 379.8)',
  );
  const scenario = loadSpatialScenario();
  console.log(
    ['latency limit ms'.padEnd(40), ...PUBLISHED_TABLE.latencyLimitsMs.map((l) => pad(String(l), 8))].join(''),
  );
  for (const row of PUBLISHED_TABLE.rows) {
    const shisa = PUBLISHED_TABLE.latencyLimitsMs.map((limit) => {
      const { problem, workUnits } = toPlacementProblem(scenario, limit, row.idle);
      return solve(problem).assignment.objective / workUnits;
    });
    console.log([`${row.label}: published`.padEnd(40), ...row.values.map((v) => pad(v.toFixed(1), 8))].join(''));
    console.log(
      [
        `${row.label}: greedy (ours)`.padEnd(40),
        ...PUBLISHED_TABLE.latencyLimitsMs.map((l) => pad(paperGreedy(scenario, l, row.idle).toFixed(1), 8)),
      ].join(''),
    );
    console.log([`${row.label}: shisa`.padEnd(40), ...shisa.map((v) => pad(v.toFixed(1), 8))].join(''));
  }
}

await main();
