import type { Fleet } from '../../regions/fleet/model.js';
import type { Intent } from '../intent/model.js';
import type { Workload } from '../inventory/model.js';

/** Everything a user's files say, loaded, checked and cross-referenced. */
export interface Workspace {
  readonly fleet: Fleet;
  readonly intents: readonly Intent[];
  /** Intent files read, as the user sees their paths. */
  readonly intentFiles: readonly string[];
  /** Empty when the fleet names no inventory (workloads then come from the clusters). */
  readonly workloads: readonly Workload[];
  readonly hasInventory: boolean;
}
