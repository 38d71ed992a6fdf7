import type { Intent } from '../intent/model.js';
import type { Mesh } from './mesh.js';
import { fromAnswer } from './obligations.js';
import { askPlacement, type Placed } from './placement-question.js';
import { workloadsOf, type PredicateValue } from './predicates.js';
import type { ConstraintRef, Obligation } from './proof.js';

/**
 * Check 3 (N-1): for a critical intent, whether losing any one region that runs its
 * workloads or their dependencies still leaves a placement keeping the intent. What ran in
 * the lost region is placed anew (any region but that one, within its rules, near its
 * dependencies, in the capacity left); everything else stays where it runs. A region whose
 * loss leaves no placement is a single point of failure: a warning, with the core.
 */
export async function checkRegionLoss(mesh: Mesh, intent: Intent, timeoutMs: number): Promise<Obligation[]> {
  const own = workloadsOf(mesh, intent);
  const involved = new Set(own);
  for (const w of own) for (const e of mesh.out[w] ?? []) involved.add(e.to);
  const workloads = [...involved].sort((a, b) => a - b);
  const regions = [...new Set(workloads.map((w) => mesh.current[w] as number))].filter((r) => r >= 0).sort((a, b) => a - b);
  // Capacity the rest of the fleet uses where it runs.
  const cpu = new Float64Array(mesh.fleet.regions.length);
  const mem = new Float64Array(mesh.fleet.regions.length);
  mesh.workloads.forEach((w, i) => {
    const r = mesh.current[i] as number;
    if (involved.has(i) || r < 0) return;
    cpu[r] = (cpu[r] as number) + w.cpu;
    mem[r] = (mem[r] as number) + w.memoryGib;
  });
  const out: Obligation[] = [];
  for (const lost of regions) {
    const started = performance.now();
    const region = mesh.fleet.regions[lost]!;
    const ref: ConstraintRef = { id: `region-lost:${region.name}`, kind: 'region-lost', text: `${region.name} is lost`, span: region.span };
    const fixed = new Map<number, Placed>();
    for (const w of workloads) if (mesh.current[w] !== lost) fixed.set(w, { region: mesh.current[w] as number, fact: mesh.located(w) });
    const moved = workloads.length - fixed.size;
    const answer = await askPlacement(mesh, { workloads, fixed, rules: true, edges: true, capacity: { cpu, memoryGib: mem }, lost: { region: lost, ref } }, timeoutMs);
    out.push(
      fromAnswer('region-loss', `intent "${intent.name}" survives losing ${region.name}`, answer, started, {
        proven: `${moved} workload${moved === 1 ? '' : 's'} re-placed`,
        failed: `losing ${region.name} leaves intent "${intent.name}" no placement: a single point of failure`,
      }, 'warning'),
    );
  }
  return out;
}

/** `survives_region_loss` as a predicate: false, with the core, if any single region's loss breaks it. */
export async function survivesRegionLoss(mesh: Mesh, intent: Intent, timeoutMs: number): Promise<PredicateValue> {
  const results = await checkRegionLoss(mesh, intent, timeoutMs);
  const broken = results.find((o) => o.verdict !== 'proven');
  if (!broken) return { value: true, evidence: [] };
  return { value: broken.unprovable?.reason === 'unknown' ? 'unknown' : false, evidence: broken.unprovable?.core ?? [] };
}
