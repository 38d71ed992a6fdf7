import { diagnostic, sortDiagnostics, type Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import { deepFreeze } from '../../../scheduler/freeze.js';
import type { Workload } from '../../../scheduler/inventory/model.js';
import { capacityReports, type FleetRegionCapacity } from './capacity.js';
import { CLUSTER_CODES } from './codes.js';
import type {
  ClusterInventory,
  ClusterReading,
  ClusterWorkload,
  DuplicateWorkload,
  InFlightMigration,
  KeptReason,
  KeptWorkload,
} from './model.js';
import { byNameThenKind, compare } from './read-cluster.js';

export interface InventoryOptions {
  /** The fleet file's regions (a fleet's `regions` will do): their names and capacities. */
  readonly regions: readonly FleetRegionCapacity[];
  /** Migrations the journal says are under way: while one runs, its workload is in both regions. */
  readonly inFlight: readonly InFlightMigration[];
}

/** One copy of a workload after comparing clusters: whether the planner sees it, and any new reasons. */
interface Settled {
  readonly copy: ClusterWorkload;
  readonly chosen: boolean;
  readonly more: readonly KeptReason[];
}

const MOVABLE = new Set(['Deployment', 'CronJob']);

/**
 * The fleet's inventory from its clusters' readings: each namespace/name once, in the
 * `Workload` shape the inventory file gives, plus what must stay put and why, the same
 * workload found in several clusters, and each region's capacity. Deterministic: sorted
 * by name, region and kind, whatever order the readings come in.
 */
export function clusterInventory(readings: readonly ClusterReading[], options: InventoryOptions): ClusterInventory {
  const sortedReadings = [...readings].sort((a, b) => compare(a.region, b.region) || compare(a.cluster, b.cluster));
  const out: Diagnostic[] = sortedReadings.flatMap((r) => r.diagnostics);
  const duplicates: DuplicateWorkload[] = [];
  const settled = groupByName(sortedReadings).flatMap((copies) => settle(copies, options.inFlight, duplicates, out));
  const listed = settled.filter((s) => s.chosen && s.copy.size !== undefined);
  const listedKeys = new Set(listed.map((s) => key(s.copy.cluster, s.copy.kind, s.copy.name)));
  return deepFreeze({
    workloads: listed.map((s) => toWorkload(s.copy)),
    pinned: new Set(listed.filter((s) => s.copy.kept.length + s.more.length > 0).map((s) => s.copy.name)),
    kept: settled.flatMap((s) => keptOf(s, listedKeys)),
    duplicates,
    capacity: capacityReports(sortedReadings, options.regions, (r, o) =>
      listedKeys.has(key(r.cluster, o.kind, o.name)),
    ),
    diagnostics: sortDiagnostics(out),
  });
}

function key(cluster: string, kind: string, name: string): string {
  return `${cluster} ${kind} ${name}`;
}

/** Every copy of each name, names sorted, copies by region then kind. */
function groupByName(readings: readonly ClusterReading[]): ClusterWorkload[][] {
  const all = readings.flatMap((r) => r.workloads);
  all.sort((a, b) => byNameThenKind(a, b) || compare(a.region, b.region));
  const groups: ClusterWorkload[][] = [];
  for (const w of all) {
    const last = groups[groups.length - 1];
    if (last && last[0]?.name === w.name) last.push(w);
    else groups.push([w]);
  }
  for (const g of groups) g.sort((a, b) => compare(a.region, b.region) || byNameThenKind(a, b));
  return groups;
}

/**
 * Which copy of a name the planner sees. One region: the first kind (a clash was reported
 * with the cluster). Several, with a movable kind among them: a journaled migration between
 * exactly those two regions explains it (the copy it moves from is the workload, in flight);
 * otherwise it is a duplicate, an exception, and no copy moves. Several, none movable (a
 * DaemonSet in every cluster): listed once, in the first region.
 */
function settle(
  copies: readonly ClusterWorkload[],
  inFlight: readonly InFlightMigration[],
  duplicates: DuplicateWorkload[],
  out: Diagnostic[],
): Settled[] {
  const first = copies[0] as ClusterWorkload;
  const regions = [...new Set(copies.map((c) => c.region))];
  if (regions.length === 1) return copies.map((copy, i) => ({ copy, chosen: i === 0, more: [] }));
  if (!copies.some((c) => MOVABLE.has(c.kind))) {
    const more = [
      {
        code: 'also-elsewhere' as const,
        reason: `also runs in ${regions.join(', ')}; listed once, in ${first.region}`,
      },
    ];
    return copies.map((copy, i) => ({ copy, chosen: i === 0, more: i === 0 ? [] : more }));
  }
  const migration = inFlight.find(
    (m) => m.workload === first.name && regions.length === 2 && regions.includes(m.from) && regions.includes(m.to),
  );
  if (migration) return inFlightCopies(copies, migration);
  duplicates.push(duplicateOf(copies));
  reportDuplicate(copies, out);
  const others = regions.filter((r) => r !== first.region).join(', ');
  const reason = `also runs in ${others} and no journaled migration explains it`;
  return copies.map((copy, i) => ({
    copy,
    chosen: i === 0,
    more: [{ code: 'duplicate' as const, reason: i === 0 ? reason : `a copy of ${first.name} in ${first.region}` }],
  }));
}

function inFlightCopies(copies: readonly ClusterWorkload[], m: InFlightMigration): Settled[] {
  const source = copies.find((c) => c.region === m.from) ?? copies[0];
  const reason = `a journaled migration from ${m.from} to ${m.to} is under way`;
  return copies.map((copy) => ({ copy, chosen: copy === source, more: [{ code: 'in-flight' as const, reason }] }));
}

function duplicateOf(copies: readonly ClusterWorkload[]): DuplicateWorkload {
  const name = (copies[0] as ClusterWorkload).name;
  const where = copies.map((c) => `${c.cluster} (${c.region})`).join(' and ');
  return {
    code: 'duplicate-workload',
    workload: name,
    copies: copies.map((c) => ({ region: c.region, cluster: c.cluster, kind: c.kind })),
    message: `${name} runs in ${where}, and no journaled migration explains it; it is not moved until only one is left`,
  };
}

function reportDuplicate(copies: readonly ClusterWorkload[], out: Diagnostic[]): void {
  const first = copies[0] as ClusterWorkload;
  for (const c of copies.slice(1)) {
    out.push(
      diagnostic({
        code: CLUSTER_CODES.duplicateWorkload,
        severity: 'warning',
        message:
          `"${c.name}" also runs in cluster ${first.cluster} (${first.region}); ` +
          'it is not moved until one copy is left',
        span: c.span,
        related: [{ message: 'the other copy', span: first.span }],
      }),
    );
  }
}

function keptOf(s: Settled, listedKeys: ReadonlySet<string>): KeptWorkload[] {
  const reasons = [...s.copy.kept, ...s.more];
  if (reasons.length === 0) return [];
  const { name, kind, region, cluster } = s.copy;
  return [{ name, kind, region, cluster, reasons, listed: listedKeys.has(key(cluster, kind, name)) }];
}

function toWorkload(w: ClusterWorkload): Workload {
  const size = w.size as NonNullable<ClusterWorkload['size']>;
  return {
    name: w.name,
    region: w.region,
    cpu: size.cpu,
    memoryGib: size.memoryGib,
    ...(w.intent !== undefined ? { intent: w.intent } : {}),
    dependsOn: w.dependsOn,
    span: w.span,
  };
}
