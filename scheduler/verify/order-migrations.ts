import { RegionLoad, type Demand } from '../capacity/region-load.js';
import type { PromiseModel } from '../promises/model.js';

export interface MigrationMove {
  readonly workload: number;
  readonly from: number;
  readonly to: number;
}

export interface MigrationOrder {
  /** Batches run one after another; the moves of a batch run together. */
  readonly batches: readonly (readonly MigrationMove[])[];
  /** Whether the plan's own order, one move at a time, is safe as it is. */
  readonly naiveSafe: boolean;
  /** The first step of the plan's order that would overflow a region, if any. */
  readonly naiveOverflow?: { readonly move: MigrationMove; readonly region: number };
  /** Moves no batch could take: every one waits for room that only another of them frees. */
  readonly stuck: readonly MigrationMove[];
  /** True when an exhaustive search showed that no order of one group at a time exists. */
  readonly noOrderExists?: boolean;
}

/** Groups of moves up to which a stuck greedy order is settled by exhaustive search (2^n states). */
const EXHAUSTIVE_GROUPS = 16;

/**
 * Orders a plan's moves so that every state on the way keeps capacity and latency.
 *
 * Moves are make-before-break: while a workload moves, its new copy starts before the old
 * one stops, so it holds capacity in both regions. Workloads that depend on each other and
 * both move go in the same batch when one moving first would break their bound (or leave
 * them unreachable); the final placement keeps it, and so does the current one. Batches are
 * built greedily: each takes every group of moves that still fits with all the batch's new
 * copies counted, first those whose departure frees room another waiting move needs, then
 * in the plan's order. A pure function of the mesh and the moves.
 */
export function orderMigrations(mesh: PromiseModel, moves: readonly MigrationMove[]): MigrationOrder {
  const load = loadNow(mesh);
  const size = (m: MigrationMove) => mesh.workloads[m.workload]!;

  const naiveOverflow = firstOverflow(load.clone(), moves, size);
  const groups = movingTogether(mesh, moves);
  let pending = [...groups.values()];
  const batches: MigrationMove[][] = [];
  while (pending.length > 0) {
    // Regions some waiting group needs room in and lacks now.
    const wanted = new Set<number>();
    for (const g of pending) if (!groupFits(g, load)) for (const m of g) wanted.add(m.to);
    const ordered = [
      ...pending.filter((g) => g.some((m) => wanted.has(m.from))),
      ...pending.filter((g) => !g.some((m) => wanted.has(m.from))),
    ];
    const batch: MigrationMove[][] = [];
    // While a batch runs, its new copies hold room next to the old ones (make-before-break).
    const during = load.clone();
    for (const g of ordered) {
      if (!groupFits(g, during)) continue;
      for (const m of g) during.add(m.to, size(m));
      batch.push(g);
    }
    if (batch.length === 0) break;
    for (const g of batch) for (const m of g) move(load, m);
    const taken = new Set(batch);
    pending = pending.filter((g) => !taken.has(g));
    batches.push(batch.flat());
  }
  const naive = { naiveSafe: naiveOverflow === undefined, ...(naiveOverflow ? { naiveOverflow } : {}) };
  if (pending.length === 0) return { batches, ...naive, stuck: [] };
  // The greedy got stuck. With few groups, search every order of one group at a time from
  // the start: either one exists (and is used), or none does (and that is proven).
  const all = [...groups.values()];
  if (all.length <= EXHAUSTIVE_GROUPS) {
    const found = searchOrder(all);
    if (found) return { batches: found.map((g) => [...g]), ...naive, stuck: [] };
    return { batches, ...naive, stuck: pending.flat(), noOrderExists: true };
  }
  return { batches, ...naive, stuck: pending.flat() };

  /** Depth-first over the sets of groups done, remembering sets that lead nowhere. */
  function searchOrder(gs: readonly MigrationMove[][]): MigrationMove[][] | undefined {
    const base = loadNow(mesh);
    const dead = new Set<number>();
    const path: MigrationMove[][] = [];
    const usage = (done: number): RegionLoad => {
      const l = base.clone();
      gs.forEach((g, k) => {
        if (done & (1 << k)) for (const mv of g) move(l, mv);
      });
      return l;
    };
    const full = (1 << gs.length) - 1;
    const go = (done: number): boolean => {
      if (done === full) return true;
      if (dead.has(done)) return false;
      const l = usage(done);
      for (let k = 0; k < gs.length; k++) {
        if (done & (1 << k) || !groupFits(gs[k] as MigrationMove[], l)) continue;
        path.push(gs[k] as MigrationMove[]);
        if (go(done | (1 << k))) return true;
        path.pop();
      }
      dead.add(done);
      return false;
    };
    return go(0) ? path : undefined;
  }

  /** Whether all of a group's new copies fit at once, on top of `l`. */
  function groupFits(g: readonly MigrationMove[], l: RegionLoad): boolean {
    const arriving = new Map<number, { cpu: number; memoryGib: number }>();
    for (const m of g) {
      const a = arriving.get(m.to) ?? { cpu: 0, memoryGib: 0 };
      arriving.set(m.to, { cpu: a.cpu + size(m).cpu, memoryGib: a.memoryGib + size(m).memoryGib });
    }
    for (const [r, d] of arriving) if (!l.fits(r, d)) return false;
    return true;
  }

  function move(l: RegionLoad, m: MigrationMove): void {
    l.add(m.to, size(m));
    l.remove(m.from, size(m));
  }
}

