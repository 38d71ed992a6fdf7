import type { DependencyEdge, PromiseModel, RegionRule } from '../promises/model.js';
import { edgeRefs } from './edge-refs.js';
import { activeEdges, activeRules, capacityLeft, emptyDomainCore, greedyPlacement, satisfies } from './witness.js';
import type { ConstraintRef } from './proof.js';
import { checkQuick, checkTracked, smtInt, SmtWriter, type Answer, type TrackedSmt } from './prove.js';
import { milli } from './milli.js';

/** A workload held in one region by a fact (where it runs now, or where the plan puts it). */
export interface Placed {
  readonly region: number;
  readonly fact: ConstraintRef;
}

/**
 * "Is there a placement of these workloads that keeps these constraints?" Workloads not in
 * `fixed` may go to any region; those in it are held by their fact. Only what is switched on
 * is asserted, each constraint tracked to its source.
 */
export interface PlacementQuestion {
  readonly workloads: readonly number[];
  readonly fixed: ReadonlyMap<number, Placed>;
  /** Compliance, residency and target rules of the intents covering each workload. */
  readonly rules: boolean;
  /** Dependencies must be reachable and within their latency bounds (targets must be in `workloads`). */
  readonly edges: boolean;
  /**
   * Region capacity, less what workloads outside the question use (cpu, memory per region).
   * With `keepOverCapacity`, a region already over capacity may keep what the question's
   * workloads have there now, but not grow (the planner's rule); without it, capacity is strict.
   */
  readonly capacity?: {
    readonly cpu: Float64Array;
    readonly memoryGib: Float64Array;
    readonly keepOverCapacity?: boolean;
  };
  /**
   * Constrain only the workloads being placed: rules of free workloads and dependencies with
   * a free end. Facts about workloads that stay are then not re-proven (check 1 does that),
   * so a conflict is about the placing.
   */
  readonly freeOnly?: boolean;
  /** A region that is gone: nothing may be placed there. */
  readonly lost?: { readonly region: number; readonly ref: ConstraintRef };
}

/** Interchangeable workloads in the question, placed as counts per region. */
interface Unit {
  readonly members: number[];
  readonly rules: readonly RegionRule[];
  readonly edges: readonly DependencyEdge[];
  /** Per edge, where each member declares it. */
  readonly dependsOn: ConstraintRef[][];
  readonly cpu: number;
  readonly mem: number;
  readonly fixed?: Placed;
}

/** Sizes in thousandths, as whole numbers for Z3 (the unit witness.ts counts in too). */

/**
 * The question in SMT-LIB: an integer count per unit and region (a unit is one workload, or
 * workloads that are interchangeable here: same rules, dependencies, size and fixed region),
 * exactly-as-many per unit, rules and the lost region as zero counts, dependencies as
 * "where a member is, the dependency is near", capacity as a linear sum per region.
 * `tracked` puts each constraint under an assumption named after its source (for cores).
 */
export function encodePlacement(mesh: PromiseModel, q: PlacementQuestion, tracked = true): TrackedSmt {
  const { units, unitOf } = groupUnits(mesh, q);
  const out = new SmtWriter();
  out.line('(set-logic QF_LIA)');
  const R = mesh.fleet.regions.length;
  // Tracked: every region is a variable and each rule bans its regions under its own
  // assumption, so a core can name it. Untracked (the quick first question): banned regions
  // are simply absent, which is the same question with far fewer variables.
  const open = units.map((u) => {
    const ok = new Uint8Array(R).fill(1);
    if (!tracked) {
      for (const rule of u.rules) for (let r = 0; r < R; r++) if (!rule.allowed.has(r)) ok[r] = 0;
      if (q.lost) ok[q.lost.region] = 0;
      if (u.fixed) for (let r = 0; r < R; r++) if (r !== u.fixed.region) ok[r] = 0;
    }
    return ok;
  });
  const enc: Encoding = {
    mesh,
    q,
    R,
    units,
    open,
    tracked,
    n: (u, r) => (open[u]![r] ? `n${u}_${r}` : '0'),
    out,
    guarded: (refs, body) =>
      out.line(
        tracked
          ? `(assert (=> (and true ${refs.map((ref) => out.track(ref)).join(' ')}) ${body}))`
          : `(assert ${body})`,
      ),
  };
  encodeCounts(enc);
  encodeDependencies(enc, unitOf);
  encodeCapacity(enc);
  return out.build();
}

