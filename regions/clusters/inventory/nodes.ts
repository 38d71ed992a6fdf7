import type { Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import { FLEET_RANGES } from '../../fleet/ranges.js';
import { CLUSTER_CODES } from './codes.js';
import { nameOf } from './identify.js';
import { arrayAt, at, stringAt } from './json.js';
import type { NodeCount } from './model.js';
import { ObjectProblems } from './object-problems.js';
import { reportQuantity } from './pod-requests.js';
import { readQuantity, type Resource } from './quantity.js';
import { toCores, toGibDown } from './units.js';

const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';
const GIB = 2n ** 30n;
/** One node has at most what one region may (FLEET_RANGES): beyond is nonsense. */
const MAX_NODE: Readonly<Record<Resource, bigint>> = {
  cpu: BigInt(FLEET_RANGES['regions[].capacity.cpu'].max) * 1000n,
  memory: BigInt(FLEET_RANGES['regions[].capacity.memory_gib'].max) * GIB,
};
const LIMIT_TEXT: Readonly<Record<Resource, string>> = {
  cpu: `${FLEET_RANGES['regions[].capacity.cpu'].max} cores`,
  memory: `${FLEET_RANGES['regions[].capacity.memory_gib'].max}Gi`,
};

/**
 * The room the nodes of a cluster give: Σ `status.allocatable` of the nodes that are Ready
 * and schedulable (not cordoned: neither `spec.unschedulable` nor a NoSchedule/NoExecute
 * `node.kubernetes.io/unschedulable` taint). A node whose allocatable cannot be read adds
 * nothing: capacity is never guessed upwards.
 */
export function countNodes(nodes: readonly unknown[], cluster: string, out: Diagnostic[]): NodeCount {
  const counted: string[] = [];
  const excluded: { name: string; reason: string }[] = [];
  let cpu = 0n;
  let memory = 0n;
  nodes.forEach((node, i) => {
    const name = nameOf(node) ?? `#${i + 1}`;
    const reason = notCounted(node);
    const allocatable = reason === undefined ? readAllocatable(node, { cluster, kind: 'Node', name }, out) : undefined;
    if (reason !== undefined || allocatable === undefined) {
      excluded.push({ name, reason: reason ?? 'its allocatable cpu or memory could not be read' });
      return;
    }
    counted.push(name);
    cpu += allocatable.cpu;
    memory += allocatable.memory;
  });
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return {
    counted: counted.sort(),
    excluded: excluded.sort(byName),
    allocatable: { cpu: toCores(cpu), memoryGib: toGibDown(memory) },
  };
}

/** Why a node gives no room, or undefined if it does. */
function notCounted(node: unknown): string | undefined {
  const ready = arrayAt(node, 'status', 'conditions').find((c) => stringAt(c, 'type') === 'Ready');
  if (stringAt(ready, 'status') !== 'True') return 'not Ready';
  if (at(node, 'spec', 'unschedulable') === true) return 'cordoned (spec.unschedulable)';
  const cordon = arrayAt(node, 'spec', 'taints').some(
    (t) =>
      stringAt(t, 'key') === UNSCHEDULABLE_TAINT && ['NoSchedule', 'NoExecute'].includes(stringAt(t, 'effect') ?? ''),
  );
  return cordon ? `cordoned (taint ${UNSCHEDULABLE_TAINT})` : undefined;
}

function readAllocatable(
  node: unknown,
  ref: { cluster: string; kind: string; name: string },
  out: Diagnostic[],
): { cpu: bigint; memory: bigint } | undefined {
  const problems = new ObjectProblems(ref, out);
  const read = (r: Resource): bigint | undefined => {
    const field = `status.allocatable.${r}`;
    const raw = at(node, 'status', 'allocatable', r);
    if (raw === undefined) {
      problems.warning(CLUSTER_CODES.uncountedNode, `the node reports no allocatable ${r}; it is not counted`, field);
      return undefined;
    }
    const q = readQuantity(raw, r, MAX_NODE[r]);
    if (q.ok) return q.value;
    reportQuantity(problems, field, r, raw, q.problem, LIMIT_TEXT[r]);
    return undefined;
  };
  const cpu = read('cpu');
  const memory = read('memory');
  problems.finish();
  return cpu !== undefined && memory !== undefined ? { cpu, memory } : undefined;
}
