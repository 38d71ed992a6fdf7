/**
 * The vitest configuration `npm run mutate` runs (stryker.config.mjs): the root config, with
 * only the gate tests that run in-process. Never the store's suites (test/db/, PostgreSQL),
 * the enforcer's (test/enforcer/, kernel), or the e2e test through dist/ (which Stryker does
 * not mutate). The list is here rather than in Stryker's `testFiles`, because with
 * `testFiles` StrykerJS 9.6 activates static mutants (the filter tables, built when
 * filters.ts loads) only after the modules are loaded, so they can never be killed.
 *
 * Fast files first: a mutant is done at its first failing test (Stryker bails), and most
 * mutants fall to the planner's tests in a second rather than after the CLI's minute.
 */
import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';
import root from '../../vitest.config.js';

export const GATE_TESTS = [
  'scheduler/planner/gates.test.ts',
  'test/gates/record-run.test.ts',
  'test/run/prove-plan.test.ts',
  'test/run/run.test.ts',
  'test/gates/plan-command.test.ts',
];

class InListOrder extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => GATE_TESTS.findIndex((t) => f.moduleId.endsWith(t));
    return Promise.resolve([...files].sort((a, b) => rank(a) - rank(b)));
  }
}

// Spread, not mergeConfig: that would append this include list to the root's.
export default defineConfig({
  ...root,
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: { ...root.test, include: GATE_TESTS, sequence: { sequencer: InListOrder } },
});
