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
  const capCpu = Float64Array.from(mesh.fleet.regions, (r) => r.capacity.cpu);
  const capMem = Float64Array.from(mesh.fleet.regions, (r) => r.capacity.memoryGib);
  const [cpu, mem] = usageNow(mesh);
  const size = (m: MigrationMove) => mesh.workloads[m.workload]!;
  const EPS = 1e-9;
  const fits = (r: number, addCpu: number, addMem: number, useCpu: Float64Array, useMem: Float64Array): boolean =>
    (useCpu[r] as number) + addCpu <= (capCpu[r] as number) + EPS &&
    (useMem[r] as number) + addMem <= (capMem[r] as number) + EPS;

  // The plan's own order, one move at a time.
  let naiveOverflow: MigrationOrder['naiveOverflow'];
  {
    const c = Float64Array.from(cpu);
    const m = Float64Array.from(mem);
    for (const mv of moves) {
      const w = size(mv);
      if (!fits(mv.to, w.cpu, w.memoryGib, c, m)) {
        naiveOverflow = { move: mv, region: mv.to };
        break;
      }
      c[mv.to] = (c[mv.to] as number) + w.cpu;
      m[mv.to] = (m[mv.to] as number) + w.memoryGib;
      c[mv.from] = (c[mv.from] as number) - w.cpu;
      m[mv.from] = (m[mv.from] as number) - w.memoryGib;
    }
  }

  // Groups of moves that must go together: moving workloads joined by a dependency that one
  // moving before the other would break (its bound, or reachability).
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
  let pending = [...groups.values()];
  const batches: MigrationMove[][] = [];
  while (pending.length > 0) {
    // Regions some waiting group needs room in and lacks now.
    const wanted = new Set<number>();
    for (const g of pending) if (!groupFits(g, cpu, mem)) for (const m of g) wanted.add(m.to);
    const ordered = [
      ...pending.filter((g) => g.some((m) => wanted.has(m.from))),
      ...pending.filter((g) => !g.some((m) => wanted.has(m.from))),
    ];
    const batch: MigrationMove[][] = [];
    const useCpu = Float64Array.from(cpu);
    const useMem = Float64Array.from(mem);
    for (const g of ordered) {
      if (!groupFits(g, useCpu, useMem)) continue;
      for (const m of g) {
        useCpu[m.to] = (useCpu[m.to] as number) + size(m).cpu;
        useMem[m.to] = (useMem[m.to] as number) + size(m).memoryGib;
      }
      batch.push(g);
    }
    if (batch.length === 0) break;
    for (const g of batch) {
      for (const m of g) {
        cpu[m.to] = (cpu[m.to] as number) + size(m).cpu;
        mem[m.to] = (mem[m.to] as number) + size(m).memoryGib;
        cpu[m.from] = (cpu[m.from] as number) - size(m).cpu;
        mem[m.from] = (mem[m.from] as number) - size(m).memoryGib;
      }
    }
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
    const [baseCpu, baseMem] = usageNow(mesh);
    const dead = new Set<number>();
    const path: MigrationMove[][] = [];
    const usage = (done: number): [Float64Array, Float64Array] => {
      const c = Float64Array.from(baseCpu);
      const m = Float64Array.from(baseMem);
      gs.forEach((g, k) => {
        if (!(done & (1 << k))) return;
        for (const mv of g) {
          c[mv.to] = (c[mv.to] as number) + size(mv).cpu;
          m[mv.to] = (m[mv.to] as number) + size(mv).memoryGib;
          c[mv.from] = (c[mv.from] as number) - size(mv).cpu;
          m[mv.from] = (m[mv.from] as number) - size(mv).memoryGib;
        }
      });
      return [c, m];
    };
    const full = (1 << gs.length) - 1;
    const go = (done: number): boolean => {
      if (done === full) return true;
      if (dead.has(done)) return false;
      const [c, m] = usage(done);
      for (let k = 0; k < gs.length; k++) {
        if (done & (1 << k) || !groupFits(gs[k] as MigrationMove[], c, m)) continue;
        path.push(gs[k] as MigrationMove[]);
        if (go(done | (1 << k))) return true;
        path.pop();
      }
      dead.add(done);
      return false;
    };
    return go(0) ? path : undefined;
  }

  function groupFits(g: readonly MigrationMove[], useCpu: Float64Array, useMem: Float64Array): boolean {
    const addCpu = new Map<number, number>();
    const addMem = new Map<number, number>();
    for (const m of g) {
      addCpu.set(m.to, (addCpu.get(m.to) ?? 0) + size(m).cpu);
      addMem.set(m.to, (addMem.get(m.to) ?? 0) + size(m).memoryGib);
    }
    for (const [r, c] of addCpu) if (!fits(r, c, addMem.get(r) ?? 0, useCpu, useMem)) return false;
    return true;
  }
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
  const R = mesh.fleet.regions.length;
  const region = Int32Array.from(mesh.current);
  const [cpu, mem] = usageNow(mesh);
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
    for (const m of batch) {
      const w = mesh.workloads[m.workload]!;
      cpu[m.to] = (cpu[m.to] as number) + w.cpu;
      mem[m.to] = (mem[m.to] as number) + w.memoryGib;
    }
    for (let r = 0; r < R; r++) {
      const reg = mesh.fleet.regions[r]!;
      const arriving = batch.some((m) => m.to === r);
      if (
        arriving &&
        ((cpu[r] as number) > reg.capacity.cpu + 1e-9 || (mem[r] as number) > reg.capacity.memoryGib + 1e-9)
      )
        return {
          batch: k,
          problem: `${reg.name} over capacity while batch ${k + 1} runs (${cpu[r]} cpu of ${reg.capacity.cpu})`,
        };
    }
    for (const m of batch) {
      const w = mesh.workloads[m.workload]!;
      cpu[m.from] = (cpu[m.from] as number) - w.cpu;
      mem[m.from] = (mem[m.from] as number) - w.memoryGib;
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

/** cpu and memory each region's workloads use now. */
function usageNow(mesh: PromiseModel): [Float64Array, Float64Array] {
  const cpu = new Float64Array(mesh.fleet.regions.length);
  const mem = new Float64Array(mesh.fleet.regions.length);
  mesh.workloads.forEach((w, i) => {
    const r = mesh.current[i] as number;
    if (r < 0) return;
    cpu[r] = (cpu[r] as number) + w.cpu;
    mem[r] = (mem[r] as number) + w.memoryGib;
  });
  return [cpu, mem];
}
