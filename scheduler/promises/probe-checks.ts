import type { LatencyConstraint } from '../intent/model.js';
import type { PromiseModel } from './model.js';

/** One eBPF-verified latency check: a workload's bound to one dependency, under one intent. */
export interface ProbeCheck {
  /** Stable across the enforcer and the scheduler: workload>dependency@intent#constraint. */
  readonly key: string;
  readonly intent: string;
  readonly workload: string;
  readonly dependency: string;
  readonly constraint: LatencyConstraint;
}

/**
 * The `network_latency … verify_via: ebpf_probe` checks of workload `w`: one per dependency
 * each such bound of a covering intent reaches. The enforcer measures them by these keys and
 * the scheduler's gate waits for them by the same keys, so both read them from here.
 */
export function probeChecks(model: PromiseModel, w: number): ProbeCheck[] {
  const workload = model.workloads[w]!.name;
  const out: ProbeCheck[] = [];
  for (const intent of model.covering[w]!) {
    intent.latency.forEach((constraint, k) => {
      if (constraint.verifyVia !== 'ebpf_probe') return;
      for (const d of model.latencyTargets(w, constraint)) {
        const dependency = model.workloads[d]!.name;
        out.push({
          key: `${workload}>${dependency}@${intent.name}#${k}`,
          intent: intent.name,
          workload,
          dependency,
          constraint,
        });
      }
    });
  }
  return out;
}
