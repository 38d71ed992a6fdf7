import type { DependencyEdge, PromiseModel, RegionRule } from '../promises/model.js';
import type { PlacementQuestion } from './placement-question.js';
import { sortRefs, type ConstraintRef } from './proof.js';
import { milli } from './milli.js';

/*
 * Answers to placement questions that need no search. A placement that keeps every
 * switched-on constraint is a model, and checking a model is a proof of satisfiability; a
 * workload whose rules leave it no region is a proof of the opposite, with its core in hand.
 * Z3 is asked only when neither settles the question (see askPlacement).
 */

/** The rules a question switches on for workload w. */
export function activeRules(q: PlacementQuestion, mesh: PromiseModel, w: number): readonly RegionRule[] {
  return q.rules && !(q.freeOnly && q.fixed.has(w)) ? (mesh.rules[w] ?? []) : [];
}

/** The dependencies a question switches on for workload w (both ends in the question). */
export function activeEdges(
  q: PlacementQuestion,
  mesh: PromiseModel,
  w: number,
  inQuestion: ReadonlySet<number>,
): readonly DependencyEdge[] {
  if (!q.edges) return [];
  return (mesh.out[w] ?? []).filter(
    (e) => inQuestion.has(e.to) && (!q.freeOnly || !q.fixed.has(e.from) || !q.fixed.has(e.to)),
  );
}

/** Capacity left per region for the question's workloads, in milli-units (as the encoder counts). */
export function capacityLeft(q: PlacementQuestion, mesh: PromiseModel): { cpu: number[]; mem: number[] } | undefined {
  if (!q.capacity) return undefined;
  const cap = q.capacity;
  const R = mesh.fleet.regions.length;
  const nowCpu = new Array<number>(R).fill(0);
  const nowMem = new Array<number>(R).fill(0);
  for (const w of q.workloads) {
    const r = mesh.current[w] as number;
    if (r < 0 || r === q.lost?.region) continue;
    nowCpu[r] = (nowCpu[r] as number) + milli(mesh.workloads[w]!.cpu);
    nowMem[r] = (nowMem[r] as number) + milli(mesh.workloads[w]!.memoryGib);
  }
  const keep = cap.keepOverCapacity === true;
  return {
    cpu: mesh.fleet.regions.map((region, r) =>
      Math.max(milli(region.capacity.cpu) - milli(cap.cpu[r] ?? 0), keep ? (nowCpu[r] as number) : -Infinity),
    ),
    mem: mesh.fleet.regions.map((region, r) =>
      Math.max(
        milli(region.capacity.memoryGib) - milli(cap.memoryGib[r] ?? 0),
        keep ? (nowMem[r] as number) : -Infinity,
      ),
    ),
  };
}

function near(mesh: PromiseModel, a: number, b: number, maxMs: number): boolean {
  const l = a === b ? 0 : mesh.latencyMs(a, b);
  return l !== undefined && l <= maxMs;
}

/** Whether `at` (a region per workload) keeps every constraint the question switches on. */
export function satisfies(mesh: PromiseModel, q: PlacementQuestion, at: Int32Array): boolean {
  const inQuestion = new Set(q.workloads);
  const R = mesh.fleet.regions.length;
  const useCpu = new Array<number>(R).fill(0);
  const useMem = new Array<number>(R).fill(0);
  for (const w of q.workloads) {
    const r = at[w] as number;
    if (r < 0 || r >= R || r === q.lost?.region) return false;
    const fixed = q.fixed.get(w);
    if (fixed && fixed.region !== r) return false;
    for (const rule of activeRules(q, mesh, w)) if (!rule.allowed.has(r)) return false;
    for (const e of activeEdges(q, mesh, w, inQuestion)) if (!near(mesh, r, at[e.to] as number, e.maxMs)) return false;
    useCpu[r] = (useCpu[r] as number) + milli(mesh.workloads[w]!.cpu);
    useMem[r] = (useMem[r] as number) + milli(mesh.workloads[w]!.memoryGib);
  }
  const left = capacityLeft(q, mesh);
  if (left)
    for (let r = 0; r < R; r++)
      if ((useCpu[r] as number) > (left.cpu[r] as number) || (useMem[r] as number) > (left.mem[r] as number))
        return false;
  return true;
}

