import type { JournalMove, PlannedFacts } from '../../db/migration-journal.js';
import type { RunRecord } from '../../db/record-run.js';
import type { Workload } from '../inventory/model.js';
import { redactSecrets } from '../diagnostics/redact.js';
import type { PromiseModel } from '../promises/model.js';
import { refText } from '../verify/proof.js';
import type { RunInput } from './input.js';
import type { RunResult } from './result.js';

/** The zones that are not fresh, as runs record and show them. */
export function notFreshZones(result: Pick<RunResult, 'snapshot'>) {
  return result.snapshot.zones
    .filter((s) => s.status !== 'fresh')
    .map((s) => ({ zone: s.zone, status: s.status, ...(s.problem ? { problem: s.problem.message } : {}) }));
}

/** The run as the store keeps it. */
export function runRecord(
  input: RunInput,
  model: PromiseModel,
  result: Omit<RunResult, 'recorded' | 'stages'>,
  finishedAt: number,
): RunRecord {
  const { snapshot, plan, proof } = result;
  const notFresh = notFreshZones(result);
  // How old the zone's newest reading is, when it has one: what a person asks of a stale feed first.
  const ageOf = (zone: string) => {
    const reading = snapshot.zones.find((z) => z.zone === zone)?.reading;
    return reading ? { ageSeconds: Math.round((snapshot.now - reading.datetime) / 1000) } : {};
  };
  const proven = result.outcome === 'proven';
  return {
    trigger: input.trigger,
    startedAt: new Date(snapshot.now),
    finishedAt: new Date(finishedAt),
    fleet: input.fleet.file,
    carbonSource: snapshot.carbonSource,
    carbon: { fresh: snapshot.zones.length - notFresh.length, zones: snapshot.zones.length, notFresh },
    emissionsBefore: plan?.emissions.before ?? null,
    emissionsAfter: plan?.emissions.after ?? null,
    lowerBound: plan?.lowerBound ?? null,
    gap: plan?.gap ?? null,
    verdict: proven ? 'proven' : 'unprovable',
    status: proven ? 'planned' : 'unprovable',
    timings: {
      plan_ms: Math.round(result.planMs),
      ...Object.fromEntries(Object.entries(proof.ms).map(([k, v]) => [`verify_${k}_ms`, Math.round(v)])),
    },
    moves: plan?.moves ?? [],
    order: withPlannedFacts(result.order, snapshot.workloads),
    inputs: snapshot.inputs,
    audited: auditedWorkloads(model),
    kept: (plan?.kept ?? []).map((k) => ({
      workload: k.workload,
      region: k.region,
      reason: k.reason,
      detail: k.detail,
    })),
    readings: snapshot.zones.flatMap((s) =>
      s.reading
        ? [
            {
              zone: s.zone,
              datetime: new Date(s.reading.datetime),
              intensity: s.reading.intensity,
              estimated: s.reading.isEstimated,
              source: s.reading.source,
            },
          ]
        : [],
    ),
    exceptions: [
      ...proof.obligations.flatMap((o) =>
        o.verdict === 'unprovable' && o.unprovable
          ? [
              {
                kind: 'unprovable' as const,
                concerns: o.name,
                detail: {
                  code: o.code,
                  reason: o.unprovable.reason,
                  message: redactSecrets(o.unprovable.message),
                  core: o.unprovable.core.map((c) => ({
                    text: refText(c),
                    file: c.span.file,
                    line: c.span.line,
                    col: c.span.col,
                  })),
                },
              },
            ]
          : [],
      ),
      ...notFresh.map((n) => ({ kind: 'stale-feed' as const, concerns: n.zone, detail: { ...n, ...ageOf(n.zone) } })),
      ...unreachableClusters(input, result),
    ],
  };
}

/** A region whose cluster could not be read: nothing moved into or out of it this run. */
function unreachableClusters(input: RunInput, result: Pick<RunResult, 'snapshot'>) {
  return [...(result.snapshot.unavailable ?? new Map<string, string>())].map(([region, reason]) => ({
    kind: 'unreachable-cluster' as const,
    concerns: region,
    detail: {
      region,
      cluster: input.fleet.regionsByName.get(region)?.cluster ?? region,
      reason: redactSecrets(reason),
    },
  }));
}

/** The proven order, each move with what the plan knew of its workload (for apply to compare). */
function withPlannedFacts(order: RunResult['order'], workloads: readonly Workload[]): JournalMove[][] {
  const byName = new Map(workloads.map((w) => [w.name, w]));
  return order.map((batch) =>
    batch.map((m) => {
      const w = byName.get(m.workload);
      return w ? { ...m, planned: plannedFacts(w) } : m;
    }),
  );
}

/** What a migration keeps of its workload as planned: what the plan and its proof depend on. */
export function plannedFacts(w: Workload): PlannedFacts {
  return {
    cpu: w.cpu,
    memory_gib: w.memoryGib,
    intent: w.intent ?? null,
    depends_on: w.dependsOn.map((d) => d.value).sort(),
  };
}

/** Workloads an intent with `compliance { audit: true }` covers, with those intents' names. */
function auditedWorkloads(model: PromiseModel): ReadonlyMap<string, readonly string[]> {
  const audited = new Map<string, readonly string[]>();
  model.terms.forEach((t, w) => {
    if (t.auditedBy.length > 0) audited.set(model.workloads[w]!.name, t.auditedBy);
  });
  return audited;
}
