import type { Assertion, Intent, StateExpr } from '../intent/model.js';
import type { PromiseModel } from '../promises/model.js';
import { edgeRefs } from './edge-refs.js';
import type { ConstraintRef, ProofMethod } from './proof.js';
import { SmtWriter, checkTracked } from './prove.js';

/** A predicate's value in one mesh, with the constraints and facts that make it so. */
export interface PredicateValue {
  readonly value: boolean | 'unknown';
  readonly evidence: readonly ConstraintRef[];
  /** How it was decided (a search by Z3, or evaluation). */
  readonly by?: ProofMethod;
}

/** Where each workload is in the mesh being judged (current or planned), with the fact that says so. */
export interface MeshPlacement {
  readonly region: Int32Array;
  fact(w: number): ConstraintRef;
}

/** The workloads an intent covers, by index. */
export function workloadsOf(mesh: PromiseModel, intent: Intent): number[] {
  const out: number[] = [];
  mesh.covering.forEach((c, w) => c.includes(intent) && out.push(w));
  return out;
}

/**
 * `has_cyclic_dependencies`: following dependency edges from the intent's workloads leads
 * back to a workload on the path. Proven with Z3 as "no ranking exists that decreases along
 * every edge"; the minimal core is exactly a cycle's edges.
 */
export async function hasCycle(
  mesh: PromiseModel,
  from: readonly number[],
  timeoutMs: number,
): Promise<PredicateValue> {
  const seen = new Set<number>(from);
  const stack = [...from];
  while (stack.length) {
    const w = stack.pop() as number;
    for (const e of mesh.out[w] ?? []) {
      if (!seen.has(e.to)) {
        seen.add(e.to);
        stack.push(e.to);
      }
    }
  }
  // A topological order of what is reachable is a ranking that decreases along every edge:
  // its existence proves there is no cycle, without a search.
  const nodes = [...seen].sort((a, b) => a - b);
  if (topologicalOrderExists(mesh, nodes)) return { value: false, evidence: [], by: 'evaluated' };
  const out = new SmtWriter();
  for (const w of nodes) out.line(`(declare-const rank${w} Int)`);
  for (const w of nodes)
    for (const e of mesh.out[w] ?? [])
      out.line(`(assert (=> ${out.track(e.dependsOn)} (> rank${e.from} rank${e.to})))`);
  const answer = await checkTracked(out.build(), timeoutMs);
  if (answer.status === 'unknown') return { value: 'unknown', evidence: [], by: 'z3' };
  return answer.status === 'unsat'
    ? { value: true, evidence: answer.core, by: 'z3' }
    : { value: false, evidence: [], by: 'z3' };
}

function topologicalOrderExists(mesh: PromiseModel, nodes: readonly number[]): boolean {
  const inside = new Set(nodes);
  const indegree = new Map<number, number>(nodes.map((w) => [w, 0]));
  for (const w of nodes)
    for (const e of mesh.out[w] ?? []) if (inside.has(e.to)) indegree.set(e.to, (indegree.get(e.to) as number) + 1);
  const ready = nodes.filter((w) => indegree.get(w) === 0);
  let done = 0;
  while (ready.length) {
    const w = ready.pop() as number;
    done++;
    for (const e of mesh.out[w] ?? []) {
      if (!inside.has(e.to)) continue;
      const d = (indegree.get(e.to) as number) - 1;
      indegree.set(e.to, d);
      if (d === 0) ready.push(e.to);
    }
  }
  return done === nodes.length;
}

/** `dependencies_reachable`: every dependency of these workloads runs in a region with a latency figure to theirs. */
export function dependenciesReachable(mesh: PromiseModel, from: readonly number[], at: MeshPlacement): PredicateValue {
  for (const w of from) {
    for (const e of mesh.out[w] ?? []) {
      const a = at.region[e.from] as number;
      const b = at.region[e.to] as number;
      if (a !== b && mesh.latencyMs(a, b) === undefined)
        return { value: false, evidence: [e.dependsOn, at.fact(e.from), at.fact(e.to)], by: 'evaluated' };
    }
  }
  return { value: true, evidence: [], by: 'evaluated' };
}

/** `latency_within_bounds`: every bounded dependency of these workloads is within its bound. */
export function latencyWithinBounds(mesh: PromiseModel, from: readonly number[], at: MeshPlacement): PredicateValue {
  for (const w of from) {
    for (const e of mesh.out[w] ?? []) {
      if (!e.bound) continue;
      const a = at.region[e.from] as number;
      const b = at.region[e.to] as number;
      const l = a === b ? 0 : mesh.latencyMs(a, b);
      if (l === undefined || l > e.maxMs)
        return { value: false, evidence: [...edgeRefs(e), at.fact(e.from), at.fact(e.to)], by: 'evaluated' };
    }
  }
  return { value: true, evidence: [], by: 'evaluated' };
}

export interface AssertionContext {
  readonly mesh: PromiseModel;
  readonly intent: Intent;
  readonly at: MeshPlacement;
  readonly timeoutMs: number;
  /** `survives_region_loss` for this intent (only the region-loss check knows how). */
  survivesRegionLoss(): Promise<PredicateValue>;
}

/**
 * Evaluates one `assert!(…)` over a mesh. Returns undefined when it holds; otherwise the
 * constraints that make it fail (with the assertion itself), or unknown.
 */
export async function evaluateAssertion(
  a: Assertion,
  ctx: AssertionContext,
): Promise<{
  readonly holds: boolean | 'unknown';
  readonly evidence: readonly ConstraintRef[];
  readonly by: ProofMethod;
}> {
  let usedZ3 = false;
  const from = workloadsOf(ctx.mesh, ctx.intent);
  // Each subexpression's value with the evidence that decides it: for `a && b` false, only
  // the false side's; for `a || b` true, only the true side's; both when both decide.
  const evaluate = async (e: StateExpr): Promise<PredicateValue> => {
    switch (e.kind) {
      case 'bool':
        return { value: e.value, evidence: [] };
      case 'not': {
        const v = await evaluate(e.operand);
        return { value: v.value === 'unknown' ? 'unknown' : !v.value, evidence: v.evidence };
      }
      case 'and':
      case 'or': {
        const deciding = e.kind === 'and' ? false : true;
        const l = await evaluate(e.left);
        if (l.value === deciding) return l;
        const r = await evaluate(e.right);
        if (r.value === deciding) return r;
        if (l.value === 'unknown' || r.value === 'unknown') return { value: 'unknown', evidence: [] };
        return { value: !deciding, evidence: [...l.evidence, ...r.evidence] };
      }
      case 'predicate': {
        const v =
          e.predicate === 'has_cyclic_dependencies'
            ? await hasCycle(ctx.mesh, from, ctx.timeoutMs)
            : e.predicate === 'dependencies_reachable'
              ? dependenciesReachable(ctx.mesh, from, ctx.at)
              : e.predicate === 'latency_within_bounds'
                ? latencyWithinBounds(ctx.mesh, from, ctx.at)
                : await ctx.survivesRegionLoss();
        if (v.by === 'z3') usedZ3 = true;
        return v;
      }
    }
  };
  const v = await evaluate(a.expr);
  return { holds: v.value, evidence: v.evidence, by: usedZ3 ? 'z3' : 'evaluated' };
}
