/**
 * Exhaustive search for a safe migration order, with the safety `firstUnsafeState` checks:
 * batches run one after another; while a batch runs, every region a copy arrives in holds
 * its old and new copies within capacity; after each batch, every dependency that holds
 * before and after the whole plan holds. Any batch (any subset of what is left) may be
 * next. For a handful of moves only (3^n states).
 */
import type { PromiseModel } from '../../scheduler/promises/model.js';
import type { MigrationMove } from '../../scheduler/verify/order-migrations.js';
import { edgeHolds } from './random-fleet.js';

export function safeOrder(mesh: PromiseModel, moves: readonly MigrationMove[]): MigrationMove[][] | undefined {
  const n = moves.length;
  if (n > 12) throw new Error('too many moves to search');
  const R = mesh.fleet.regions.length;
  const all = (1 << n) - 1;
  const final = Int32Array.from(mesh.current);
  for (const m of moves) final[m.workload] = m.to;
  const watched = mesh.edges.filter(
    (e) =>
      edgeHolds(mesh, e, mesh.current[e.from]!, mesh.current[e.to]!) &&
      edgeHolds(mesh, e, final[e.from]!, final[e.to]!),
  );
  const dead = new Set<number>();
  const go = (done: number): number[] | undefined => {
    if (done === all) return [];
    if (dead.has(done)) return undefined;
    const at = Int32Array.from(mesh.current);
    moves.forEach((m, k) => {
      if (done & (1 << k)) at[m.workload] = m.to;
    });
    const cpu = new Float64Array(R);
    const mem = new Float64Array(R);
    mesh.workloads.forEach((w, i) => {
      const r = at[i]!;
      if (r < 0) return;
      cpu[r] = cpu[r]! + w.cpu;
      mem[r] = mem[r]! + w.memoryGib;
    });
    const rest = all & ~done;
    for (let batch = rest; batch > 0; batch = (batch - 1) & rest) {
      const c = Float64Array.from(cpu);
      const m = Float64Array.from(mem);
      const next = Int32Array.from(at);
      const arriving = new Set<number>();
      moves.forEach((mv, k) => {
        if (!(batch & (1 << k))) return;
        const w = mesh.workloads[mv.workload]!;
        c[mv.to] = c[mv.to]! + w.cpu;
        m[mv.to] = m[mv.to]! + w.memoryGib;
        arriving.add(mv.to);
        next[mv.workload] = mv.to;
      });
      const fits = [...arriving].every(
        (r) =>
          c[r]! <= mesh.fleet.regions[r]!.capacity.cpu + 1e-9 &&
          m[r]! <= mesh.fleet.regions[r]!.capacity.memoryGib + 1e-9,
      );
      if (!fits || !watched.every((e) => edgeHolds(mesh, e, next[e.from]!, next[e.to]!))) continue;
      const after = go(done | batch);
      if (after) return [batch, ...after];
    }
    dead.add(done);
    return undefined;
  };
  const masks = go(0);
  return masks?.map((b) => moves.filter((_m, k) => b & (1 << k)));
}
