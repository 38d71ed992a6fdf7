import type { NodePlacement } from '../../regions/clusters/node-placements.js';

/**
 * The fleet's nodes as the clusters last said: which region each is in, and what runs there.
 * A node name found in two regions' clusters belongs to neither — a verdict from it could
 * speak for the wrong region, so it is refused rather than guessed.
 */
export class NodeDirectory {
  #byNode = new Map<string, NodePlacement | 'ambiguous'>();
  #readAt: number | undefined;

  /** Takes what the regions read now said; a region not read keeps what it said before. */
  update(placements: readonly NodePlacement[], readRegions: ReadonlySet<string>, at: number): void {
    const kept = [...this.#byNode.values()].filter(
      (p): p is NodePlacement => p !== 'ambiguous' && !readRegions.has(p.region),
    );
    const next = new Map<string, NodePlacement | 'ambiguous'>();
    for (const p of [...kept, ...placements]) next.set(p.node, next.has(p.node) ? 'ambiguous' : p);
    this.#byNode = next;
    this.#readAt = at;
  }

  regionOf(node: string): string | undefined {
    const p = this.#byNode.get(node);
    return p === undefined || p === 'ambiguous' ? undefined : p.region;
  }

  /** What the scheduler knows of a node, for its enforcer: the region and the workloads on it. */
  describe(
    node: string,
  ): { readonly node: string; readonly region: string; readonly workloads: readonly string[] } | string {
    const p = this.#byNode.get(node);
    if (p === 'ambiguous') return `node "${node}" is in more than one region's cluster`;
    if (p === undefined)
      return this.#readAt === undefined
        ? 'no cluster has been read yet'
        : `node "${node}" is in no region's cluster as last read`;
    return { node: p.node, region: p.region, workloads: p.workloads };
  }

  get size(): number {
    return this.#byNode.size;
  }
}
