import type { Fleet } from '../../regions/fleet/model.js';
import type { Demand } from '../capacity/region-load.js';

/**
 * The fleet as a run plans and proves with it: each region's capacity as the inventory
 * source reports it (regions it does not name keep the file's). The planner, the verifier
 * and the migration order all read capacity from the fleet's regions, so this is the one
 * place where what the clusters have takes the file's place.
 */
export function withCapacity(fleet: Fleet, capacity: ReadonlyMap<string, Demand>): Fleet {
  const regions = fleet.regions.map((r) => {
    const c = capacity.get(r.name);
    return c ? { ...r, capacity: { cpu: c.cpu, memoryGib: c.memoryGib } } : r;
  });
  return { ...fleet, regions, regionsByName: new Map(regions.map((r) => [r.name, r])) };
}
