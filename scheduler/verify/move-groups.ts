import type { PromiseModel } from '../promises/model.js';
import type { MigrationMove } from './order-migrations.js';

/** Moves that must run in one batch, and the groups that must be done before they start. */
export interface MoveGroup {
  readonly moves: readonly MigrationMove[];
  /** Indices (into the returned list) of groups that must be done no later than this one. */
  readonly after: ReadonlySet<number>;
}

/**
 * What the dependencies between moving workloads require of the order, and nothing more.
 *
 * Only a dependency that holds before and after the whole plan is kept on the way (as
 * `firstUnsafeState` checks). Between two moving workloads it can break in one of the two
 * halfway states only: "a moved, b not" or "b moved, a not". If the first breaks, a may not
 * go before b (b goes no later than a); if the second breaks, the reverse; if both, they go
 * together. These "no later than" relations form a graph whose strongly connected parts are
 * the groups that must share a batch; between groups they are an order. Any safe order of
 * batches can be split into these groups, one at a time, without using more room, so
 * searching groups one at a time in this order misses no safe order.
 *
 * Groups come in the plan's order of their first move. A pure function.
 */
export function moveGroups(mesh: PromiseModel, moves: readonly MigrationMove[]): MoveGroup[] {
  const noLater = noLaterThan(mesh, moves);
  const part = stronglyConnected(noLater);
  const firsts = new Map<number, number>();
  part.forEach((p, k) => {
    if (!firsts.has(p)) firsts.set(p, k);
  });
  const rank = new Map([...firsts.keys()].map((p, i) => [p, i]));
  const groups = [...firsts.keys()].map(() => ({ moves: [] as MigrationMove[], after: new Set<number>() }));
  moves.forEach((m, k) => groups[rank.get(part[k]!)!]!.moves.push(m));
  noLater.forEach((later, k) => {
    for (const j of later) {
      const [a, b] = [rank.get(part[k]!)!, rank.get(part[j]!)!];
      if (a !== b) groups[b]!.after.add(a);
    }
  });
  return groups;
}

/** `out[k]` holds the moves that move k must go no later than. */
function noLaterThan(mesh: PromiseModel, moves: readonly MigrationMove[]): Set<number>[] {
  const moving = new Map(moves.map((m, k) => [m.workload, k]));
  const out = moves.map(() => new Set<number>());
  const holds = (a: number, b: number, maxMs: number): boolean => {
    const l = a === b ? 0 : mesh.latencyMs(a, b);
    return l !== undefined && l <= maxMs;
  };
  for (const e of mesh.edges) {
    const f = moving.get(e.from);
    const t = moving.get(e.to);
    if (f === undefined || t === undefined || f === t) continue;
    const [mf, mt] = [moves[f]!, moves[t]!];
    // Not kept on the way: broken before or after the plan, so nothing to keep.
    if (!holds(mf.from, mt.from, e.maxMs) || !holds(mf.to, mt.to, e.maxMs)) continue;
    if (!holds(mf.to, mt.from, e.maxMs)) out[t]!.add(f);
    if (!holds(mf.from, mt.to, e.maxMs)) out[f]!.add(t);
  }
  return out;
}

/**
 * Strongly connected parts of a graph on 0..n-1 (Kosaraju, without recursion: plans may
 * hold thousands of moves). Returns a part id per node.
 */
function stronglyConnected(out: readonly ReadonlySet<number>[]): number[] {
  const n = out.length;
  const into = out.map(() => [] as number[]);
  out.forEach((targets, k) => {
    for (const t of targets) into[t]!.push(k);
  });
  const finished: number[] = [];
  const seen = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    if (seen[s]) continue;
    seen[s] = 1;
    const stack: [number, Iterator<number>][] = [[s, out[s]!.values()]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = top[1].next();
      if (next.done) {
        finished.push(top[0]);
        stack.pop();
      } else if (!seen[next.value]) {
        seen[next.value] = 1;
        stack.push([next.value, out[next.value]!.values()]);
      }
    }
  }
  const part = new Array<number>(n).fill(-1);
  for (let i = n - 1; i >= 0; i--) {
    const root = finished[i]!;
    if (part[root]! >= 0) continue;
    part[root] = root;
    const stack = [root];
    while (stack.length > 0) {
      for (const v of into[stack.pop()!]!) {
        if (part[v]! >= 0) continue;
        part[v] = root;
        stack.push(v);
      }
    }
  }
  return part;
}
