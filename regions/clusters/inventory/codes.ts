/**
 * The stable codes of the diagnostics about cluster objects; scripts may match on them.
 * Every one is located at the object (and field) it is about, see object-span.ts.
 */
export const CLUSTER_CODES = {
  /** An item that is not an object, or has no valid namespace/name. */
  badObject: 'cluster/bad-object',
  /** A field of the wrong type or out of its domain: `replicas: "three"`, `parallelism: -1`. */
  badField: 'cluster/bad-field',
  /** A resource request, limit or allocatable that is not a Kubernetes quantity, or is negative. */
  badQuantity: 'cluster/bad-quantity',
  /** A quantity, or a workload's size, beyond what shisa can count exactly. */
  outOfRange: 'cluster/out-of-range',
  /** The label `shisa.io/intent` is not an intent name. */
  badIntentLabel: 'cluster/bad-intent-label',
  /** An item of `shisa.io/depends-on` that is not `namespace/name`. */
  badDependency: 'cluster/bad-dependency',
  /** An empty item of `shisa.io/depends-on` (`a/b,,c/d`); warning, the item is ignored. */
  emptyDependency: 'cluster/empty-dependency',
  /** The same item twice in `shisa.io/depends-on`; warning, it counts once. */
  duplicateDependency: 'cluster/duplicate-dependency',
  /** A workload that names itself in `shisa.io/depends-on`. */
  selfDependency: 'cluster/self-dependency',
  /** An annotation too long, or with too many items, to be meant. */
  annotationTooLarge: 'cluster/annotation-too-large',
  /** Two workloads of different kinds with the same namespace/name in one cluster. */
  nameClash: 'cluster/name-clash',
  /** The same namespace/name in two clusters outside a journaled migration; warning, it stays put. */
  duplicateWorkload: 'cluster/duplicate-workload',
  /** A node that cannot be counted (no or bad allocatable); warning, it adds nothing. */
  uncountedNode: 'cluster/uncounted-node',
  /** One object had more problems than are worth showing; the rest are counted here. */
  tooManyProblems: 'cluster/too-many-problems',
} as const;
