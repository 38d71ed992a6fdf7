import type { FleetClusters } from '../../regions/clusters/read-fleet-clusters.js';
import type { Fleet } from '../../regions/fleet/model.js';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Intent } from '../intent/model.js';
import type { Workload } from '../inventory/model.js';
import { workloadMatcher } from '../inventory/pattern.js';
import { coveringIntents } from '../promises/coverage.js';
import { digestWorkloads } from '../run/digest.js';
import type { InventoryRead } from '../run/ports.js';
import { checkWorkloads, type SourceLookup } from './cross-check.js';

/** The workloads the clusters report, as a run reads them, and what is wrong with them. */
export interface ClusterWorkloads {
  readonly read: InventoryRead;
  /** The clusters' object diagnostics, then the workloads checked against the fleet and intents. */
  readonly diagnostics: readonly Diagnostic[];
}

/** How a run's record names what it read from the clusters, beside the files. */
export const CLUSTERS_INPUT = 'clusters';

/** Dependencies that name no workload found: errors when every cluster was read. */
const UNKNOWN_DEPENDENCY = new Set(['inventory/unknown-dependency', 'intent/unknown-dependency']);

/**
 * What the clusters report, made into the run's inventory: the workloads (with when the
 * journal last saw each one move), what must stay where it is and why, the regions whose
 * cluster could not be read, and each readable region's capacity as its cluster has it.
 *
 * A dependency on a workload no cluster reports is an error when every cluster was read, as
 * in an inventory file. When some cluster could not be read, the workload may simply be
 * there: the dependency is a warning, and whatever depends on it stays where it is, since
 * nothing can say how far away it would be.
 */
export function clusterWorkloads(
  fleet: Fleet,
  intents: readonly Intent[],
  clusters: FleetClusters,
  lastMovedAt: ReadonlyMap<string, number>,
  sources: SourceLookup,
): ClusterWorkloads {
  const inv = clusters.inventory;
  const workloads = inv.workloads.map((w): Workload => {
    const at = lastMovedAt.get(w.name);
    return at === undefined ? w : { ...w, lastMovedAt: at };
  });
  const unavailable = new Map(
    clusters.clusters
      .filter((c) => c.state === 'unknown')
      .map((c) => [c.region, `cluster ${c.context} could not be read (${c.fault?.message ?? 'unreadable'})`]),
  );
  const held = heldByTheClusters(clusters);
  let checked = checkWorkloads(fleet, intents, workloads, sources);
  if (unavailable.size > 0) {
    for (const [name, why] of heldForUnknownDependencies(intents, workloads)) if (!held.has(name)) held.set(name, why);
    checked = checked.map((d) => (UNKNOWN_DEPENDENCY.has(d.code) ? maybeInUnknownCluster(d, unavailable) : d));
  }
  const capacity = new Map(inv.capacity.map((c) => [c.region, c.effective]));
  return {
    read: { workloads, inputs: [digestWorkloads(CLUSTERS_INPUT, workloads)], held, unavailable, capacity },
    diagnostics: [...inv.diagnostics, ...checked],
  };
}

/** The listed workloads the clusters keep in place (kinds never moved, duplicates, under way), with every reason. */
function heldByTheClusters(clusters: FleetClusters): Map<string, string> {
  const { pinned, kept } = clusters.inventory;
  const held = new Map<string, string>();
  for (const k of kept)
    if (k.listed && pinned.has(k.name) && !held.has(k.name))
      held.set(k.name, k.reasons.map((r) => r.reason).join('; '));
  for (const name of pinned) if (!held.has(name)) held.set(name, 'the clusters keep it where it is');
  return held;
}

/** Workloads whose own or whose intents' dependencies name nothing found, with the first such dependency. */
function heldForUnknownDependencies(intents: readonly Intent[], workloads: readonly Workload[]): Map<string, string> {
  const names = workloads.map((w) => w.name);
  const known = new Set(names);
  const matchesNothing = new Map<string, boolean>();
  const unmatched = (pattern: string): boolean => {
    let none = matchesNothing.get(pattern);
    if (none === undefined) {
      const m = workloadMatcher(pattern);
      matchesNothing.set(pattern, (none = !names.some(m)));
    }
    return none;
  };
  const intentDeps = (i: Intent) => [
    ...i.dependsOn,
    ...i.latency.flatMap((l) => l.to),
    ...i.circuitBreakers.flatMap((b) => b.to),
  ];
  const covering = coveringIntents(intents);
  const held = new Map<string, string>();
  for (const w of workloads) {
    const own = w.dependsOn.find((d) => !known.has(d.value))?.value;
    const viaIntent =
      own === undefined
        ? covering(w)
            .flatMap(intentDeps)
            .find((d) => unmatched(d.value))?.value
        : undefined;
    const missing = own ?? viaIntent;
    if (missing !== undefined)
      held.set(
        w.name,
        `depends on ${missing}, which no cluster that could be read reports; how far away it runs is unknown`,
      );
  }
  return held;
}

function maybeInUnknownCluster(d: Diagnostic, unavailable: ReadonlyMap<string, string>): Diagnostic {
  const regions = [...unavailable.keys()].join(', ');
  return diagnostic({
    code: d.code,
    severity: 'warning',
    message: d.message,
    span: d.span,
    ...(d.source ? { source: d.source } : {}),
    hint:
      `it may run in ${regions}, whose cluster could not be read; ` +
      'what depends on it stays where it is until it is found',
  });
}
