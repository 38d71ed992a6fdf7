import type { Fleet } from '../../regions/fleet/model.js';
import type { Workload } from '../inventory/model.js';
import type { Snapshot } from './snapshot.js';

/** What the carbon signal says of each region and workload, read once per run. */
export interface CarbonView {
  /** gCO2eq/kWh by region name; absent when the zone has no reading at all. */
  readonly intensityOf: ReadonlyMap<string, number>;
  /** Whether a region's zone has a fresh reading. */
  fresh(region: string): boolean;
  /** kW a workload draws (power model of the fleet). */
  kw(w: Workload): number;
  /** gCO2eq/h of every workload where it runs now, by snapshot index (0 when unknown). */
  readonly emissionsAt: Float64Array;
  /** Workloads whose zone has no reading at all (their emissions are unknown, counted as 0). */
  readonly unknownEmissions: number;
}

export function carbonView(s: Snapshot): CarbonView {
  const intensityOf = new Map<string, number>();
  const freshOf = new Map<string, boolean>();
  for (const r of s.fleet.regions) {
    const signal = s.signals.get(r.zone);
    if (signal?.reading) intensityOf.set(r.name, signal.reading.intensity);
    freshOf.set(r.name, signal?.status === 'fresh');
  }
  const kw = powerModel(s.fleet);
  const emissionsAt = new Float64Array(s.workloads.length);
  let unknownEmissions = 0;
  s.workloads.forEach((w, i) => {
    const intensity = intensityOf.get(w.region);
    if (intensity === undefined) unknownEmissions++;
    emissionsAt[i] = intensity === undefined ? 0 : kw(w) * intensity;
  });
  return { intensityOf, fresh: (r) => freshOf.get(r) === true, kw, emissionsAt, unknownEmissions };
}

function powerModel(fleet: Fleet): (w: Workload) => number {
  const { wattsPerCpu, wattsPerGib, pue } = fleet.power;
  return (w) => ((w.cpu * wattsPerCpu + w.memoryGib * wattsPerGib) * pue) / 1000;
}