/**
 * A placement for the question's free workloads found greedily (dependencies first, each to
 * the first region its rules allow, near what it depends on and what depends on it, with
 * room left), or undefined. Only a candidate: `satisfies` decides.
 */
export function greedyPlacement(mesh: PromiseModel, q: PlacementQuestion): Int32Array | undefined {
  const inQuestion = new Set(q.workloads);
  const R = mesh.fleet.regions.length;
  const at = new Int32Array(mesh.workloads.length).fill(-1);
  const left = capacityLeft(q, mesh);
  const placed = new Set<number>();
  const take = (w: number, r: number): void => {
    at[w] = r;
    placed.add(w);
    if (left) {
      left.cpu[r] = (left.cpu[r] as number) - milli(mesh.workloads[w]!.cpu);
      left.mem[r] = (left.mem[r] as number) - milli(mesh.workloads[w]!.memoryGib);
    }
  };
  for (const [w, f] of q.fixed) if (inQuestion.has(w)) take(w, f.region);
  const into = new Map<number, DependencyEdge[]>();
  for (const w of q.workloads)
    for (const e of activeEdges(q, mesh, w, inQuestion)) (into.get(e.to) ?? into.set(e.to, []).get(e.to)!).push(e);
  const free = q.workloads.filter((w) => !q.fixed.has(w));
  const order = [...free.filter((w) => into.has(w)), ...free.filter((w) => !into.has(w))];
  for (const w of order) {
    const wl = mesh.workloads[w]!;
    const rules = activeRules(q, mesh, w);
    const out = activeEdges(q, mesh, w, inQuestion);
    let chosen = -1;
    for (let r = 0; r < R && chosen < 0; r++) {
      if (r === q.lost?.region || !rules.every((rule) => rule.allowed.has(r))) continue;
      if (left && ((left.cpu[r] as number) < milli(wl.cpu) || (left.mem[r] as number) < milli(wl.memoryGib))) continue;
      if (!out.every((e) => !placed.has(e.to) || near(mesh, r, at[e.to] as number, e.maxMs))) continue;
      if (!(into.get(w) ?? []).every((e) => !placed.has(e.from) || near(mesh, at[e.from] as number, r, e.maxMs)))
        continue;
      chosen = r;
    }
    if (chosen < 0) return undefined;
    take(w, chosen);
  }
  return at;
}

/**
 * A free workload that its own rules (and a lost region) leave with no region at all, and a
 * minimal set of those constraints that does it (deletion in source order, the lost region
 * tried last, as for Z3's cores). Undefined when every free workload has some region.
 */
export function emptyDomainCore(mesh: PromiseModel, q: PlacementQuestion): readonly ConstraintRef[] | undefined {
  const R = mesh.fleet.regions.length;
  for (const w of q.workloads) {
    if (q.fixed.has(w)) continue;
    const refs: { ref: ConstraintRef; allows: (r: number) => boolean }[] = activeRules(q, mesh, w).map((rule) => ({
      ref: rule.ref,
      allows: (r) => rule.allowed.has(r),
    }));
    if (q.lost) {
      const lost = q.lost.region;
      refs.push({ ref: q.lost.ref, allows: (r) => r !== lost });
    }
    const empty = (set: typeof refs): boolean => {
      for (let r = 0; r < R; r++) if (set.every((x) => x.allows(r))) return false;
      return true;
    };
    if (!empty(refs)) continue;
    const order = sortRefs(refs.map((x) => x.ref)).sort(
      (a, b) => Number(a.kind === 'region-lost') - Number(b.kind === 'region-lost'),
    );
    let core = refs;
    for (const ref of order) {
      const without = core.filter((x) => x.ref !== ref);
      if (empty(without)) core = without;
    }
    return sortRefs(core.map((x) => x.ref));
  }
  return undefined;
}
