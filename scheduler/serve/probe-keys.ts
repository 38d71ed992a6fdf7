import type { Workload } from '../inventory/model.js';
import { buildPromiseModel } from '../promises/build-model.js';
import { probeChecks } from '../promises/probe-checks.js';
import type { Workspace } from '../workspace/model.js';

/**
 * The keys of each workload's eBPF-verified latency checks, as the enforcers report them:
 * the gate of a migration waits for these in the target region. Built from the run's own
 * workloads, so a dependency a pattern names is the one the run planned against.
 */
export function probeKeysByWorkload(ws: Workspace, workloads: readonly Workload[]): Map<string, string[]> {
  const model = buildPromiseModel(ws.fleet, ws.intents, workloads);
  const out = new Map<string, string[]>();
  model.workloads.forEach((w, i) => {
    const keys = probeChecks(model, i).map((c) => c.key);
    if (keys.length) out.set(w.name, keys);
  });
  return out;
}
