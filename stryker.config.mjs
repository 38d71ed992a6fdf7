// Mutation testing of the safety gates (docs/safety-gates.md, docs/adr/0010-safety-gates-under-mutation.md).
// `npm run mutate`. Not part of `npm test`.
//
// What is mutated is exactly the code of the gates, not whole files: the ranges are found
// by the text of the gate code itself, so they follow the lines when the files around them
// change. A gate whose text is no longer found stops the run with a message naming it —
// moving or rewriting a gate must come with a look at this list, never silently mutate
// something else.
//
// Which tests may run: only the gate tests, listed in test/gates/vitest.mutate.config.ts.
// Never the store's suites (test/db/, PostgreSQL) nor the enforcer's (test/enforcer/,
// kernel), and not the e2e test through the built binary (it runs dist/, which Stryker does
// not mutate; npm test runs it).
import { readFileSync } from 'node:fs';

/** 0-based line and column of an index in a text. */
function position(text, index) {
  const before = text.slice(0, index);
  const line = before.split('\n').length - 1;
  return { line, column: index - (before.lastIndexOf('\n') + 1) };
}

/** The one occurrence of `marker` in `text` at or after `from`, or a stop naming the gate. */
function find(file, text, marker, from = 0, unique = true) {
  const at = text.indexOf(marker, from);
  if (at < 0)
    throw new Error(
      `stryker.config.mjs: gate code not found in ${file}: ${JSON.stringify(marker)} (moved or rewritten? update the gate list)`,
    );
  if (unique && text.indexOf(marker, at + 1) >= 0)
    throw new Error(
      `stryker.config.mjs: gate code found twice in ${file}: ${JSON.stringify(marker)} (make the marker longer)`,
    );
  return at;
}

/**
 * `file:L:C-L:C` (Stryker's mutate range: lines 1-based, columns 0-based) from the start of
 * `start` to the end of the first `end` after it (`end` defaults to `start`: that text alone).
 * Only mutants that lie wholly inside the range are made.
 */
function gate(file, start, end = start) {
  const text = readFileSync(new URL(file, import.meta.url), 'utf8');
  const a = find(file, text, start);
  const b = end === start ? a + start.length : find(file, text, end, a, false) + end.length;
  const s = position(text, a);
  const e = position(text, b);
  return `${file}:${s.line + 1}:${s.column}-${e.line + 1}:${e.column}`;
}

const PLANNER_FILTERS = 'scheduler/planner/filters.ts';
const BUILD = 'scheduler/planner/build-problem.ts';

