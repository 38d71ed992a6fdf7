import type { Intent } from '../intent/model.js';
import { checkAssertions } from './check-intents.js';
import type { PromiseModel } from '../promises/model.js';
import { failed, fromAnswer, proven } from './obligations.js';
import { firstUnsafeState, orderMigrations, type MigrationMove, type MigrationOrder } from './order-migrations.js';
import { askPlacement, type Placed } from './placement-question.js';
import type { MeshPlacement } from './predicates.js';
import type { ConstraintRef, Obligation } from './proof.js';

export interface PlanMove {
  readonly workload: string;
  readonly from: string;
  readonly to: string;
}

export interface PlanCheck<M extends PlanMove = PlanMove> {
  readonly obligations: readonly Obligation[];
  /** The safe order to apply the plan in (empty when there is none). */
  readonly order: MigrationOrder;
  /** The same order as the plan's own move objects: batch after batch, moves of a batch together. */
  readonly batches: readonly (readonly M[])[];
}

/**
 * Check 2: the plan is safe. The placement it leads to keeps every rule, dependency and
 * capacity (Z3, with the plan's moves as tracked facts), the `validate_state` assertions over
 * `moveOfmesh` hold, and there is an order of make-before-break batches in which every
 * state on the way is safe; when the plan's own order is not, it is reordered.
 */
export async function checkPlan<M extends PlanMove>(
  mesh: PromiseModel,
  intents: readonly Intent[],
  moves: readonly M[],
  timeoutMs: number,
): Promise<PlanCheck<M>> {
  const regionIndex = new Map(mesh.fleet.regions.map((r, i) => [r.name, i]));
  const planned = Int32Array.from(mesh.current);
  const facts = new Map<number, ConstraintRef>();
  const migration: MigrationMove[] = [];
  // Each migration step remembers the plan's move it stands for, so the order comes back as those moves.
  const moveOf = new Map<MigrationMove, M>();
  for (const m of moves) {
    const w = mesh.indexOf(m.workload);
    const to = regionIndex.get(m.to);
    if (w === undefined || to === undefined)
      throw new Error(`plan names an unknown workload or region: ${m.workload} → ${m.to}`);
    planned[w] = to;
    const wl = mesh.workloads[w]!;
    facts.set(w, {
      id: `planned:${m.workload}`,
      kind: 'planned',
      text: `the plan moves ${m.workload} from ${m.from} to ${m.to}`,
      span: wl.span,
    });
    const step: MigrationMove = { workload: w, from: mesh.current[w] as number, to };
    migration.push(step);
    moveOf.set(step, m);
  }
  const at: MeshPlacement = { region: planned, fact: (w) => facts.get(w) ?? mesh.located(w) };
  const obligations: Obligation[] = [];

  const started = performance.now();
  const all = mesh.workloads.map((_w, i) => i).filter((i) => (planned[i] as number) >= 0);
  const fixed = new Map<number, Placed>(all.map((w) => [w, { region: planned[w] as number, fact: at.fact(w) }]));
  const answer = await askPlacement(
    mesh,
    {
      workloads: all,
      fixed,
      rules: true,
      edges: true,
      capacity: {
        cpu: new Float64Array(mesh.fleet.regions.length),
        memoryGib: new Float64Array(mesh.fleet.regions.length),
        keepOverCapacity: true,
      },
    },
    timeoutMs,
    { witness: planned },
  );
  obligations.push(
    fromAnswer('plan.placement', 'the planned placement keeps every intent and capacity', answer, started, {
      proven: `${moves.length} moves, ${all.length} workloads`,
      failed: 'the planned placement breaks a constraint',
    }),
  );

  obligations.push(...(await checkAssertions(mesh, intents, 'planned_mesh', at, 'plan', timeoutMs)));

  const order = orderMigrations(mesh, migration);
  obligations.push(orderObligation(mesh, order, facts, moves.length));
  return { obligations, order, batches: order.batches.map((b) => b.map((step) => moveOf.get(step)!)) };
}

/** Every step of the migration order is safe: proven, or why no safe order was found. */
function orderObligation(
  mesh: PromiseModel,
  order: MigrationOrder,
  facts: ReadonlyMap<number, ConstraintRef>,
  moves: number,
): Obligation {
  const started = performance.now();
  const unsafe = firstUnsafeState(mesh, order);
  const name = 'every step of the migration order is safe (make-before-break)';
  const waits = 'each waits for room only another of them frees';
  if (order.stuck.length > 0) {
    const blocked = [...new Set(order.stuck.map((m) => m.to))].sort((a, b) => a - b).map((r) => mesh.capacity[r]!);
    const message = order.noOrderExists
      ? `no safe order exists for these moves: ${waits} (every order searched)`
      : `no safe order found for ${order.stuck.length} moves: ${waits} (too many moves to search every order)`;
    const core = [...blocked, ...order.stuck.map((m) => facts.get(m.workload)!)];
    return failed('plan.order', name, started, message, core, 'evaluated', order.noOrderExists ? 'unsat' : 'unknown');
  }
  if (unsafe)
    return failed(
      'plan.order',
      name,
      started,
      `the order breaks a constraint: ${unsafe.problem}`,
      [],
      'evaluated',
      'unknown',
    );
  const overflow = order.naiveOverflow;
  const why = overflow
    ? `the plan's own order would overflow ${mesh.fleet.regions[overflow.region]!.name} ` +
      `while ${mesh.workloads[overflow.move.workload]!.name} moves; reordered`
    : "the plan's own order is safe";
  const batches = `${order.batches.length} batch${order.batches.length === 1 ? '' : 'es'}`;
  return proven('plan.order', name, started, `${moves} moves in ${batches}; ${why}`, 'evaluated');
}