/** What the parts of one encoding share. */
interface Encoding {
  readonly mesh: PromiseModel;
  readonly q: PlacementQuestion;
  /** Number of regions. */
  readonly R: number;
  readonly units: readonly Unit[];
  /** Per unit and region, whether the count is a variable (else it is 0). */
  readonly open: readonly Uint8Array[];
  readonly tracked: boolean;
  /** The count of unit u in region r: its variable, or 0. */
  readonly n: (u: number, r: number) => string;
  readonly out: SmtWriter;
  /** Asserts `body`, under the assumptions of `refs` when tracked. */
  readonly guarded: (refs: readonly ConstraintRef[], body: string) => void;
}

/** The question's workloads as units, and the unit (by index) of each workload. */
function groupUnits(mesh: PromiseModel, q: PlacementQuestion): { units: Unit[]; unitOf: Map<number, number> } {
  const inQuestion = new Set(q.workloads);
  const targets = new Set<number>();
  if (q.edges)
    for (const w of q.workloads) for (const e of mesh.out[w] ?? []) if (inQuestion.has(e.to)) targets.add(e.to);
  const units: Unit[] = [];
  const unitOf = new Map<number, number>();
  const byKey = new Map<string, Unit>();
  for (const w of q.workloads) {
    const wl = mesh.workloads[w]!;
    const fixed = q.fixed.get(w);
    const rules = activeRules(q, mesh, w);
    const edges = activeEdges(q, mesh, w, inQuestion);
    const key = targets.has(w)
      ? `#${w}`
      : [
          rules.map((r) => r.ref.id).join(','),
          edges.map((e) => `${e.to}:${e.maxMs}:${e.bound?.id ?? ''}`).join(','),
          wl.cpu,
          wl.memoryGib,
          fixed ? `${fixed.region}:${fixed.fact.kind}` : 'free',
        ].join('|');
    let unit = byKey.get(key);
    if (!unit) {
      unit = {
        members: [],
        rules,
        edges,
        dependsOn: edges.map(() => []),
        cpu: wl.cpu,
        mem: wl.memoryGib,
        ...(fixed ? { fixed } : {}),
      };
      byKey.set(key, unit);
      units.push(unit);
    }
    unit.members.push(w);
    // Members declare the same dependencies in their own lines: keep each, to name them all.
    edges.forEach((e, k) => unit.dependsOn[k]!.push(e.dependsOn));
    unitOf.set(w, units.indexOf(unit));
  }
  return { units, unitOf };
}

/** Per unit: its counts, exactly as many as members, its fixed region, rules and the lost region. */
function encodeCounts({ mesh, q, R, units, open, tracked, n, out, guarded }: Encoding): void {
  units.forEach((u, ui) => {
    const vars: string[] = [];
    for (let r = 0; r < R; r++) {
      if (!open[ui]![r]) continue;
      vars.push(n(ui, r));
      out.line(`(declare-const ${n(ui, r)} Int)`);
      out.line(`(assert (>= ${n(ui, r)} 0))`);
    }
    out.line(`(assert (= (+ 0 ${vars.join(' ')}) ${smtInt(u.members.length)}))`);
    if (u.fixed) guarded([factFor(mesh, u)], `(= ${n(ui, u.fixed.region)} ${smtInt(u.members.length)})`);
    if (!tracked) return;
    for (const rule of u.rules) {
      const banned = Array.from({ length: R }, (_v, r) => r).filter((r) => !rule.allowed.has(r));
      if (banned.length) guarded([rule.ref], `(and true ${banned.map((r) => `(= ${n(ui, r)} 0)`).join(' ')})`);
    }
    if (q.lost) guarded([q.lost.ref], `(= ${n(ui, q.lost.region)} 0)`);
  });
}

/** Dependencies: wherever a member of u is, its dependency (a single workload) is near. */
function encodeDependencies({ mesh, R, units, open, n, guarded }: Encoding, unitOf: ReadonlyMap<number, number>): void {
  units.forEach((u, ui) => {
    u.edges.forEach((e, k) => {
      const t = unitOf.get(e.to) as number;
      const refs = edgeRefs(e, declared(mesh, u.dependsOn[k]!, e.to));
      const parts: string[] = [];
      for (let r = 0; r < R; r++) {
        if (!open[ui]![r]) continue;
        const near: number[] = [];
        let all = true;
        for (let s = 0; s < R; s++) {
          const l = r === s ? 0 : mesh.latencyMs(r, s);
          if (l !== undefined && l <= e.maxMs) {
            if (open[t]![s]) near.push(s);
          } else if (open[t]![s]) all = false;
        }
        if (!all) parts.push(`(=> (> ${n(ui, r)} 0) (or false ${near.map((s) => `(> ${n(t, s)} 0)`).join(' ')}))`);
      }
      if (parts.length) guarded(refs, `(and ${parts.join(' ')})`);
    });
  });
}

