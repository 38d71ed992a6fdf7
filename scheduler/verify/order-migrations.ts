import { RegionLoad, type Demand } from '../capacity/region-load.js';
import type { PromiseModel } from '../promises/model.js';
import { moveGroups, type MoveGroup } from './move-groups.js';

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
 * one stops, so it holds capacity in both regions. Dependencies between moving workloads
 * group moves and order the groups (`moveGroups`): a group goes in a batch only once every
 * group it must follow is done or in the same batch. Batches are built greedily: each takes
 * every group that may go and still fits with all the batch's new copies counted, first
 * those whose departure frees room another waiting group needs, then in the plan's order.
 * When the greedy gets stuck and the groups are few, every order of one group at a time is
 * searched. A pure function of the mesh and the moves.
 */
export function orderMigrations(mesh: PromiseModel, moves: readonly MigrationMove[]): MigrationOrder {
  const load = loadNow(mesh);
  const size = (m: MigrationMove) => mesh.workloads[m.workload]!;

  const naiveOverflow = firstOverflow(load.clone(), moves, size);
  const groups = moveGroups(mesh, moves);
  const done = new Set<number>();
  let pending = groups.map((_g, k) => k);
  const batches: MigrationMove[][] = [];
  while (pending.length > 0) {
    // Regions some waiting group needs room in and lacks now.
    const wanted = new Set<number>();
    for (const k of pending) if (!groupFits(groups[k]!, load)) for (const m of groups[k]!.moves) wanted.add(m.to);
    const frees = (k: number) => groups[k]!.moves.some((m) => wanted.has(m.from));
    const ordered = [...pending.filter(frees), ...pending.filter((k) => !frees(k))];
    const batch: number[] = [];
    // While a batch runs, its new copies hold room next to the old ones (make-before-break).
    const during = load.clone();
    for (const k of ordered) {
      const g = groups[k]!;
      if (![...g.after].every((a) => done.has(a) || batch.includes(a)) || !groupFits(g, during)) continue;
      for (const m of g.moves) during.add(m.to, size(m));
      batch.push(k);
    }
    if (batch.length === 0) break;
    for (const k of batch) for (const m of groups[k]!.moves) move(load, m);
    for (const k of batch) done.add(k);
    pending = pending.filter((k) => !done.has(k));
    // In the batch, moves keep the plan's order.
    const taken = new Set(batch.flatMap((k) => groups[k]!.moves));
    batches.push(moves.filter((m) => taken.has(m)));
  }
  const naive = { naiveSafe: naiveOverflow === undefined, ...(naiveOverflow ? { naiveOverflow } : {}) };
  const stuck = () => pending.flatMap((k) => groups[k]!.moves);
  if (pending.length === 0) return { batches, ...naive, stuck: [] };
  // The greedy got stuck. With few groups, search every order of one group at a time from
  // the start: either one exists (and is used), or none does (and that is proven).
  if (groups.length <= EXHAUSTIVE_GROUPS) {
    const found = searchOrder(groups);
    if (found) return { batches: found.map((g) => [...g.moves]), ...naive, stuck: [] };
    return { batches, ...naive, stuck: stuck(), noOrderExists: true };
  }
  return { batches, ...naive, stuck: stuck() };

  /** Depth-first over the sets of groups done, remembering sets that lead nowhere. */
  function searchOrder(gs: readonly MoveGroup[]): MoveGroup[] | undefined {
    const base = loadNow(mesh);
    const dead = new Set<number>();
    const path: MoveGroup[] = [];
    const usage = (doneSet: number): RegionLoad => {
      const l = base.clone();
      gs.forEach((g, k) => {
        if (doneSet & (1 << k)) for (const mv of g.moves) move(l, mv);
      });
      return l;
    };
    const full = (1 << gs.length) - 1;
    const ready = (g: MoveGroup, doneSet: number) => [...g.after].every((a) => doneSet & (1 << a));
    const go = (doneSet: number): boolean => {
      if (doneSet === full) return true;
      if (dead.has(doneSet)) return false;
      const l = usage(doneSet);
      for (let k = 0; k < gs.length; k++) {
        const g = gs[k]!;
        if (doneSet & (1 << k) || !ready(g, doneSet) || !groupFits(g, l)) continue;
        path.push(g);
        if (go(doneSet | (1 << k))) return true;
        path.pop();
      }
      dead.add(doneSet);
      return false;
    };
    return go(0) ? path : undefined;
  }

  /** Whether all of a group's new copies fit at once, on top of `l`. */
  function groupFits(g: MoveGroup, l: RegionLoad): boolean {
    const arriving = new Map<number, { cpu: number; memoryGib: number }>();
    for (const m of g.moves) {
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
