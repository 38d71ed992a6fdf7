import type { CarbonSourceKind } from '../../regions/carbon/reading.js';
import { readSignals } from '../../regions/carbon/signals.js';
import type { ZoneSignal } from '../../regions/carbon/staleness.js';
import { deepFreeze } from '../freeze.js';
import type { Snapshot } from '../planner/snapshot.js';
import { digestSignals } from './digest.js';
import { withCapacity } from './with-capacity.js';
import type { RunInput } from './input.js';
import type { InputDigest, RunPorts } from './ports.js';

/** The planner's snapshot, plus what the run records about where it came from. */
export interface RunSnapshot extends Snapshot {
  readonly carbonSource: CarbonSourceKind;
  /** Every zone of the fleet, in the order the fleet first names it, judged fresh, stale or missing. */
  readonly zones: readonly ZoneSignal[];
  /** Each input file's digest (sorted by path) and one over the carbon signals. */
  readonly inputs: { readonly files: readonly InputDigest[]; readonly carbon: string };
}

/**
 * Stage 1: everything the run decides from, read once and frozen — the fleet and intents it
 * was given, the workloads from the inventory source (with what must stay, the regions it
 * could not read, and each region's capacity where the source knows it), the carbon signal
 * of every zone at the run's time — with a digest of each input file and of the signals.
 */
export async function takeSnapshot(
  input: RunInput,
  ports: Pick<RunPorts, 'inventory' | 'carbon' | 'clock'>,
): Promise<RunSnapshot> {
  const now = input.at ?? ports.clock.now();
  const inventory = await ports.inventory.read();
  const zoneCodes = [...new Set(input.fleet.regions.map((r) => r.zone))];
  const zones = await readSignals(ports.carbon, zoneCodes, now, input.fleet.carbon.maxStalenessMs);
  const files = [...input.files, ...inventory.inputs].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return deepFreeze({
    fleet: inventory.capacity ? withCapacity(input.fleet, inventory.capacity) : input.fleet,
    intents: input.intents,
    workloads: inventory.workloads,
    ...(inventory.held ? { held: inventory.held } : {}),
    ...(inventory.unavailable ? { unavailable: inventory.unavailable } : {}),
    signals: new Map(zones.map((s) => [s.zone, s])),
    now,
    carbonSource: ports.carbon.kind,
    zones,
    inputs: { files, carbon: digestSignals(zones) },
  });
}
