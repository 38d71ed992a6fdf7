import type { Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import type { ObjectRef } from '../../../scheduler/diagnostics/source-file.js';
import type { Demand } from '../../../scheduler/capacity/region-load.js';
import { identify, type Identified } from './identify.js';
import { at, stringAt } from './json.js';
import { ObjectProblems } from './object-problems.js';
import { controllerOf, type OwnerRef } from './owners.js';
import { podRequests } from './pod-requests.js';
import { toCores, toGibUp } from './units.js';

/** Pods that have finished take nothing; every other phase (Pending, Running, Unknown) may. */
const FINISHED = new Set(['Succeeded', 'Failed']);

const NONE: readonly Diagnostic[] = Object.freeze([]);

/**
 * What shisa reads of one listed pod, before it is known whose the pod is (that needs the
 * cluster's ReplicaSets and Jobs). Reading each pod into this as its page arrives lets the
 * page's raw JSON go at once: a cluster's 15,000 pods are most of what it lists.
 */
export type PodFacts =
  /** Succeeded or Failed: it takes nothing and is not a workload. */
  | { readonly state: 'finished' }
  /** No namespace and name to call it by: reported, and not counted. */
  | { readonly state: 'unnamed'; readonly diagnostics: readonly Diagnostic[] }
  | {
      readonly state: 'live';
      /** `namespace/name` */
      readonly name: string;
      readonly ref: ObjectRef;
      /** Its controller (`ownerReferences` with `controller: true`); absent for a bare pod. */
      readonly controller?: OwnerRef;
      /** A bare pod is a workload of its own, read from the pod itself. */
      readonly bare?: Identified;
      readonly node?: string;
      readonly requests: Demand;
      /**
       * Findings about its requests. A workload's pods repeat its template, already reported
       * there, so these are reported only for a pod that belongs to no workload of ours.
       */
      readonly problems: readonly Diagnostic[];
    };

/** Item `index` of a cluster's pod list, read. Pure. */
export function readPodFacts(item: unknown, index: number, cluster: string): PodFacts {
  if (FINISHED.has(stringAt(item, 'status', 'phase') ?? '')) return { state: 'finished' };
  const unnamed: Diagnostic[] = [];
  const id = identify(item, 'Pod', index, cluster, unnamed);
  if (!id) return { state: 'unnamed', diagnostics: unnamed };
  const found: Diagnostic[] = [];
  const problems = new ObjectProblems(id.ref, found);
  const r = podRequests(at(item, 'spec'), 'spec', problems);
  problems.finish();
  const controller = controllerOf(item);
  const node = stringAt(item, 'spec', 'nodeName');
  return {
    state: 'live',
    name: id.name,
    ref: id.ref,
    ...(controller ? { controller } : { bare: id }),
    ...(node ? { node } : {}),
    requests: { cpu: toCores(r.cpuMilli), memoryGib: toGibUp(r.memoryBytes) },
    problems: found.length > 0 ? found : NONE,
  };
}
