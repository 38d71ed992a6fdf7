import type { RunRecord } from '../../db/record-run.js';
import type { StoreErrorCode } from '../../db/store-error.js';
import type { CarbonSource } from '../../regions/carbon/source.js';
import type { Demand } from '../capacity/region-load.js';
import type { Workload } from '../inventory/model.js';
import type { RunResult } from './result.js';

/**
 * What a rebalancing run talks to, each behind a small port with one real implementation:
 * where the workloads come from, the carbon signal, the time, the store and the notifier.
 * The run itself (scheduler/run/run.ts) is the only place these are wired to its stages.
 */
export interface RunPorts {
  readonly inventory: InventorySource;
  readonly carbon: CarbonSource;
  readonly clock: Clock;
  /** Absent: the run is not recorded (`shisa plan --no-record`). */
  readonly store?: RunStore;
  readonly notifier: Notifier;
}

export interface Clock {
  /** Epoch ms. */
  now(): number;
}

/** A file the run decided from, by the path the user sees, and the SHA-256 of the bytes parsed. */
export interface InputDigest {
  readonly file: string;
  readonly sha256: string;
}

/** Where workloads and their regions come from: the inventory file, or the regions' clusters. */
export interface InventorySource {
  read(): Promise<InventoryRead>;
}

export interface InventoryRead {
  readonly workloads: readonly Workload[];
  /** The files read for it (none for a source that is not a file). */
  readonly inputs: readonly InputDigest[];
  /**
   * Workloads that stay where they are whatever the intents say, and why: what only the
   * source can know (a StatefulSet, the same workload in two clusters, a migration under way).
   */
  readonly held?: ReadonlyMap<string, string>;
  /** Regions nothing may move into or out of, and why (their cluster could not be read). */
  readonly unavailable?: ReadonlyMap<string, string>;
  /**
   * What each region may hold where the source knows better than the fleet file (the
   * smaller of the fleet's capacity and the cluster's); regions not named keep the fleet's.
   */
  readonly capacity?: ReadonlyMap<string, Demand>;
}

/** Records a run whole or not at all; how that ended is a value. */
export interface RunStore {
  /** Where it records, as the user should see it (e.g. `regions/examples/.shisa/`). */
  readonly where: string;
  record(record: RunRecord): Promise<Recorded>;
}

export type Recorded =
  | { readonly ok: true; readonly id: number }
  | { readonly ok: false; readonly code: StoreErrorCode; readonly message: string };

/** Tells people what they need to know about a finished run (a no-op until Slack lands). */
export interface Notifier {
  notify(result: RunResult): Promise<void>;
}
