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
  // (c) critical and uncovered workloads never move: the placement rule, and who is analysed at all.
  gate(
    'scheduler/inventory/coverage.ts',
    "return covering.length > 0 && covering.every((i) => i.placement === 'flexible') ? 'flexible' : 'critical';",
  ),
  gate(BUILD, "promiseOf.forEach((p, i) => p.placement === 'flexible' && flexible.push(i));"),
  // (c, e, d) the workload filters: critical (second line), cooldown, carbon data where it runs.
  gate(
    PLANNER_FILTERS,
    'export const WORKLOAD_FILTERS',
    '`no fresh carbon reading for its current region ${w.region}`),',
  ),
  gate(BUILD, '// Workload-level filters first.', 'for (const i of flexible) if (!kept[i]) candidate[i] = 1;'),
  // (d) stale and missing zones: what counts as fresh, and the region filter that uses it.
  gate(BUILD, 'const freshOf = new Map<string, boolean>();', "freshOf.set(r.name, signal?.status === 'fresh');"),
  gate(BUILD, 'now: s.now,', 'fresh: (r) => freshOf.get(r) === true,'),
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
  gate(BUILD, 'const here = intensityOf.get(w.region);', 'out.push({ region: r.name, intensity: there, rejection });'),
  gate(
    'scheduler/planner/promises.ts',
    'if (i.carbon?.minSavingPercent !== undefined) minSaving = Math.max(minSaving ?? 0, i.carbon.minSavingPercent);',
  ),
  gate('scheduler/planner/promises.ts', '...(minSaving !== undefined ? { minSavingPercent: minSaving } : {}),'),
  // Every filter's verdict reaches the solver: a rejected region is never an allowed one.
  gate(BUILD, 'const anyAllowed = new Map', 'else pinned.push(i);'),
  gate(
    BUILD,
    'if (!(k > 0)) return [];',
    'rejection: c.rejection } : { region: c.region, emissions: k * c.intensity }));',
  ),
  gate(
    BUILD,
    'const allowed = [{ r: current, cost: emissionsAt[i] as number }];',
    'for (const o of opts) if (!o.rejection) allowed.push(',
  ),
  // capacity: what cannot move takes its room first; a region over capacity does not grow.
  gate(
    BUILD,
    'const regionAt = Int32Array.from(workloads',
    'memoryGib: Math.max(r.capacity.memoryGib - (fixedMem[i] as number), moverMem[i] as number),',
  ),
  // (f) the budget handed to the solvers, and (f, capacity) the last guard on their answer.
  gate(BUILD, 'budget: fleet.policy.migrationBudget,'),
  gate('scheduler/planner/problem.ts', 'export function violation(', 'return undefined;\n}'),
  gate(
    'scheduler/planner/solve.ts',
    'const broken = violation(p, assignment.region);',
    'if (broken) throw new Error(`planner produced an infeasible placement: ${broken}`);',
  ),
  // (a) only a proven plan's moves are journaled as migrations.
  gate(
    'db/record-run.ts',
    "const journaled = r.verdict === 'proven' ? await journalPlanned(tx, runId, r.moves, r.finishedAt) : [];",
  ),
  // (b) the verdict, and what `shisa plan` does with it: exit 3, not applicable, no order.
  gate(
    'scheduler/verify/verify.ts',
    "const unprovable = obligations.filter((o) => o.verdict === 'unprovable')",
    'proven: unprovable.length === 0,',
  ),
  gate('scheduler/cli/plan.ts', 'applicable: proof.proven, order: proof.proven ? batches : []'),
  gate('scheduler/cli/plan.ts', 'return proof.proven ? EXIT.ok : EXIT.unprovable;'),
  gate(
    'scheduler/cli/plan.ts',
    "verdict: proof.proven ? 'proven' : 'unprovable',",
    "status: proof.proven ? 'planned' : 'unprovable',",
  ),
  gate('scheduler/cli/plan.ts', 'if (proof.proven) {\n    const order', 'if (proof.proven) {'),
  gate(
    'scheduler/cli/plan.ts',
    "return [`Proof       UNPROVABLE: this plan is not applicable and nothing moves (Z3, ${seconds} s)`, '', renderReport(proof, (o) => o.verdict === 'unprovable')].join('\\n');",
  ),
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
  // 247 of 272 killed (90.8 %); the 25 left are each explained in ADR 10. One more survivor
  // (246 of 272, 90.4 %) fails the run: find it, then kill it or explain it there.
  thresholds: { high: 100, low: 90, break: 90.5 },
};
