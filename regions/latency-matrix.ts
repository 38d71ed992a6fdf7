/**
 * Round-trip latency between regions, in milliseconds. Symmetric by construction; a pair
 * that is absent means the two regions cannot reach each other.
 */
export class LatencyMatrix {
  private readonly ms = new Map<string, Map<string, number>>();

  constructor(entries: Iterable<readonly [string, string, number]>) {
    for (const [a, b, ms] of entries) {
      this.row(a).set(b, ms);
      this.row(b).set(a, ms);
    }
  }

  /** Latency from `a` to `b`; a region's latency to itself is 0 unless the fleet gives one. */
  get(a: string, b: string): number | undefined {
    const v = this.ms.get(a)?.get(b);
    if (v === undefined && a === b) return 0;
    return v;
  }

  reachable(a: string, b: string): boolean {
    return this.get(a, b) !== undefined;
  }

  /** Number of distinct unordered pairs of different regions with a known latency. */
  get pairCount(): number {
    let n = 0;
    for (const [a, row] of this.ms) for (const b of row.keys()) if (a < b) n++;
    return n;
  }

  private row(a: string): Map<string, number> {
    let r = this.ms.get(a);
    if (!r) {
      r = new Map();
      this.ms.set(a, r);
    }
    return r;
  }
}
