import type { Assertion, Intent, StateExpr } from '../intent/model.js';
import { edgeRefs, type Mesh } from './mesh.js';
import type { ConstraintRef } from './proof.js';
import { SmtWriter, checkTracked } from './prove.js';

/** A predicate's value in one mesh, with the constraints and facts that make it so. */
export interface PredicateValue {
  readonly value: boolean | 'unknown';
  readonly evidence: readonly ConstraintRef[];
}

/** Where each workload is in the mesh being judged (current or planned), with the fact that says so. */
export interface MeshPlacement {
  readonly region: Int32Array;
  fact(w: number): ConstraintRef;
}

/** The workloads an intent covers, by index. */
export function workloadsOf(mesh: Mesh, intent: Intent): number[] {
  const out: number[] = [];
  mesh.covering.forEach((c, w) => c.includes(intent) && out.push(w));
  return out;
}

/**
 * `has_cyclic_dependencies`: following dependency edges from the intent's workloads leads
 * back to a workload on the path. Proven with Z3 as "no ranking exists that decreases along
 * every edge"; the minimal core is exactly a cycle's edges.
 */
export async function hasCycle(mesh: Mesh, from: readonly number[], timeoutMs: number): Promise<PredicateValue> {
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
  const out = new SmtWriter();
  const nodes = [...seen].sort((a, b) => a - b);
  for (const w of nodes) out.line(`(declare-const rank${w} Int)`);
  for (const w of nodes) for (const e of mesh.out[w] ?? []) out.line(`(assert (=> ${out.track(e.dependsOn)} (> rank${e.from} rank${e.to})))`);
  const answer = await checkTracked(out.build(), timeoutMs);
  if (answer.status === 'unknown') return { value: 'unknown', evidence: [] };
  return answer.status === 'unsat' ? { value: true, evidence: answer.core } : { value: false, evidence: [] };
}

/** `dependencies_reachable`: every dependency of these workloads runs in a region with a latency figure to theirs. */
export function dependenciesReachable(mesh: Mesh, from: readonly number[], at: MeshPlacement): PredicateValue {
  for (const w of from) {
    for (const e of mesh.out[w] ?? []) {
      const a = at.region[e.from] as number;
      const b = at.region[e.to] as number;
      if (a !== b && mesh.latencyMs(a, b) === undefined) return { value: false, evidence: [e.dependsOn, at.fact(e.from), at.fact(e.to)] };
    }
  }
  return { value: true, evidence: [] };
}

/** `latency_within_bounds`: every bounded dependency of these workloads is within its bound. */
export function latencyWithinBounds(mesh: Mesh, from: readonly number[], at: MeshPlacement): PredicateValue {
  for (const w of from) {
    for (const e of mesh.out[w] ?? []) {
      if (!e.bound) continue;
      const a = at.region[e.from] as number;
      const b = at.region[e.to] as number;
      const l = a === b ? 0 : mesh.latencyMs(a, b);
      if (l === undefined || l > e.maxMs) return { value: false, evidence: [...edgeRefs(e), at.fact(e.from), at.fact(e.to)] };
    }
  }
  return { value: true, evidence: [] };
}

export interface AssertionContext {
  readonly mesh: Mesh;
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
export async function evaluateAssertion(a: Assertion, ctx: AssertionContext): Promise<{ readonly holds: boolean | 'unknown'; readonly evidence: readonly ConstraintRef[] }> {
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
      case 'predicate':
        return e.predicate === 'has_cyclic_dependencies'
          ? hasCycle(ctx.mesh, from, ctx.timeoutMs)
          : e.predicate === 'dependencies_reachable'
            ? dependenciesReachable(ctx.mesh, from, ctx.at)
            : e.predicate === 'latency_within_bounds'
              ? latencyWithinBounds(ctx.mesh, from, ctx.at)
              : ctx.survivesRegionLoss();
    }
  };
  const v = await evaluate(a.expr);
  return { holds: v.value, evidence: v.evidence };
}
