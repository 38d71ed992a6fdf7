import type { Advance, Transition } from '../../db/migration-journal.js';
import type { ObjectClient } from '../../regions/clusters/client/object-client.js';
import type { MigrationGate } from '../gate/gate.js';
import type { EmitEvent } from './events.js';

/** Where each transition is written before the executor goes on: the store's migration journal. */
export interface ApplyJournal {
  advance(id: number, step: Transition): Promise<Advance>;
}

/** How long the executor waits for what, and how often it tries again. */
export interface ApplyTiming {
  /** For a copy to serve, for pods to go, for a deleted copy to be gone. */
  readonly readyTimeoutMs: number;
  readonly verifyWindowMs: number;
  /** Attempts at removing a source (or finishing a rollback) before leaving it for a resume. */
  readonly finishAttempts: number;
  /** Between those attempts. */
  readonly finishBackoffMs: number;
}

/** What driving migrations talks to: the clusters by region, the journal, the gate, the clock. */
export interface ApplyPorts {
  cluster(region: string): ObjectClient | undefined;
  readonly journal: ApplyJournal;
  readonly gate: MigrationGate;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly emit: EmitEvent;
  readonly timing: ApplyTiming;
  /**
   * Why this process must stop writing (the rebalancing lock was lost), or undefined. Asked
   * before every transition: a migration already under way is left where the journal says.
   */
  readonly stopped: () => string | undefined;
}
