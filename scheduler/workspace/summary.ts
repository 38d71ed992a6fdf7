import { formatDuration } from '../units.js';
import { coverage, effectivePlacement } from '../promises/coverage.js';
import type { Workspace } from './model.js';

/** What a workspace holds, in numbers: the `validate` summary and its `--json` form. */
export interface WorkspaceSummary {
  readonly fleet: string;
  readonly name?: string;
  readonly regions: {
    readonly count: number;
    readonly zones: number;
    readonly countries: number;
    readonly cpu: number;
    readonly memory_gib: number;
  };
  readonly latency: { readonly known_pairs: number; readonly pairs: number };
  readonly intents: {
    readonly count: number;
    readonly files: number;
    readonly critical: number;
    readonly flexible: number;
  };
  readonly workloads: {
    readonly source: 'inventory' | 'clusters';
    readonly count: number;
    readonly critical: number;
    readonly flexible: number;
    readonly uncovered: number;
    readonly cpu: number;
    readonly memory_gib: number;
  };
  readonly carbon: { readonly source: string; readonly max_staleness: string; readonly emission_factor: string };
  readonly policy: {
    readonly schedule: string;
    readonly migration_budget: number;
    readonly min_saving_percent: number;
    readonly cooldown: string;
  };
  readonly notify: readonly string[];
}

export function summarise(ws: Workspace): WorkspaceSummary {
  const { fleet } = ws;
  const n = fleet.regions.length;
  const cover = coverage(ws.intents, ws.workloads);
  let critical = 0;
  let uncovered = 0;
  for (const w of ws.workloads) {
    const covering = cover.get(w.name) ?? [];
    if (covering.length === 0) uncovered++;
    if (effectivePlacement(covering) === 'critical') critical++;
  }
  return {
    fleet: fleet.file,
    ...(fleet.name !== undefined ? { name: fleet.name } : {}),
    regions: {
      count: n,
      zones: new Set(fleet.regions.map((r) => r.zone)).size,
      countries: new Set(fleet.regions.map((r) => r.country)).size,
      cpu: round(fleet.regions.reduce((s, r) => s + r.capacity.cpu, 0)),
      memory_gib: round(fleet.regions.reduce((s, r) => s + r.capacity.memoryGib, 0)),
    },
    latency: { known_pairs: fleet.latency.pairCount, pairs: (n * (n - 1)) / 2 },
    intents: {
      count: ws.intents.length,
      files: ws.intentFiles.length,
      critical: ws.intents.filter((i) => i.placement === 'critical').length,
      flexible: ws.intents.filter((i) => i.placement === 'flexible').length,
    },
    workloads: {
      source: ws.hasInventory ? 'inventory' : 'clusters',
      count: ws.workloads.length,
      critical,
      flexible: ws.workloads.length - critical,
      uncovered,
      cpu: round(ws.workloads.reduce((s, w) => s + w.cpu, 0)),
      memory_gib: round(ws.workloads.reduce((s, w) => s + w.memoryGib, 0)),
    },
    carbon: {
      source: fleet.carbon.source,
      max_staleness: formatDuration(fleet.carbon.maxStalenessMs),
      emission_factor: fleet.carbon.emissionFactor,
    },
    policy: {
      schedule: fleet.policy.schedule,
      migration_budget: fleet.policy.migrationBudget,
      min_saving_percent: fleet.policy.minSavingPercent,
      cooldown: formatDuration(fleet.policy.cooldownMs),
    },
    notify: [...fleet.notify.keys()],
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

const num = (x: number): string => x.toLocaleString('en-US');

export function formatSummary(s: WorkspaceSummary): string {
  const { regions: r, intents: i, policy: p } = s;
  const lines = [
    `${s.fleet}: valid${s.name ? ` (fleet "${s.name}")` : ''}`,
    `  regions    ${r.count} in ${r.countries} countries on ${r.zones} grid zones; ` +
      `capacity ${num(r.cpu)} cpu, ${num(r.memory_gib)} GiB`,
    `  latency    ${s.latency.known_pairs} of ${s.latency.pairs} region pairs known (the rest are unreachable)`,
    `  intents    ${i.count} in ${i.files} files: ${i.critical} critical, ${i.flexible} flexible`,
    workloadsLine(s.workloads),
    `  carbon     ${s.carbon.source} (${s.carbon.emission_factor}), stale after ${s.carbon.max_staleness}`,
    `  policy     "${p.schedule}" (UTC), at most ${p.migration_budget} moves per run, ` +
      `min saving ${p.min_saving_percent}%, cooldown ${p.cooldown}`,
    `  notify     ${s.notify.length ? s.notify.join(', ') : 'no channels'}`,
  ];
  return lines.join('\n');
}

function workloadsLine(w: WorkspaceSummary['workloads']): string {
  if (w.source !== 'inventory')
    return '  workloads  none listed: no inventory file, workloads will be read from the clusters';
  const uncovered = w.uncovered ? ` (${num(w.uncovered)} covered by no intent, kept in place)` : '';
  return (
    `  workloads  ${num(w.count)} from the inventory: ${num(w.critical)} critical, ${num(w.flexible)} flexible` +
    `${uncovered}; requesting ${num(w.cpu)} cpu, ${num(w.memory_gib)} GiB`
  );
}
