import type { Plan } from './plan.js';

const round = (x: number, digits = 4): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** The plan as data, in a fixed key order and rounding, so equal snapshots give equal bytes. */
export function planToJson(
  p: Plan,
  extra: {
    readonly fleet: string;
    readonly carbonSource: string;
    readonly carbon: readonly { zone: string; status: string; problem?: string }[];
  },
): Record<string, unknown> {
  return {
    at: new Date(p.at).toISOString(),
    fleet: extra.fleet,
    carbon_source: extra.carbonSource,
    moves: p.moves.map((m) => ({ workload: m.workload, from: m.from, to: m.to, saving_g_per_h: round(m.savingGPerH) })),
    emissions_g_per_h: { before: round(p.emissions.before), after: round(p.emissions.after) },
    objective_g_per_h: round(p.objective),
    lower_bound_g_per_h: round(p.lowerBound),
    gap: round(p.gap, 8),
    optimality: p.optimality,
    baseline: { greedy_after_g_per_h: round(p.greedyAfter) },
    budget: { limit: p.budget, used: p.moves.length },
    kept: p.kept.map((k) => ({
      workload: k.workload,
      region: k.region,
      reason: k.reason,
      detail: k.detail,
      cleaner: k.cleaner,
    })),
    kept_by_reason: p.keptByReason,
    carbon: extra.carbon,
    unknown_emissions: p.unknownEmissions,
  };
}
