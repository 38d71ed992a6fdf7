import { RegionLoad, type Demand } from '../../../scheduler/capacity/region-load.js';
import type { CapacityReport, ClusterReading } from './model.js';

/** A region of the fleet file: its name and the capacity written there. */
export interface FleetRegionCapacity {
  readonly name: string;
  readonly capacity: Demand;
}

/**
 * Each cluster's room for the planner: its counted nodes' allocatable, less the requests of
 * the running and pending pods that no listed workload accounts for (the planner already
 * counts listed workloads against the region, so their pods are not subtracted twice). A
 * pod bound to a node that is not counted takes nothing from what is counted. The pods'
 * requests are summed by RegionLoad, the one place capacity is counted. The effective
 * capacity is the smaller of that and the fleet file's, per resource.
 *
 * `listed(reading)` says whether a pod's owner (kind and name) is a listed workload of that cluster.
 */
export function capacityReports(
  readings: readonly ClusterReading[],
  fleet: readonly FleetRegionCapacity[],
  listed: (reading: ClusterReading, owner: { kind: string; name: string }) => boolean,
): CapacityReport[] {
  const load = new RegionLoad(readings.map((r) => r.nodes.allocatable));
  readings.forEach((r, i) => {
    const counted = new Set(r.nodes.counted);
    for (const pod of r.pods) {
      if (pod.owner && listed(r, pod.owner)) continue;
      if (pod.node !== undefined && !counted.has(pod.node)) continue;
      load.add(i, pod.requests);
    }
  });
  const fleetByName = new Map(fleet.map((f) => [f.name, f.capacity]));
  return readings.map((r, i) => {
    const unaccounted = { cpu: thousandths(load.cpu[i] ?? 0), memoryGib: thousandths(load.memoryGib[i] ?? 0) };
    const clusterCapacity = {
      cpu: Math.max(0, thousandths(r.nodes.allocatable.cpu - unaccounted.cpu)),
      memoryGib: Math.max(0, thousandths(r.nodes.allocatable.memoryGib - unaccounted.memoryGib)),
    };
    const fleetCapacity = fleetByName.get(r.region);
    const effective = fleetCapacity
      ? {
          cpu: Math.min(fleetCapacity.cpu, clusterCapacity.cpu),
          memoryGib: Math.min(fleetCapacity.memoryGib, clusterCapacity.memoryGib),
        }
      : clusterCapacity;
    return {
      region: r.region,
      cluster: r.cluster,
      nodes: r.nodes,
      unaccounted,
      clusterCapacity,
      ...(fleetCapacity ? { fleetCapacity: { cpu: fleetCapacity.cpu, memoryGib: fleetCapacity.memoryGib } } : {}),
      effective,
    };
  });
}

/** Sums of thousandths in doubles, back on the thousandth they are. */
function thousandths(x: number): number {
  return Math.round(x * 1000) / 1000;
}
