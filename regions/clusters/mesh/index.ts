/**
 * Istio's mesh as the clusters report it: PeerAuthentications read defensively, the mTLS
 * mode Istio gives a workload by its precedence, and the intents' `ensure(traffic_policy: …)`
 * checked against it. Pure: the caller lists the objects (list-cluster.ts) and reports.
 */
export {
  DEFAULT_ROOT_NAMESPACE,
  ISTIO_DEFAULT_MODE,
  effectiveMtls,
  selects,
  type EffectiveMode,
  type EffectiveMtls,
  type PodsOf,
  type PolicyScope,
  type SelectedPolicy,
  type Undetermined,
} from './effective-mtls.js';
export {
  MTLS_MODES,
  PEER_AUTHENTICATION_KIND,
  readPeerAuthentications,
  type Labels,
  type MtlsMode,
  type PeerAuthentication,
  type PeerAuthenticationReading,
  type PortMtls,
  type UnreadablePeerAuthentication,
} from './peer-authentication.js';
export { clusterMesh } from './cluster-mesh.js';
export { fleetMesh, type FleetMesh, type MeshWorkload, type UnreadCluster } from './fleet-mesh.js';
export { podTemplateLabels } from './pod-template-labels.js';
export {
  MESH_CODES,
  REQUIRED_MODE,
  trafficPolicyDiagnostic,
  trafficPolicyDrift,
  trafficRequirements,
  type ShownBy,
  type TrafficPolicyDrift,
  type TrafficPolicyInput,
  type TrafficRequirement,
  type TrafficWorkload,
  type UncheckedReason,
} from './traffic-policy-drift.js';
export { unreadClusterFindings } from './unread-clusters.js';
