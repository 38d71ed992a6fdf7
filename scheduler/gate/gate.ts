import type { ObjectClient } from '../../regions/clusters/client/object-client.js';
import { copyServes } from '../apply/serving.js';

/** What the verification window concluded about a migrated copy. `unknown` never passes. */
export type GateVerdict =
  | { readonly verdict: 'pass'; readonly detail: string }
  | { readonly verdict: 'fail' | 'unknown'; readonly reason: string; readonly evidence?: GateEvidence };

/** The measurement behind a failed window, kept with the rollback's exception. */
export interface GateEvidence {
  readonly check: string;
  readonly node: string;
  readonly samples?: number;
  readonly p99Ms?: number;
  readonly boundMs?: number;
}

/** The copy being verified: where it runs and for how long it is watched. */
export interface GateSubject {
  readonly migration: number;
  readonly workload: string;
  readonly kind: 'Deployment' | 'CronJob';
  readonly target: ObjectClient;
  readonly windowMs: number;
}

/**
 * The verification window between a ready copy and the removal of its source. `shisa serve`
 * adds the enforcers' verdicts (enforcer-gate.ts: eBPF latency in the target region);
 * on its own, `shisa apply` has the copy's readiness over the window.
 */
export interface MigrationGate {
  check(subject: GateSubject, signal?: AbortSignal): Promise<GateVerdict>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * The gate `shisa apply` has on its own: the copy must still serve (a Deployment Available
 * with every replica ready; a CronJob present) when the window ends. A cluster that cannot say
 * is `unknown`, which fails the move.
 */
export const readinessGate: MigrationGate = {
  async check(s, signal) {
    await sleep(s.windowMs, signal);
    if (signal?.aborted) return { verdict: 'unknown', reason: 'the verification window was interrupted' };
    const [namespace, name] = s.workload.split('/') as [string, string];
    const got = await s.target.get({ kind: s.kind, namespace, name });
    if (!got.ok)
      return { verdict: 'unknown', reason: `cannot read the copy in ${s.target.region}: ${got.fault.message}` };
    if (!got.value) return { verdict: 'fail', reason: `the copy in ${s.target.region} is gone` };
    const serving = copyServes(s.kind, got.value);
    return serving === true
      ? { verdict: 'pass', detail: `still serving after ${Math.round(s.windowMs / 1000)} s` }
      : { verdict: 'fail', reason: `the copy in ${s.target.region} stopped serving: ${serving}` };
  },
};
