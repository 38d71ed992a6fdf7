import type { Percentile } from '../scheduler/intent/model.js';
import type { BreakerStateName, ProgramStats } from './loader-protocol.js';
import type { Evidence, VerdictState } from './verdict.js';

/** What GET /status returns: everything the agent knows, as plain JSON. */
export interface EnforcerStatus {
  readonly node: string;
  readonly mode: 'enforce' | 'observe-only';
  /** Why the agent is observe-only (empty when enforcing). */
  readonly observeOnlyReasons: readonly string[];
  readonly loader: {
    readonly running: boolean;
    readonly pinDir: string;
    readonly mapsReused?: boolean;
    readonly kernelStats?: boolean;
    readonly restarts: number;
    readonly lastError?: string;
  };
  readonly window: { readonly ms: number; readonly minSamples: number };
  readonly workloads: readonly WorkloadStatus[];
  readonly verdicts: readonly VerdictStatus[];
  readonly breakers: readonly BreakerStatus[];
  readonly programs: readonly ProgramStats[];
  readonly updatedAt?: string;
}

export interface WorkloadStatus {
  readonly name: string;
  readonly cgroup?: string;
  readonly cgroupId?: number;
  readonly attached: boolean;
  readonly problem?: string;
}

export interface VerdictStatus {
  readonly key: string;
  readonly intent: string;
  readonly at: string;
  readonly workload: string;
  readonly dependency: string;
  readonly destinations: readonly string[];
  readonly maxMs: number;
  readonly percentile: Percentile;
  readonly state: VerdictState;
  readonly reason: string;
  readonly evidence?: Evidence;
  /** When the verdict last changed. */
  readonly since: string;
}

export interface BreakerStatus {
  readonly workload?: string;
  readonly cgroupId: number;
  readonly destination: string;
  readonly state: BreakerStateName;
  readonly force: 'auto' | 'open' | 'closed';
  readonly consecutiveFailures: number;
  readonly cooldownMs: number;
  /** Milliseconds until a probe is admitted (open breakers only). */
  readonly probeInMs?: number;
  readonly refused: number;
  readonly transitions: number;
}