/** The plan's own order, one move at a time: the first move that would not fit, if any. */
function firstOverflow(
  load: RegionLoad,
  moves: readonly MigrationMove[],
  size: (m: MigrationMove) => Demand,
): MigrationOrder['naiveOverflow'] {
  for (const mv of moves) {
    if (!load.fits(mv.to, size(mv))) return { move: mv, region: mv.to };
    load.add(mv.to, size(mv));
    load.remove(mv.from, size(mv));
  }
  return undefined;
}

/**
 * Groups of moves that must go together: moving workloads joined by a dependency that one
 * moving before the other would break (its bound, or reachability). Keyed by a root move.
 */
function movingTogether(mesh: PromiseModel, moves: readonly MigrationMove[]): Map<number, MigrationMove[]> {
  const moving = new Map(moves.map((m, k) => [m.workload, k]));
  const parent = moves.map((_m, k) => k);
  const find = (k: number): number => (parent[k] === k ? k : (parent[k] = find(parent[k] as number)));
  const holds = (a: number, b: number, maxMs: number): boolean => {
    const l = a === b ? 0 : mesh.latencyMs(a, b);
    return l !== undefined && l <= maxMs;
  };
  for (const m of moves) {
    for (const e of mesh.out[m.workload] ?? []) {
      const other = moving.get(e.to);
      if (other === undefined) continue;
      const o = moves[other] as MigrationMove;
      if (holds(m.to, o.from, e.maxMs) && holds(m.from, o.to, e.maxMs)) continue;
      parent[find(other)] = find(moving.get(m.workload) as number);
    }
  }
  const groups = new Map<number, MigrationMove[]>();
  moves.forEach((m, k) => {
    const root = find(k);
    const g = groups.get(root);
    if (g) g.push(m);
    else groups.set(root, [m]);
  });
  return groups;
}

/**
 * Replays an order and returns the first state that breaks capacity (with every in-flight
 * copy counted) or a dependency bound that holds before and after the whole plan, or
 * undefined when every state is safe. The independent check of `orderMigrations`.
 */
export function firstUnsafeState(
  mesh: PromiseModel,
  order: MigrationOrder,
): { readonly batch: number; readonly problem: string } | undefined {
  const region = Int32Array.from(mesh.current);
  const load = loadNow(mesh);
  const final = Int32Array.from(mesh.current);
  for (const b of order.batches) for (const m of b) final[m.workload] = m.to;
  const holds = (at: Int32Array, e: (typeof mesh.edges)[number]): boolean => {
    const a = at[e.from] as number;
    const c = at[e.to] as number;
    const l = a === c ? 0 : mesh.latencyMs(a, c);
    return l !== undefined && l <= e.maxMs;
  };
  const watched = mesh.edges.filter((e) => holds(region, e) && holds(final, e));
  for (let k = 0; k < order.batches.length; k++) {
    const batch = order.batches[k] as readonly MigrationMove[];
    for (const m of batch) load.add(m.to, mesh.workloads[m.workload]!);
    for (const r of new Set(batch.map((m) => m.to)).values()) {
      const over = load.overflow(r);
      if (over)
        return {
          batch: k,
          problem:
            `${mesh.fleet.regions[r]!.name} over capacity while batch ${k + 1} runs ` +
            `(${over.used} ${over.resource === 'cpu' ? 'cpu' : 'GiB'} of ${over.capacity})`,
        };
    }
    for (const m of batch) {
      load.remove(m.from, mesh.workloads[m.workload]!);
      region[m.workload] = m.to;
    }
    for (const e of watched)
      if (!holds(region, e))
        return {
          batch: k,
          problem: `${mesh.workloads[e.from]!.name} → ${mesh.workloads[e.to]!.name} out of bounds after batch ${k + 1}`,
        };
  }
  return undefined;
}

/** What each region's workloads use now, against its capacity. */
function loadNow(mesh: PromiseModel): RegionLoad {
  const load = new RegionLoad(mesh.fleet.regions.map((r): Demand => r.capacity));
  mesh.workloads.forEach((w, i) => {
    const r = mesh.current[i] as number;
    if (r >= 0) load.add(r, w);
  });
  return load;
}
