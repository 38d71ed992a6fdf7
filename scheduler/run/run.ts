import { buildPromiseModel } from '../promises/build-model.js';
import { joinReports } from '../verify/verify.js';
import type { RunInput } from './input.js';
import { planStage } from './plan-stage.js';
import type { RunPorts } from './ports.js';
import { proveIntents } from './prove-intents.js';
import { provePlan } from './prove-plan.js';
import type { RunResult, StageName, StageTime } from './result.js';
import { runRecord } from './run-record.js';
import { takeSnapshot } from './snapshot.js';

/**
 * One rebalancing run, in the documented order: snapshot → prove the intents → plan → prove
 * the plan and its migration order → record → notify. Each stage is a function returning a
 * value; an Unprovable State among the intents stops the run before planning. The only place
 * the stages are wired: `shisa plan` renders the result, `apply` and `serve` act on it.
 */
export async function rebalance(input: RunInput, ports: RunPorts): Promise<RunResult> {
  const stages: StageTime[] = [];
  const timed = async <T>(stage: StageName, step: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await step();
    } finally {
      stages.push({ stage, ms: performance.now() - started });
    }
  };

  // The model of the promises is read from the snapshot once; planning and proving both use it.
  const [snapshot, model] = await timed('snapshot', async () => {
    const taken = await takeSnapshot(input, ports);
    return [taken, buildPromiseModel(taken.fleet, taken.intents, taken.workloads)] as const;
  });
  const intents = await timed('prove-intents', () => proveIntents(model, snapshot, input.timeoutMs));
  let decided: Omit<RunResult, 'recorded' | 'stages'>;
  if (!intents.proven) {
    decided = { snapshot, outcome: 'intents-unprovable', planMs: 0, proof: intents, order: [] };
  } else {
    const planStarted = performance.now();
    const plan = await timed('plan', () => planStage(model, snapshot));
    const planMs = performance.now() - planStarted;
    const proven = await timed('prove-plan', () => provePlan(model, snapshot, plan, input.timeoutMs));
    decided = {
      snapshot,
      outcome: proven.report.proven ? 'proven' : 'plan-unprovable',
      plan,
      planMs,
      proof: joinReports(intents, proven.report),
      order: proven.batches,
    };
  }
  const { store } = ports;
  const recorded = store
    ? await timed('record', () => store.record(runRecord(input, model, decided, ports.clock.now())))
    : undefined;
  const result: RunResult = { ...decided, ...(recorded ? { recorded } : {}), stages };
  await timed('notify', () => ports.notifier.notify(result));
  return result;
}
