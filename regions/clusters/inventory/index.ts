/**
 * Cluster objects as inventory: read each region's cluster with readCluster, then put the
 * readings together with clusterInventory. See docs/adr/0014-cluster-objects-as-inventory.md.
 */
export { clusterInventory, type InventoryOptions } from './cluster-inventory.js';
export type { FleetRegionCapacity } from './capacity.js';
export { CLUSTER_CODES } from './codes.js';
export type * from './model.js';
export { MAX_PROBLEMS_PER_OBJECT } from './object-problems.js';
export { ownerFields } from './owners.js';
export { readPodFacts, type PodFacts } from './pod-facts.js';
export { readCluster } from './read-cluster.js';
export { DEPENDS_ON_ANNOTATION, INTENT_LABEL, MAX_DEPENDENCIES, MAX_DEPENDS_ON_LENGTH } from './shisa-metadata.js';
