import { RegionLoad } from '../../capacity/region-load.js';
import { costIn, type Mover, type PlacementProblem } from '../problem.js';

/**
 * A placement being built or improved move by move, always feasible: every change is
 * checked against capacity, the budget and pair latencies before it is made.
 */
export class PlacementState {
  readonly region: Int32Array;
  private readonly load: RegionLoad;
  private readonly partners: (readonly [number, number][])[];
  moves = 0;
  objective: number;

  constructor(private readonly p: PlacementProblem) {
    const n = p.movers.length;
    this.region = new Int32Array(n);
    this.load = new RegionLoad(p.regions);
    this.partners = Array.from({ length: n }, () => [] as [number, number][]);
    for (const e of p.pairs) {
      (this.partners[e.a] as [number, number][]).push([e.b, e.maxMs]);
      (this.partners[e.b] as [number, number][]).push([e.a, e.maxMs]);
    }
    let objective = p.fixedEmissions;
    for (let i = 0; i < n; i++) {
      const m = p.movers[i] as Mover;
      this.region[i] = m.current;
      this.load.add(m.current, m);
      objective += costIn(m, m.current) as number;
    }
    this.objective = objective;
  }

  /** Whether mover i can be put in region r now (r must be allowed for it). */
  canMove(i: number, r: number): boolean {
    const m = this.p.movers[i] as Mover;
    const from = this.region[i] as number;
    if (r === from) return true;
    if (!this.load.fits(r, m)) return false;
    const extraMove = (from === m.current ? 1 : 0) - (r === m.current ? 1 : 0);
    if (this.moves + extraMove > this.p.budget) return false;
    for (const [j, maxMs] of this.partners[i] as [number, number][]) {
      const l = this.p.latency(r, this.region[j] as number);
      if (l === undefined || l > maxMs) return false;
    }
    return true;
  }

  move(i: number, r: number): void {
    const m = this.p.movers[i] as Mover;
    const from = this.region[i] as number;
    if (r === from) return;
    this.load.remove(from, m);
    this.load.add(r, m);
    this.moves += (r === m.current ? -1 : 0) + (from === m.current ? 1 : 0);
    this.objective += (costIn(m, r) as number) - (costIn(m, from) as number);
    this.region[i] = r;
  }

  /**
   * Moves mover i to the first region of `regions` (in that order) it fits, stopping at its
   * home: what a greedy does. Returns whether it moved.
   */
  placeFirst(i: number, regions: Iterable<number>): boolean {
    const home = (this.p.movers[i] as Mover).current;
    for (const r of regions) {
      if (r === home) return false;
      if (this.canMove(i, r)) {
        this.move(i, r);
        return true;
      }
    }
    return false;
  }

  spareCpu(r: number): number {
    return (this.p.regions[r]?.cpu ?? 0) - (this.load.cpu[r] as number);
  }
}
