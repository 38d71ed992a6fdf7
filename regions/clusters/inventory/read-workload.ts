import type { Demand } from '../../../scheduler/capacity/region-load.js';
import type { Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import { objectSpan } from '../../../scheduler/diagnostics/object-span.js';
import { INVENTORY_RANGES } from '../../../scheduler/inventory/parse-inventory.js';
import { podTemplateLabels } from '../mesh/pod-template-labels.js';
import { CLUSTER_CODES } from './codes.js';
import { annotationsOf, labelsOf, type Identified } from './identify.js';
import { at } from './json.js';
import type { ClusterWorkload, KeptReason } from './model.js';
import { ObjectProblems } from './object-problems.js';
import { podRequests, type PodRequests } from './pod-requests.js';
import { quote } from './quote.js';
import { dependsOnAnnotation, intentLabel } from './shisa-metadata.js';
import { toCores, toGibUp } from './units.js';
import type { KindRule } from './workload-kinds.js';

/** Kubernetes counts replicas in an int32. */
const MAX_COUNT = 2 ** 31 - 1;

export interface WorkloadContext {
  readonly region: string;
  readonly cluster: string;
  /** How many pods of it run, for a DaemonSet whose status does not say. */
  readonly podsOf: (kind: string, name: string) => number;
  readonly out: Diagnostic[];
  /** Problems only the traffic-policy check depends on (pod labels): they do not keep a workload in place. */
  readonly meshOut: Diagnostic[];
}

/** One workload object read whole: its size, intent, dependencies, pods' labels, and why it stays put if it must. */
export function readWorkload(id: Identified, rule: KindRule, ctx: WorkloadContext): ClusterWorkload {
  const problems = new ObjectProblems(id.ref, ctx.out);
  const intent = intentLabel(labelsOf(id.object), problems);
  const dependsOn = dependsOnAnnotation(annotationsOf(id.object), id.name, problems);
  const requests = podRequests(at(id.object, ...rule.podSpec), rule.podSpecField, problems);
  const count = podCount(id, rule, ctx, problems);
  const sized = sizeOf(requests, count, rule, problems);
  const kept: KeptReason[] = [];
  if (rule.neverMoved !== undefined) kept.push({ code: 'not-movable-kind', reason: rule.neverMoved });
  if ('reason' in sized) kept.push(sized.reason);
  else if (problems.hasErrors) kept.push(UNREADABLE);
  problems.finish();
  return {
    name: id.name,
    kind: rule.kind,
    region: ctx.region,
    cluster: ctx.cluster,
    ...('size' in sized ? { size: sized.size } : {}),
    ...(intent !== undefined ? { intent } : {}),
    dependsOn,
    podLabels: podTemplateLabels(rule.kind, id.object, id.ref, ctx.meshOut),
    span: objectSpan(id.ref),
    kept,
  };
}

const UNREADABLE: KeptReason = {
  code: 'unreadable',
  reason: 'some of its fields could not be read (see the diagnostics); shisa moves only what it read in full',
};

/** Pods running at once: replicas, parallelism (at most completions), or a DaemonSet's scheduled count. */
function podCount(id: Identified, rule: KindRule, ctx: WorkloadContext, problems: ObjectProblems): number | undefined {
  if (rule.count.path.length === 0) return 1;
  const raw = at(id.object, ...rule.count.path);
  if (raw === undefined) return rule.count.absent === 'pods' ? ctx.podsOf(rule.kind, id.name) : rule.count.absent;
  if (!isCount(raw)) {
    problems.error(CLUSTER_CODES.badField, `${rule.count.field} is ${quote(raw)}`, rule.count.field, {
      expected: `a whole number from 0 to ${MAX_COUNT}`,
    });
    return undefined;
  }
  const completions = rule.kind === 'CronJob' ? at(id.object, 'spec', 'jobTemplate', 'spec', 'completions') : undefined;
  return isCount(completions) ? Math.min(raw, completions) : raw;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_COUNT;
}

type Sized = { readonly size: Demand } | { readonly reason: KeptReason };

/** requests × count in cores and GiB, or why it has no size; a size beyond the inventory's range is an error. */
function sizeOf(requests: PodRequests, count: number | undefined, rule: KindRule, problems: ObjectProblems): Sized {
  if (!requests.readable || count === undefined) return { reason: UNREADABLE };
  if (count === 0) return { reason: { code: 'no-replicas', reason: `${rule.count.field} is 0: nothing runs` } };
  const missing = [requests.cpuMilli === 0n ? 'cpu' : '', requests.memoryBytes === 0n ? 'memory' : ''].filter(Boolean);
  if (missing.length > 0) {
    const what = missing.join(' or ');
    return {
      reason: {
        code: 'no-requests',
        reason:
          `its containers request no ${what}, so its size would be a guess; ` + 'set resources.requests to let it move',
      },
    };
  }
  const size = {
    cpu: toCores(requests.cpuMilli * BigInt(count)),
    memoryGib: toGibUp(requests.memoryBytes * BigInt(count)),
  };
  const cpuMax = INVENTORY_RANGES['workloads[].cpu'].max;
  const memMax = INVENTORY_RANGES['workloads[].memory_gib'].max;
  if (size.cpu <= cpuMax && size.memoryGib <= memMax) return { size };
  problems.error(
    CLUSTER_CODES.outOfRange,
    `${count} pods request ${size.cpu} cores and ${size.memoryGib} GiB in all, more than a workload may ` +
      `(at most ${cpuMax} cores and ${memMax} GiB)`,
    rule.count.field || rule.podSpecField,
  );
  return { reason: UNREADABLE };
}
