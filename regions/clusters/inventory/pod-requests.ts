import { arrayAt, at, objectAt, stringAt } from './json.js';
import { CLUSTER_CODES } from './codes.js';
import type { ObjectProblems } from './object-problems.js';
import { quote } from './quote.js';
import { MAX_QUANTITY_TEXT, quantityReader, type Resource } from './quantity.js';

/** What one pod asks the scheduler for, in millicores and bytes. */
export interface PodRequests {
  readonly cpuMilli: bigint;
  readonly memoryBytes: bigint;
  /** False when some request could not be read (each reported); the figures then undercount. */
  readonly readable: boolean;
}

const GIB = 2n ** 30n;
/** One container may ask for at most what one workload may (INVENTORY_RANGES): beyond is nonsense. */
export const MAX_CONTAINER: Readonly<Record<Resource, bigint>> = {
  cpu: 10_000n * 1000n,
  memory: 100_000n * GIB,
};

interface Totals {
  cpu: bigint;
  memory: bigint;
}

const RESOURCES: readonly Resource[] = ['cpu', 'memory'];

const READ: Readonly<Record<Resource, ReturnType<typeof quantityReader>>> = {
  cpu: quantityReader('cpu', MAX_CONTAINER.cpu),
  memory: quantityReader('memory', MAX_CONTAINER.memory),
};

/**
 * A pod's effective requests by the Kubernetes rule (resource helpers `PodRequests`, 1.29+):
 * per resource, the larger of (app containers + sidecars) and, over the init containers in
 * order, each one plus the sidecars started before it; sidecars are init containers with
 * `restartPolicy: Always`, which keep running beside the app. Then the pod overhead
 * (RuntimeClass) on top. A container with a limit but no request requests its limit, as the
 * API server defaults it when it creates the pod.
 *
 * `spec` is the pod spec; `field` is its path in the object (`spec.template.spec`).
 */
export function podRequests(spec: unknown, field: string, problems: ObjectProblems): PodRequests {
  let readable = true;
  const read = (container: unknown, path: string): Totals => {
    const r = containerRequests(container, path, problems);
    if (!r.readable) readable = false;
    return r;
  };
  const apps = sum(arrayAt(spec, 'containers').map((c, i) => read(c, `${field}.containers[${i}]`)));
  const sidecars: Totals = { cpu: 0n, memory: 0n };
  const initPeak: Totals = { cpu: 0n, memory: 0n };
  arrayAt(spec, 'initContainers').forEach((c, i) => {
    const own = read(c, `${field}.initContainers[${i}]`);
    const sidecar = stringAt(c, 'restartPolicy') === 'Always';
    if (sidecar) add(sidecars, own);
    for (const r of RESOURCES) {
      const during = sidecar ? sidecars[r] : own[r] + sidecars[r];
      if (during > initPeak[r]) initPeak[r] = during;
    }
  });
  const overhead = quantities(objectAt(spec, 'overhead'), `${field}.overhead`, problems);
  if (!overhead.readable) readable = false;
  const total = (r: Resource) => max(apps[r] + sidecars[r], initPeak[r]) + overhead[r];
  return { cpuMilli: total('cpu'), memoryBytes: total('memory'), readable };
}

function containerRequests(container: unknown, path: string, problems: ObjectProblems): Totals & { readable: boolean } {
  const requests = quantities(objectAt(container, 'resources', 'requests'), `${path}.resources.requests`, problems);
  const limits = quantities(objectAt(container, 'resources', 'limits'), `${path}.resources.limits`, problems);
  const pick = (r: Resource) => (requests.given[r] ? requests[r] : limits[r]);
  return { cpu: pick('cpu'), memory: pick('memory'), readable: requests.readable && limits.readable };
}

/** The cpu and memory of a resource list (requests, limits, overhead); absent ones are 0. */
function quantities(
  list: object | undefined,
  path: string,
  problems: ObjectProblems,
): Totals & { readable: boolean; given: Record<Resource, boolean> } {
  const out = { cpu: 0n, memory: 0n, readable: true, given: { cpu: false, memory: false } };
  for (const r of RESOURCES) {
    const raw = at(list, r);
    if (raw === undefined) continue;
    out.given[r] = true;
    const q = READ[r](raw);
    if (q.ok) out[r] = q.value;
    else {
      out.readable = false;
      reportQuantity(problems, `${path}.${r}`, r, raw, q.problem);
    }
  }
  return out;
}

/** A bad quantity, named by its field and quoted clipped; used for containers and nodes alike. */
export function reportQuantity(
  problems: ObjectProblems,
  field: string,
  resource: Resource,
  raw: unknown,
  problem: 'not-a-quantity' | 'negative' | 'too-large',
  limit = resource === 'cpu' ? '10000 cores' : '100000Gi',
): void {
  const what = `${resource} ${quote(raw)}`;
  if (problem === 'too-large') {
    problems.error(CLUSTER_CODES.outOfRange, `${what} is more than shisa can count (at most ${limit})`, field);
    return;
  }
  const message = problem === 'negative' ? `${what} is negative` : `${what} is not a Kubernetes quantity`;
  problems.error(CLUSTER_CODES.badQuantity, message, field, { expected: QUANTITY_EXAMPLES[resource] });
}

const QUANTITY_EXAMPLES: Readonly<Record<Resource, string>> = {
  cpu: `a quantity of cores such as 250m, 1 or 0.5 (at most ${MAX_QUANTITY_TEXT} characters)`,
  memory: `a quantity of bytes such as 128Mi, 1Gi, 1G or 1e9 (at most ${MAX_QUANTITY_TEXT} characters)`,
};

function sum(list: readonly Totals[]): Totals {
  const t: Totals = { cpu: 0n, memory: 0n };
  for (const x of list) add(t, x);
  return t;
}

function add(into: Totals, x: Totals): void {
  into.cpu += x.cpu;
  into.memory += x.memory;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
