import { planToJson } from '../planner/plan-json.js';
import type { Plan } from '../planner/plan.js';
import type { RunResult } from '../run/result.js';
import { notFreshZones } from '../run/run-record.js';
import { renderReport, reportToJson } from '../verify/report.js';
import type { VerifyReport } from '../verify/verify.js';

/** The run as `shisa plan` prints it: the plan (or why there is none), the carbon caveats, the verdict. */
export function renderRun(result: RunResult, fleetName: string): string {
  const { snapshot } = result;
  const carbon = notFreshZones(result);
  const lines = [header(result, fleetName, snapshot.zones.length - carbon.length), ''];
  lines.push(
    result.plan
      ? renderPlan(result.plan, result.planMs)
      : 'Not planned: the intents cannot all hold at once (Unprovable State below); ' +
          'nothing is planned or moves until that is resolved.',
  );
  for (const c of carbon)
    lines.push(`  carbon: ${c.zone} ${c.status}${c.problem ? ` (${c.problem})` : ''}: nothing moves into or out of it`);
  for (const u of unknownRegions(result))
    lines.push(`  cluster: ${u.region} unknown, ${u.reason}: nothing moves into or out of it`);
  lines.push('', renderProof(result));
  return lines.join('\n') + '\n';
}

/** The same as JSON: the plan's fields (none when nothing was planned) and the verification. */
export function runToJson(result: RunResult, fleetFile: string): Record<string, unknown> {
  const carbon = notFreshZones(result);
  const applicable = result.outcome === 'proven';
  const verification = {
    ...reportToJson(result.proof, { times: false }),
    applicable,
    order: result.order.map((batch) => batch.map((m) => m.workload)),
  };
  const carbonSource = result.snapshot.carbonSource;
  const unknown = unknownRegions(result);
  const regions = unknown.length ? { unknown_regions: unknown } : {};
  if (!result.plan)
    return {
      at: new Date(result.snapshot.now).toISOString(),
      fleet: fleetFile,
      carbon_source: carbonSource,
      planned: false,
      moves: [],
      carbon,
      ...regions,
      verification,
    };
  return { ...planToJson(result.plan, { fleet: fleetFile, carbonSource, carbon }), ...regions, verification };
}

/** Regions whose cluster could not be read, in the fleet's order, and why. */
function unknownRegions(result: RunResult): { region: string; reason: string }[] {
  const unavailable = result.snapshot.unavailable;
  if (!unavailable) return [];
  return result.snapshot.fleet.regions.flatMap((r) => {
    const reason = unavailable.get(r.name);
    return reason === undefined ? [] : [{ region: r.name, reason }];
  });
}

function header(result: RunResult, fleetName: string, fresh: number): string {
  const at = new Date(result.snapshot.now).toISOString().slice(0, 16).replace('T', ' ');
  const { carbonSource, zones } = result.snapshot;
  return `Plan for ${fleetName} at ${at} UTC (carbon: ${carbonSource}, ${fresh} of ${zones.length} zones fresh)`;
}

/** The verdict under the plan: one line when proven, the failed obligations with their cores when not. */
function renderProof(result: RunResult): string {
  const proof = result.proof;
  const total = Object.values(proof.ms).reduce((a, b) => a + b, 0);
  const seconds = (total / 1000).toFixed(1);
  if (proof.proven) {
    const order = proof.obligations.find((o) => o.code === 'plan.order');
    return [
      `Proof       ${proof.obligations.length} obligations proven in ${seconds} s (${methods(proof)}): ` +
        'the intents are consistent and the plan is safe',
      `Order       ${order?.detail ?? `${result.order.length} batches`}`,
    ].join('\n');
  }
  const verdict = result.plan
    ? 'this plan is not applicable and nothing moves'
    : 'the intents are not consistent; nothing was planned and nothing moves';
  return [
    `Proof       UNPROVABLE: ${verdict} (Z3, ${seconds} s)`,
    '',
    renderReport(proof, (o) => o.verdict === 'unprovable'),
  ].join('\n');
}

function methods(proof: VerifyReport): string {
  const by = (m: string) => proof.obligations.filter((o) => o.method === m).length;
  return [
    `${by('z3')} by Z3`,
    `${by('model')} by a checked placement`,
    `${by('evaluated')} evaluated`,
    ...(by('rules') ? [`${by('rules')} by rules`] : []),
  ].join(', ');
}

/** A stage of the run or of the command around it (loading the files, opening the store). */
export interface StageTime {
  readonly stage: string;
  readonly ms: number;
}

/** `Stages      load 0.41 s, open store 0.62 s, snapshot 0.01 s, …; total 1.2 s`, one line. */
export function renderStageTimes(stages: readonly StageTime[]): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const total = stages.reduce((a, t) => a + t.ms, 0);
  return `Stages      ${stages.map((t) => `${t.stage} ${s(t.ms)}`).join(', ')}; total ${s(total)}\n`;
}

const g = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

function renderPlan(p: Plan, elapsedMs: number): string {
  const lines = [...renderMoves(p), ''];
  const cut = p.emissions.before > 0 ? ((p.emissions.before - p.emissions.after) / p.emissions.before) * 100 : 0;
  const unknown = p.unknownEmissions ? `; ${p.unknownEmissions} workloads in zones without data not counted` : '';
  const kept = Object.entries(p.keptByReason).map(([k, v]) => `${k} ${v}`);
  const optimal = p.optimality === 'proven' ? ' (proven optimal)' : '';
  const took = elapsedMs < 10 ? elapsedMs.toFixed(1) : String(Math.round(elapsedMs));
  lines.push(
    `Emissions   ${g(p.emissions.before)} → ${g(p.emissions.after)} gCO2eq/h (−${cut.toFixed(1)}%)${unknown}`,
    `Bound       ${g(p.lowerBound)} gCO2eq/h; gap ${(p.gap * 100).toFixed(3)}%${optimal}`,
    `Baseline    greedy "greenest region first" would reach ${g(p.greedyAfter)} gCO2eq/h`,
    `Kept        ${kept.join(', ') || 'none'}`,
    `Planned in ${took} ms. Nothing is applied (shisa apply comes later).`,
  );
  return lines.join('\n');
}

function renderMoves(p: Plan): string[] {
  if (p.moves.length === 0) return [`No moves (budget ${p.budget}).`];
  const w = Math.max(...p.moves.map((m) => m.workload.length));
  const f = Math.max(...p.moves.map((m) => m.from.length));
  const t = Math.max(...p.moves.map((m) => m.to.length));
  return [
    `Moves: ${p.moves.length} of a budget of ${p.budget}`,
    ...p.moves.map(
      (m) => `  ${m.workload.padEnd(w)}  ${m.from.padEnd(f)} → ${m.to.padEnd(t)}  −${g(m.savingGPerH)} gCO2eq/h`,
    ),
  ];
}
