import type { Intent } from '../intent/model.js';
import { survivesRegionLoss } from './check-region-loss.js';
import type { PromiseModel } from '../promises/model.js';
import { failed, fromAnswer, proven } from './obligations.js';
import { askPlacement, type Placed } from './placement-question.js';
import { evaluateAssertion, workloadsOf, type MeshPlacement } from './predicates.js';
import type { ConstraintRef, Obligation } from './proof.js';
import { plural } from '../words.js';

/** Where everything runs now, each fact from the inventory. */
export function currentPlacement(mesh: PromiseModel): MeshPlacement {
  return { region: mesh.current, fact: (w) => mesh.located(w) };
}

/** `validate_state` assertions over one mesh (`current_mesh` or `planned_mesh`), one obligation each. */
export async function checkAssertions(
  mesh: PromiseModel,
  intents: readonly Intent[],
  which: 'current_mesh' | 'planned_mesh',
  at: MeshPlacement,
  check: 'intents' | 'plan',
  timeoutMs: number,
): Promise<Obligation[]> {
  const out: Obligation[] = [];
  for (const intent of intents) {
    for (const a of intent.assertions) {
      if (!usesMesh(a.expr, which)) continue;
      const started = performance.now();
      const name = `intent "${intent.name}": ${a.text}`;
      const { holds, evidence, by } = await evaluateAssertion(a, {
        mesh,
        intent,
        at,
        timeoutMs,
        survivesRegionLoss: () => survivesRegionLoss(mesh, intent, timeoutMs),
      });
      const ref: ConstraintRef = {
        id: `assertion:${intent.name}:${a.span.line}:${a.span.col}`,
        kind: 'assertion',
        text: `intent "${intent.name}": ${a.text}`,
        span: a.span,
      };
      if (holds === true) out.push(proven(`${check}.assertion`, name, started, `over ${which}`, by));
      else if (holds === 'unknown')
        out.push(
          failed(
            `${check}.assertion`,
            name,
            started,
            `could not decide ${a.text} over ${which} within the time limit`,
            [ref],
            by,
            'unknown',
          ),
        );
      else out.push(failed(`${check}.assertion`, name, started, `does not hold over ${which}`, [ref, ...evidence], by));
    }
  }
  return out;
}

function usesMesh(e: Intent['assertions'][number]['expr'], mesh: string): boolean {
  switch (e.kind) {
    case 'predicate':
      return e.mesh === mesh;
    case 'not':
      return usesMesh(e.operand, mesh);
    case 'and':
    case 'or':
      return usesMesh(e.left, mesh) || usesMesh(e.right, mesh);
    default:
      return false;
  }
}

/**
 * Check 1: the intent model is consistent. The `validate_state` assertions over the current
 * mesh hold; every critical intent holds where its workloads run now (rules, reachable
 * dependencies, latency bounds); and all intents together are satisfiable: some placement of
 * every workload keeps every rule, dependency and capacity (critical workloads included, so
 * intents that pin more than a region holds conflict here).
 */
export async function checkIntents(
  mesh: PromiseModel,
  intents: readonly Intent[],
  timeoutMs: number,
): Promise<Obligation[]> {
  const out = await checkAssertions(mesh, intents, 'current_mesh', currentPlacement(mesh), 'intents', timeoutMs);
  out.push(...(await checkCriticalWhereTheyRun(mesh, intents, timeoutMs)));
  out.push(await checkSatisfiable(mesh, intents, timeoutMs));
  return out;
}

/** Each critical intent holds where its workloads run now. */
async function checkCriticalWhereTheyRun(
  mesh: PromiseModel,
  intents: readonly Intent[],
  timeoutMs: number,
): Promise<Obligation[]> {
  const out: Obligation[] = [];
  // Critical intents where they run: asked together first (one question, usually "sat", which
  // proves every one of them), then one by one only if that fails, to name each conflict.
  const questions = intents
    .filter((intent) => intent.placement === 'critical')
    .map((intent) => ({
      intent,
      own: workloadsOf(mesh, intent).filter((w) => mesh.critical[w] && (mesh.current[w] as number) >= 0),
    }))
    .filter((q) => q.own.length > 0);
  const whereTheyRun = (own: readonly number[]) => {
    const involved = new Set(own);
    for (const w of own) for (const e of mesh.out[w] ?? []) if ((mesh.current[e.to] as number) >= 0) involved.add(e.to);
    const workloads = [...involved].sort((a, b) => a - b);
    const fixed = new Map<number, Placed>(
      workloads.map((w) => [w, { region: mesh.current[w] as number, fact: mesh.located(w) }]),
    );
    return { workloads, fixed, rules: true, edges: true };
  };
  const together = performance.now();
  const allCritical =
    questions.length > 1
      ? await askPlacement(mesh, whereTheyRun(questions.flatMap((q) => q.own)), timeoutMs, {
          witness: mesh.current,
          coreless: true,
        })
      : undefined;
  const share = (performance.now() - together) / Math.max(1, questions.length);
  for (const { intent, own } of questions) {
    const started = performance.now();
    const name = `critical intent "${intent.name}" holds where it runs`;
    const proven = `${own.length} workload${own.length === 1 ? '' : 's'}`;
    if (allCritical?.status === 'sat')
      out.push({
        check: 'intents',
        code: 'intents.critical-holds',
        name,
        verdict: 'proven',
        method: allCritical.by ?? 'z3',
        ms: share,
        detail: proven,
      });
    else
      out.push(
        fromAnswer(
          'intents.critical-holds',
          name,
          await askPlacement(mesh, whereTheyRun(own), timeoutMs, { witness: mesh.current }),
          started,
          { proven, failed: `critical intent "${intent.name}" does not hold where its workloads run` },
        ),
      );
  }
  return out;
}

/** Some placement of every workload keeps every rule, dependency and capacity. */
async function checkSatisfiable(
  mesh: PromiseModel,
  intents: readonly Intent[],
  timeoutMs: number,
): Promise<Obligation> {
  const started = performance.now();
  const all = mesh.workloads.map((_w, i) => i);
  const answer = await askPlacement(
    mesh,
    {
      workloads: all,
      fixed: new Map(),
      rules: true,
      edges: true,
      capacity: {
        cpu: new Float64Array(mesh.fleet.regions.length),
        memoryGib: new Float64Array(mesh.fleet.regions.length),
      },
    },
    timeoutMs,
    { witness: mesh.current },
  );
  const counts = [
    plural(all.length, 'workload'),
    plural(intents.length, 'intent'),
    plural(mesh.fleet.regions.length, 'region'),
  ];
  return fromAnswer('intents.satisfiable', 'all intents are jointly satisfiable', answer, started, {
    proven: counts.join(', '),
    failed: 'no placement keeps all of these at once',
  });
}
