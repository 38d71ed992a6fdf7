import type { MigrationState, PlannedFacts } from '../../db/migration-journal.js';

/** One journaled migration as the executor drives it. */
export interface MigrationJob {
  readonly id: number;
  readonly runId: number;
  /** `namespace/name` */
  readonly workload: string;
  readonly from: string;
  readonly to: string;
  readonly state: MigrationState;
  /** Its batch in the proven order (null on rows from before the order was kept). */
  readonly batch: number | null;
  readonly planned?: PlannedFacts;
  /** The workload's kind, once the executor has found it (the journal does not keep it). */
  readonly kind?: MovableKind;
}

/** The kinds shisa moves. */
export type MovableKind = 'Deployment' | 'CronJob';

/** How a migration ended for this process. `stuck`: left in flight, for `apply --resume` to finish. */
export type MigrationEnd = 'done' | 'rolled-back' | 'skipped' | 'failed' | 'stuck';

export interface MigrationOutcome {
  readonly id: number;
  readonly runId: number;
  readonly workload: string;
  readonly from: string;
  readonly to: string;
  readonly end: MigrationEnd;
  /** Why it was rolled back, skipped, failed or is stuck. */
  readonly reason?: string;
  /** The state it was found in, for a migration settled at start (interrupted earlier). */
  readonly resumedFrom?: MigrationState;
}

/** `payments/ledger` → its namespace and name. */
export function splitWorkload(workload: string): { readonly namespace: string; readonly name: string } {
  const slash = workload.indexOf('/');
  return { namespace: workload.slice(0, slash), name: workload.slice(slash + 1) };
}
