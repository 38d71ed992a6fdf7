import type { WorkloadKind } from './model.js';

/** How a kind of workload is read: where its pod spec is, how many pods it runs at once. */
export interface KindRule {
  readonly kind: WorkloadKind;
  /** Path to the pod spec, and the same as kubectl writes it. */
  readonly podSpec: readonly string[];
  readonly podSpecField: string;
  /** Where the number of pods running at once is written, and what it is when absent. */
  readonly count: { readonly path: readonly string[]; readonly field: string; readonly absent: number | 'pods' };
  /** Why it is never moved; absent for the movable kinds. */
  readonly neverMoved?: string;
}

/**
 * The kinds shisa reads, in the order a name clash is settled (the first keeps the name).
 * A CronJob is sized by one run at its peak: its job template's pods × parallelism
 * (clipped to completions when that is smaller). Between runs it takes nothing, and
 * overlapping runs (concurrencyPolicy Allow) are not foreseen: what a region must have room
 * for is one run, which is what moving it asks of the target.
 */
export const KIND_RULES: readonly KindRule[] = [
  {
    kind: 'Deployment',
    podSpec: ['spec', 'template', 'spec'],
    podSpecField: 'spec.template.spec',
    count: { path: ['spec', 'replicas'], field: 'spec.replicas', absent: 1 },
  },
  {
    kind: 'CronJob',
    podSpec: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
    podSpecField: 'spec.jobTemplate.spec.template.spec',
    count: {
      path: ['spec', 'jobTemplate', 'spec', 'parallelism'],
      field: 'spec.jobTemplate.spec.parallelism',
      absent: 1,
    },
  },
  {
    kind: 'StatefulSet',
    podSpec: ['spec', 'template', 'spec'],
    podSpecField: 'spec.template.spec',
    count: { path: ['spec', 'replicas'], field: 'spec.replicas', absent: 1 },
    neverMoved: 'a StatefulSet: its pods keep volumes and identities in their cluster; shisa reads it, never moves it',
  },
  {
    kind: 'DaemonSet',
    podSpec: ['spec', 'template', 'spec'],
    podSpecField: 'spec.template.spec',
    count: { path: ['status', 'desiredNumberScheduled'], field: 'status.desiredNumberScheduled', absent: 'pods' },
    neverMoved: 'a DaemonSet: it runs on the nodes of its own cluster; shisa reads it, never moves it',
  },
  {
    kind: 'Pod',
    podSpec: ['spec'],
    podSpecField: 'spec',
    count: { path: [], field: '', absent: 1 },
    neverMoved: 'a bare pod: no controller would recreate it elsewhere; shisa reads it, never moves it',
  },
];

export function ruleOf(kind: WorkloadKind): KindRule {
  return KIND_RULES.find((r) => r.kind === kind) as KindRule;
}
