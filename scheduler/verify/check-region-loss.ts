import type { Intent } from '../intent/model.js';
import type { PromiseModel } from '../promises/model.js';
import { fromAnswer } from './obligations.js';
import { askPlacement, type Placed, type PlacementQuestion } from './placement-question.js';
import { workloadsOf, type PredicateValue } from './predicates.js';
import type { ConstraintRef, Obligation } from './proof.js';

/**
 * Check 3 (N-1): for a critical intent, whether losing any one region that runs its
 * workloads or their dependencies still leaves a placement keeping the intent. What ran in
 * the lost region is placed anew (any region but that one, within its rules, near its
 * dependencies, in the capacity left); everything else stays where it runs. A region whose
 * loss leaves no placement is a single point of failure: a warning, with the core.
 */
export async function checkRegionLoss(mesh: PromiseModel, intent: Intent, timeoutMs: number): Promise<Obligation[]> {
  const out: Obligation[] = [];
  for (const lost of regionsOf(mesh, involvedIn(mesh, [intent]))) out.push(await lossOf(mesh, intent, lost, timeoutMs));
  return out;
}

/** One answer per (mesh, intent, region): check 1's `survives_region_loss` and check 3 ask the same. */
const asked = new WeakMap<PromiseModel, Map<string, Promise<Obligation>>>();

/**
 * Check 3 for every critical intent. Per region, the intents it runs are first asked
 * together (everything the region ran re-placed at once, which is what losing it means; if
 * that has a placement, so has each intent alone), and one by one only when that fails.
 */
export async function checkAllRegionLosses(
  mesh: PromiseModel,
  intents: readonly Intent[],
  timeoutMs: number,
): Promise<Obligation[]> {
  const critical = intents.filter((i) => i.placement === 'critical');
  const byRegion = new Map<number, Intent[]>();
  for (const intent of critical)
    for (const r of regionsOf(mesh, involvedIn(mesh, [intent])))
      (byRegion.get(r) ?? byRegion.set(r, []).get(r)!).push(intent);
  const proven = new Map<string, Obligation>();
  for (const [lost, together] of [...byRegion].sort(([a], [b]) => a - b)) {
    if (together.length < 2) continue;
    const started = performance.now();
    const answer = await askPlacement(mesh, lossQuestion(mesh, involvedIn(mesh, together), lost), timeoutMs, {
      greedy: true,
      coreless: true,
    });
    if (answer.status !== 'sat') continue;
    const share = (performance.now() - started) / together.length;
    for (const intent of together)
      proven.set(`${intent.name}\u0000${lost}`, {
        check: 'region-loss',
        code: 'region-loss.survives',
        name: obligationName(mesh, intent, lost),
        verdict: 'proven',
        method: answer.by ?? 'z3',
        ms: share,
        detail: 're-placed with everything else that region ran',
      });
  }
  const out: Obligation[] = [];
  for (const intent of critical) {
    for (const lost of regionsOf(mesh, involvedIn(mesh, [intent])))
      out.push(proven.get(`${intent.name}\u0000${lost}`) ?? (await lossOf(mesh, intent, lost, timeoutMs)));
  }
  return out;
}

/** The intents' workloads and what they depend on. */
function involvedIn(mesh: PromiseModel, intents: readonly Intent[]): number[] {
  const involved = new Set<number>();
  for (const intent of intents) {
    for (const w of workloadsOf(mesh, intent)) {
      involved.add(w);
      for (const e of mesh.out[w] ?? []) involved.add(e.to);
    }
  }
  return [...involved].sort((a, b) => a - b);
}

function regionsOf(mesh: PromiseModel, workloads: readonly number[]): number[] {
  return [...new Set(workloads.map((w) => mesh.current[w] as number))].filter((r) => r >= 0).sort((a, b) => a - b);
}

function obligationName(mesh: PromiseModel, intent: Intent, lost: number): string {
  return `intent "${intent.name}" survives losing ${mesh.fleet.regions[lost]!.name}`;
}

/**
 * Losing `lost`: what ran there is placed anew; the rest stays, and the fleet's other
 * workloads keep their capacity.
 */
function lossQuestion(mesh: PromiseModel, workloads: readonly number[], lost: number): PlacementQuestion {
  const inQuestion = new Set(workloads);
  const cpu = new Float64Array(mesh.fleet.regions.length);
  const mem = new Float64Array(mesh.fleet.regions.length);
  mesh.workloads.forEach((w, i) => {
    const r = mesh.current[i] as number;
    // What ran in the lost region is gone with it.
    if (inQuestion.has(i) || r < 0 || r === lost) return;
    cpu[r] = (cpu[r] as number) + w.cpu;
    mem[r] = (mem[r] as number) + w.memoryGib;
  });
  const region = mesh.fleet.regions[lost]!;
  const ref: ConstraintRef = {
    id: `region-lost:${region.name}`,
    kind: 'region-lost',
    text: `${region.name} is lost`,
    span: region.span,
  };
  const fixed = new Map<number, Placed>();
  for (const w of workloads)
    if (mesh.current[w] !== lost) fixed.set(w, { region: mesh.current[w] as number, fact: mesh.located(w) });
  return {
    workloads,
    fixed,
    rules: true,
    edges: true,
    freeOnly: true,
    capacity: { cpu, memoryGib: mem, keepOverCapacity: true },
    lost: { region: lost, ref },
  };
}

function lossOf(mesh: PromiseModel, intent: Intent, lost: number, timeoutMs: number): Promise<Obligation> {
  let memo = asked.get(mesh);
  if (!memo) asked.set(mesh, (memo = new Map<string, Promise<Obligation>>()));
  const key = `${intent.name}\u0000${lost}`;
  let answer = memo.get(key);
  if (!answer) memo.set(key, (answer = askLoss(mesh, intent, lost, timeoutMs)));
  return answer;
}

async function askLoss(mesh: PromiseModel, intent: Intent, lost: number, timeoutMs: number): Promise<Obligation> {
  const started = performance.now();
  const q = lossQuestion(mesh, involvedIn(mesh, [intent]), lost);
  const moved = q.workloads.length - q.fixed.size;
  const name = mesh.fleet.regions[lost]!.name;
  const answer = await askPlacement(mesh, q, timeoutMs, { greedy: true });
  return fromAnswer(
    'region-loss.survives',
    obligationName(mesh, intent, lost),
    answer,
    started,
    {
      proven: `${moved} workload${moved === 1 ? '' : 's'} re-placed`,
      failed: `losing ${name} leaves intent "${intent.name}" no placement: a single point of failure`,
    },
    'warning',
  );
}

/** `survives_region_loss` as a predicate: false, with the core, if any single region's loss breaks it. */
export async function survivesRegionLoss(
  mesh: PromiseModel,
  intent: Intent,
  timeoutMs: number,
): Promise<PredicateValue> {
  const results = await checkRegionLoss(mesh, intent, timeoutMs);
  const broken = results.find((o) => o.verdict !== 'proven');
  const by = results.some((o) => o.method === 'z3') ? 'z3' : 'evaluated';
  if (!broken) return { value: true, evidence: [], by };
  return {
    value: broken.unprovable?.reason === 'unknown' ? 'unknown' : false,
    evidence: broken.unprovable?.core ?? [],
    by,
  };
}