/** Capacity: per region, the units' sizes times their counts within what is left. */
function encodeCapacity({ mesh, q, units, open, n, guarded }: Encoding): void {
  const left = capacityLeft(q, mesh);
  if (!left) return;
  mesh.fleet.regions.forEach((_region, r) => {
    const cpuLeft = left.cpu[r] as number;
    const memLeft = left.mem[r] as number;
    const present = units.map((_u, ui) => ui).filter((ui) => open[ui]![r]);
    if (present.length === 0 && cpuLeft >= 0 && memLeft >= 0) return;
    const cpu = present.map((ui) => `(* ${smtInt(milli(units[ui]!.cpu))} ${n(ui, r)})`).join(' ');
    const mem = present.map((ui) => `(* ${smtInt(milli(units[ui]!.mem))} ${n(ui, r)})`).join(' ');
    guarded([mesh.capacity[r]!], `(and (<= (+ 0 ${cpu}) ${smtInt(cpuLeft)}) (<= (+ 0 ${mem}) ${smtInt(memLeft)}))`);
  });
}

/**
 * Asks a placement question: sat, or the minimal core of what conflicts, or unknown. A
 * placement at hand that keeps every constraint answers "sat" without a search (a model is
 * its own proof): the given `witness`, or with `greedy` one found greedily. A workload its
 * rules leave no region answers "unsat" with its core. Otherwise Z3: the untracked question
 * first, and the tracked one for the minimal core only when that is unsatisfiable.
 * With `coreless`, an unsatisfiable answer comes back without a core (cheaper).
 */
export async function askPlacement(
  mesh: PromiseModel,
  q: PlacementQuestion,
  timeoutMs: number,
  how: { readonly witness?: Int32Array; readonly greedy?: boolean; readonly coreless?: boolean } = {},
): Promise<Answer> {
  if (how.witness && satisfies(mesh, q, how.witness)) return { status: 'sat', by: 'model' };
  if (how.greedy) {
    const found = greedyPlacement(mesh, q);
    if (found && satisfies(mesh, q, found)) return { status: 'sat', by: 'model' };
  }
  const empty = emptyDomainCore(mesh, q);
  if (empty) return { status: 'unsat', core: how.coreless ? [] : empty, by: 'rules' };
  const quick = await checkQuick(encodePlacement(mesh, q, false), timeoutMs);
  if (quick.status !== 'unsat' || how.coreless) return quick;
  return checkTracked(encodePlacement(mesh, q, true), timeoutMs);
}

/** One ref for a dependency several members declare: the one line, or a summary at the first. */
function declared(mesh: PromiseModel, refs: readonly ConstraintRef[], to: number): ConstraintRef {
  const distinct = [...new Map(refs.map((r) => [r.id, r])).values()];
  if (distinct.length === 1) return distinct[0]!;
  const first = distinct[0]!;
  return {
    id: `${distinct.map((r) => r.id).join('+')}`,
    kind: 'depends-on',
    text: `${distinct.length} declarations that workloads depend on ${mesh.workloads[to]!.name} (first here)`,
    span: first.span,
  };
}

/** One fact for a unit of fixed workloads: the workload's own, or a summary naming a few. */
function factFor(mesh: PromiseModel, u: Unit): ConstraintRef {
  const first = u.fixed!.fact;
  if (u.members.length === 1) return first;
  const names = u.members.slice(0, 3).map((w) => mesh.workloads[w]!.name);
  const region = mesh.fleet.regions[u.fixed!.region]!.name;
  const more = u.members.length > 3 ? ` and ${u.members.length - 3} more` : '';
  const verb = first.kind === 'planned' ? 'the plan puts' : 'run in';
  const text =
    first.kind === 'planned'
      ? `the plan puts ${u.members.length} workloads in ${region}: ${names.join(', ')}${more}`
      : `${u.members.length} workloads ${verb} ${region}: ${names.join(', ')}${more}`;
  return { id: `${first.kind}:${u.members.join(',')}@${region}`, kind: first.kind, text, span: first.span };
}
