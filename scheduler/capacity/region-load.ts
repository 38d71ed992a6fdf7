import { exceeds } from '../tolerance.js';

/** What a workload takes from the region it runs in. */
export interface Demand {
  readonly cpu: number;
  readonly memoryGib: number;
}

/**
 * CPU and memory in use per region (by index) against each region's capacity: the one place
 * capacity is counted. Planner, solvers and verifier all ask it whether a workload fits.
 */
export class RegionLoad {
  readonly cpu: Float64Array;
  readonly memoryGib: Float64Array;

  constructor(readonly capacity: readonly Demand[]) {
    this.cpu = new Float64Array(capacity.length);
    this.memoryGib = new Float64Array(capacity.length);
  }

  /** A copy to try changes on. */
  clone(): RegionLoad {
    const c = new RegionLoad(this.capacity);
    c.cpu.set(this.cpu);
    c.memoryGib.set(this.memoryGib);
    return c;
  }

  add(region: number, d: Demand): void {
    this.cpu[region] = (this.cpu[region] as number) + d.cpu;
    this.memoryGib[region] = (this.memoryGib[region] as number) + d.memoryGib;
  }

  remove(region: number, d: Demand): void {
    this.cpu[region] = (this.cpu[region] as number) - d.cpu;
    this.memoryGib[region] = (this.memoryGib[region] as number) - d.memoryGib;
  }

  /** Whether `d` fits in the region on top of what is there. */
  fits(region: number, d: Demand): boolean {
    const cap = this.capacity[region];
    if (!cap) return false;
    return (
      !exceeds((this.cpu[region] as number) + d.cpu, cap.cpu) &&
      !exceeds((this.memoryGib[region] as number) + d.memoryGib, cap.memoryGib)
    );
  }

  /** What the region is over capacity on, if anything. */
  overflow(
    region: number,
  ): { readonly resource: 'cpu' | 'memory'; readonly used: number; readonly capacity: number } | undefined {
    const cap = this.capacity[region];
    if (!cap) return undefined;
    const cpu = this.cpu[region] as number;
    const mem = this.memoryGib[region] as number;
    if (exceeds(cpu, cap.cpu)) return { resource: 'cpu', used: cpu, capacity: cap.cpu };
    if (exceeds(mem, cap.memoryGib)) return { resource: 'memory', used: mem, capacity: cap.memoryGib };
    return undefined;
  }
}