export const GATES = [
  // (c) critical and uncovered workloads never move: the placement rule, the combined terms
  // that carry it, and who is analysed at all.
  gate(
    'scheduler/promises/coverage.ts',
    "return covering.length > 0 && covering.every((i) => i.placement === 'flexible') ? 'flexible' : 'critical';",
  ),
  gate('scheduler/promises/build-model.ts', 'placement: effectivePlacement(covering),'),
  gate(BUILD, "model.terms.forEach((t, i) => t.placement === 'flexible' && flexible.push(i));"),
  // (c, e, d) the workload filters: critical (second line), cooldown, carbon data where it runs;
  // the first that says no keeps the workload, and a kept workload is no candidate.
  gate(
    PLANNER_FILTERS,
    'export const WORKLOAD_FILTERS',
    '`no fresh carbon reading for its current region ${w.region}`,',
  ),
  gate(BUILD, 'const kept = new Array<Rejection | undefined>(model.workloads.length);', 'return kept;'),
  gate(BUILD, 'for (const i of flexible) if (!kept[i]) candidate[i] = 1;'),
  // (d) stale and missing zones: what counts as fresh, and the filter context that uses it.
  gate(
    'scheduler/planner/carbon-view.ts',
    'const freshOf = new Map<string, boolean>();',
    "freshOf.set(r.name, signal?.status === 'fresh');",
  ),
  gate('scheduler/planner/carbon-view.ts', 'fresh: (r) => freshOf.get(r) === true,'),
  gate('scheduler/planner/region-options.ts', 'now: s.now,', 'fresh: (r) => carbon.fresh(r),'),
  gate(PLANNER_FILTERS, "name: 'carbon-data',", '`no fresh carbon reading for ${r.zone}`),'),
  gate('regions/carbon/staleness.ts', 'return now - reading.datetime > maxStalenessMs;'),
  gate(
    'regions/carbon/staleness.ts',
    'if (!result.ok) return missing(zone, result.error);',
    'if (bad) return missing(zone, bad);',
  ),
  gate(
    'regions/carbon/staleness.ts',
    "if (!isStale(reading, now, maxStalenessMs)) return { zone, status: 'fresh', reading, ageMs };",
  ),
  // (d, g) which cleaner regions exist, and min_saving (hysteresis: `not-worth-it`).
  gate(
    'scheduler/planner/region-options.ts',
    'const here = carbon.intensityOf.get(c.workload.region);',
    'out.push({ region: r.name, intensity: there, rejection: firstRejection(c, r, k, ctx) ?? tooSmall });',
  ),
  gate(
    'scheduler/promises/build-model.ts',
    'if (i.carbon?.minSavingPercent !== undefined) minSaving = Math.max(minSaving ?? 0, i.carbon.minSavingPercent);',
  ),
  gate('scheduler/promises/build-model.ts', '...(minSaving !== undefined ? { minSavingPercent: minSaving } : {}),'),
  // Every filter's verdict reaches the solver: a rejected region is never an allowed one.
  gate('scheduler/planner/region-options.ts', 'const anyAllowed = new Map', 'else pinned.push(i);'),
  gate(
    'scheduler/planner/region-options.ts',
    'if (!(k > 0)) return [];',
    ': { region: c.region, emissions: k * c.intensity },',
  ),
  gate(BUILD, 'const allowed = [{ r: current, cost: carbon.emissionsAt[i]! }];', 'if (!o.rejection) allowed.push('),
  // capacity: what cannot move takes its room first; a region over capacity does not grow.
  gate(
    BUILD,
    'const fixed = new RegionLoad(',
    'memoryGib: Math.max(r.capacity.memoryGib - fixed.memoryGib[i]!, moving.memoryGib[i]!),',
  ),
  gate(
    'scheduler/capacity/region-load.ts',
    'add(region: number, d: Demand): void {',
    'this.memoryGib[region] = (this.memoryGib[region] as number) + d.memoryGib;',
  ),
  // (f) the budget handed to the solvers, and (f, capacity) the last guard on their answer.
  gate(BUILD, 'budget: fleet.policy.migrationBudget,'),
  gate('scheduler/planner/problem.ts', 'export function violation(', 'return undefined;\n}'),
  gate(
    'scheduler/planner/solve.ts',
    'const broken = violation(p, assignment.region);',
    'if (broken) throw new Error(`planner produced an infeasible placement: ${broken}`);',
  ),
  // (a) only a proven run's order is journaled as migrations.
  gate(
    'db/record-run.ts',
    "const journaled = r.verdict === 'proven' ? await journalPlanned(tx, runId, r.order, r.finishedAt) : [];",
  ),
  // (b) the verdict: intents that cannot all hold stop the run before planning; a plan is
  // proven only when its proof is; only a proven proof has an order.
  gate(
    'scheduler/verify/verify.ts',
    "const unprovable = obligations.filter((o) => o.verdict === 'unprovable')",
    'proven: unprovable.length === 0,',
  ),
  gate('scheduler/run/run.ts', 'if (!intents.proven) {'),
  gate('scheduler/run/run.ts', "outcome: proven.report.proven ? 'proven' : 'plan-unprovable',"),
  gate('scheduler/run/prove-plan.ts', 'batches: report.proven ? check.batches : []'),
  // (a, b) the run as recorded: proven only when the outcome is.
  gate('scheduler/run/run-record.ts', "const proven = result.outcome === 'proven';"),
  gate(
    'scheduler/run/run-record.ts',
    "verdict: proven ? 'proven' : 'unprovable',",
    "status: proven ? 'planned' : 'unprovable',",
  ),
  // (b) what `shisa plan` does with it: exit 3, not applicable, no order, only what failed.
  gate('scheduler/cli/plan-render.ts', "const applicable = result.outcome === 'proven';"),
  gate('scheduler/cli/plan-render.ts', 'order: result.order.map((batch) => batch.map((m) => m.workload)),'),
  gate(
    'scheduler/cli/plan-render.ts',
    'if (proof.proven) {',
    "const order = proof.obligations.find((o) => o.code === 'plan.order');",
  ),
  gate(
    'scheduler/cli/plan-render.ts',
    '`Proof       UNPROVABLE: ${verdict} (Z3, ${seconds} s)`,',
    "renderReport(proof, (o) => o.verdict === 'unprovable'),",
  ),
  gate('scheduler/cli/plan.ts', "return result.outcome === 'proven' ? EXIT.ok : EXIT.unprovable;"),
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Which tests may run is that config's include list (see there why not `testFiles`);
  // `related: false`, so vitest never adds other tests that import a mutated file.
  vitest: { configFile: 'test/gates/vitest.mutate.config.ts', related: false },
  mutate: GATES,
  coverageAnalysis: 'perTest',
  // The machine has 2 cores and other work: one test runner at a time.
  concurrency: 1,
  // The CLI gate tests start PGlite and Z3 (seconds each, more on a busy machine): a slow run
  // is not a hang. A mutant that loops still times out.
  timeoutMS: 60_000,
  timeoutFactor: 2,
  // The sandbox needs the sources, the fixtures and the embedded data; not the build or reports.
  ignorePatterns: ['dist', 'bpf/build', 'reports', '.shisa', '**/.shisa'],
  reporters: ['progress', 'clear-text', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/gates.html' },
  jsonReporter: { fileName: 'reports/mutation/gates.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  // 247 of 272 killed (90.8 %) when last measured, before the gates moved to scheduler/run/,
  // scheduler/promises/ and the split planner files; the 25 left are each explained in ADR 10.
  // The ranges have changed since (the intents stop, the run's outcome, RegionLoad.add), so the
  // counts are stale until `npm run mutate` runs again: then update them and the ADR.
  thresholds: { high: 100, low: 90, break: 90.5 },
};
