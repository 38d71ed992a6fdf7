import type { ClusterStatus, FleetClusters } from '../../regions/clusters/read-fleet-clusters.js';
import type { CapacityReport, KeptWorkload } from '../../regions/clusters/inventory/index.js';
import { plural } from '../words.js';

const STAY = 'stay where they are';

/** `shisa inventory`'s text: clusters, capacity, workloads, what stays and why, duplicates. */
export function renderFleetClusters(read: FleetClusters): string {
  const inv = read.inventory;
  const unknown = read.clusters.filter((c) => c.state === 'unknown');
  const lines = [
    `Clusters    ${read.clusters.length - unknown.length} read${unknown.length ? `, ${unknown.length} unknown` : ''}`,
    ...table(read.clusters.map(clusterRow)),
    '',
    `Capacity    what each region's cluster has left (allocatable of Ready, schedulable nodes, ` +
      'less pods shisa does not list) and what the fleet allows',
    ...table([
      ['REGION', 'CLUSTER CPU', 'CLUSTER GiB', 'FLEET CPU', 'FLEET GiB', 'PLANNED WITH'],
      ...inv.capacity.map(capacityRow),
    ]),
    '',
    `Workloads   ${plural(inv.workloads.length, 'workload')}, ` +
      `${inv.workloads.length - inv.pinned.size} of them movable if their intents allow`,
    ...table([
      ['NAME', 'REGION', 'CPU', 'GiB', 'INTENT', 'DEPENDS ON'],
      ...inv.workloads.map((w) => [
        `${w.name}${inv.pinned.has(w.name) ? ' (stays)' : ''}`,
        w.region,
        num(w.cpu),
        num(w.memoryGib),
        w.intent ?? '-',
        w.dependsOn.map((d) => d.value).join(', ') || '-',
      ]),
    ]),
  ];
  if (inv.kept.length > 0)
    lines.push(
      '',
      `Kept        ${plural(inv.kept.length, 'workload')} ${inv.kept.length === 1 ? 'stays where it is' : STAY}`,
      ...table(inv.kept.map(keptRow)),
    );
  if (inv.duplicates.length > 0)
    lines.push(
      '',
      `Duplicates  ${plural(inv.duplicates.length, 'workload')} found in more than one cluster, none of them moved`,
      ...inv.duplicates.map((d) => `  ${d.message}`),
    );
  for (const c of unknown)
    lines.push(
      '',
      `Unknown     ${c.region}: nothing moves into or out of it until its cluster can be read ` +
        `(${c.fault?.message ?? 'unreadable'})`,
    );
  return `${lines.join('\n')}\n`;
}

function clusterRow(c: ClusterStatus): string[] {
  const how =
    c.state === 'read'
      ? `read in ${plural(c.stats.requests, 'request')}, ${(c.stats.ms / 1000).toFixed(2)} s`
      : `unknown: ${c.fault?.code ?? ''} ${c.fault?.message ?? ''}`;
  return [c.region, c.context, how];
}

function capacityRow(c: CapacityReport): string[] {
  return [
    c.region,
    num(c.clusterCapacity.cpu),
    num(c.clusterCapacity.memoryGib),
    c.fleetCapacity ? num(c.fleetCapacity.cpu) : '-',
    c.fleetCapacity ? num(c.fleetCapacity.memoryGib) : '-',
    `${num(c.effective.cpu)} CPU, ${num(c.effective.memoryGib)} GiB`,
  ];
}

function keptRow(k: KeptWorkload): string[] {
  return [k.name, k.kind, k.region, k.reasons.map((r) => r.reason).join('; ')];
}

const num = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(3).replace(/0+$/, ''));

/** Rows as left-aligned columns, two spaces in front. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows.reduce<number[]>((w, r) => r.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((r) =>
    `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd(),
  );
}
