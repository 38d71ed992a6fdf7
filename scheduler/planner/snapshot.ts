import type { ZoneSignal } from '../../regions/carbon/staleness.js';
import type { Fleet } from '../../regions/fleet/model.js';
import type { Intent } from '../intent/model.js';
import type { Workload } from '../inventory/model.js';

/**
 * Everything one rebalancing run decides from, frozen: the fleet, the intents, the
 * workloads and where they run, the carbon signal per zone, and the run's time. Planning
 * is a function of this value alone.
 */
export interface Snapshot {
  readonly fleet: Fleet;
  readonly intents: readonly Intent[];
  readonly workloads: readonly Workload[];
  /** By zone code. A zone without an entry has no reading at all. */
  readonly signals: ReadonlyMap<string, ZoneSignal>;
  /** Epoch ms. */
  readonly now: number;
  /**
   * Workloads that stay where they are whatever the intents say, and why: what the inventory
   * source knows and the intents cannot (a StatefulSet, the same workload in two clusters, a
   * migration under way). Absent: none.
   */
  readonly held?: ReadonlyMap<string, string>;
  /** Regions nothing may move into or out of, and why (a cluster that could not be read). Absent: none. */
  readonly unavailable?: ReadonlyMap<string, string>;
}
