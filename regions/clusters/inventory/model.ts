import type { SelectorRequirement } from '../label-selector.js';
import type { Demand } from '../../../scheduler/capacity/region-load.js';
import type { Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import type { Located, Span } from '../../../scheduler/diagnostics/source-file.js';
import type { Workload } from '../../../scheduler/inventory/model.js';
import type { Labels, PeerAuthenticationReading } from '../mesh/peer-authentication.js';
import type { PodFacts } from './pod-facts.js';

/**
 * What was listed from one region's cluster, items as the API server returns them (plain
 * JSON, `kubectl get -o json`'s `items`). Nothing here is trusted: every field is checked
 * where it is read. ReplicaSets and Jobs are only read to find which Deployment or CronJob
 * a pod belongs to.
 */
export interface ClusterObjects {
  readonly region: string;
  /** The kubeconfig context, as the fleet file names it: how diagnostics name the cluster. */
  readonly cluster: string;
  readonly deployments?: readonly unknown[];
  readonly cronJobs?: readonly unknown[];
  readonly statefulSets?: readonly unknown[];
  readonly daemonSets?: readonly unknown[];
  readonly pods?: readonly unknown[];
  /** The pods already read one by one as they were listed (readPodFacts); when given, `pods` is not read. */
  readonly podFacts?: readonly PodFacts[];
  readonly nodes?: readonly unknown[];
  readonly replicaSets?: readonly unknown[];
  readonly jobs?: readonly unknown[];
  /** Istio PeerAuthentications (security.istio.io/v1), for `shisa verify`'s traffic-policy check. */
  readonly peerAuthentications?: readonly unknown[];
  /**
   * Which bare pods are workloads: those in these namespaces (empty: any) whose labels match
   * the selector (the fleet's `inventory: { namespaces, selector }`). Pods are listed
   * cluster-wide for capacity; one outside the scope counts there, not as a workload.
   */
  readonly bareScope?: {
    readonly namespaces: readonly string[];
    readonly selector?: readonly SelectorRequirement[];
  };
}

/** The kinds read as workloads; only Deployments and CronJobs may ever be moved. */
export type WorkloadKind = 'Deployment' | 'CronJob' | 'StatefulSet' | 'DaemonSet' | 'Pod';

export type KeptCode =
  /** StatefulSet, DaemonSet, bare Pod: read for capacity and as dependencies, never moved. */
  | 'not-movable-kind'
  /** No cpu or no memory request: its size would be a guess. */
  | 'no-requests'
  /** Scaled to zero: nothing runs, nothing to move. */
  | 'no-replicas'
  /** Some field shisa needs could not be read (see the diagnostics). */
  | 'unreadable'
  /** Another kind has the same namespace/name in the same cluster. */
  | 'name-clash'
  /** The same namespace/name runs in another cluster, and no journaled migration explains it. */
  | 'duplicate'
  /** A journaled migration of it is under way. */
  | 'in-flight'
  /** The same namespace/name (not movable) runs in several clusters; listed once, in the first region. */
  | 'also-elsewhere';

/** Why shisa keeps a workload where it is, in words for people and a code for scripts. */
export interface KeptReason {
  readonly code: KeptCode;
  readonly reason: string;
}

/** One workload as read from one cluster. */
export interface ClusterWorkload {
  /** `namespace/name` */
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly region: string;
  readonly cluster: string;
  /** Σ effective pod requests × replicas (cores, GiB); absent when it cannot be sized (see kept). */
  readonly size?: Demand;
  readonly intent?: string;
  readonly dependsOn: readonly Located<string>[];
  /**
   * The labels its pods carry (the pod template's, a bare pod's own), which decide the
   * PeerAuthentications that select it; undefined when they could not be read (see `mesh`).
   */
  readonly podLabels: Labels | undefined;
  readonly span: Span;
  /** Empty when nothing stops it moving (the intents still decide whether it may). */
  readonly kept: readonly KeptReason[];
}

/** A running or pending pod, and the workload that owns it (kind and namespace/name), if any of ours. */
export interface PodUse {
  readonly name: string;
  /** The workload it belongs to: a Deployment, CronJob, StatefulSet or DaemonSet, or itself if bare. */
  readonly owner?: { readonly kind: WorkloadKind; readonly name: string };
  /** The node it is bound to; absent while it waits to be scheduled. */
  readonly node?: string;
  readonly requests: Demand;
}

export interface NodeCount {
  /** Nodes counted: Ready, schedulable, with readable allocatable. */
  readonly counted: readonly string[];
  readonly excluded: readonly { readonly name: string; readonly reason: string }[];
  readonly allocatable: Demand;
}

/** All that one cluster says, before it is compared with the others. */
export interface ClusterReading {
  readonly region: string;
  readonly cluster: string;
  /** Sorted by name, then kind; two kinds with one name (a clash) are both here, both kept. */
  readonly workloads: readonly ClusterWorkload[];
  readonly pods: readonly PodUse[];
  readonly nodes: NodeCount;
  readonly diagnostics: readonly Diagnostic[];
  /** What the cluster says about Istio's mTLS, kept apart: planning does not depend on it. */
  readonly mesh: ClusterMesh;
}

/** One cluster's PeerAuthentications, and what could not be read for the traffic-policy check. */
export interface ClusterMesh {
  readonly peerAuthentications: PeerAuthenticationReading;
  /** Pod labels and PeerAuthentications that could not be read, sorted; none of them stops planning. */
  readonly diagnostics: readonly Diagnostic[];
}

/** A journaled migration not yet finished: while it runs, the workload exists in both regions. */
export interface InFlightMigration {
  readonly workload: string;
  readonly from: string;
  readonly to: string;
}

/** An exception for people: the same workload found in several clusters, none of them moved. */
export interface DuplicateWorkload {
  readonly code: 'duplicate-workload';
  readonly workload: string;
  /** Sorted by region. */
  readonly copies: readonly { readonly region: string; readonly cluster: string; readonly kind: WorkloadKind }[];
  readonly message: string;
}

/** Capacity of one region as its cluster reports it, next to what the fleet file says. */
export interface CapacityReport {
  readonly region: string;
  readonly cluster: string;
  readonly nodes: NodeCount;
  /** Requests of running and pending pods that no listed workload accounts for (system pods, strays). */
  readonly unaccounted: Demand;
  /** Allocatable less unaccounted, never below 0. */
  readonly clusterCapacity: Demand;
  /** The fleet file's capacity for the region, if the region is in it. */
  readonly fleetCapacity?: Demand;
  /** The smaller of the two, per resource: what the planner may fill. */
  readonly effective: Demand;
}

/** A workload shisa keeps where it is, with every reason. */
export interface KeptWorkload {
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly region: string;
  readonly cluster: string;
  readonly reasons: readonly KeptReason[];
  /** Whether it is among `workloads` (sized and listed, so it counts against its region's capacity). */
  readonly listed: boolean;
}

/** The fleet's workloads as its clusters report them. */
export interface ClusterInventory {
  /** What the planner reads, as an inventory file would give it: sized, one per name, sorted. */
  readonly workloads: readonly Workload[];
  /** Names among `workloads` that must not move whatever the intents say. */
  readonly pinned: ReadonlySet<string>;
  readonly kept: readonly KeptWorkload[];
  readonly duplicates: readonly DuplicateWorkload[];
  readonly capacity: readonly CapacityReport[];
  readonly diagnostics: readonly Diagnostic[];
}
