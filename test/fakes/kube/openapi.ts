/**
 * The OpenAPI v3 documents the fake serves: `GET /openapi/v3` (an index of group-versions) and
 * `GET /openapi/v3/<gv>` (paths and schemas). kubectl reads them for `apply`: it looks for a
 * `patch` operation carrying `x-kubernetes-group-version-kind` and an inline `fieldValidation`
 * query parameter (server-side validation), and for strategic merge it walks the kind's schema
 * (`properties`, `allOf`/`$ref`, array `items`) reading `x-kubernetes-patch-merge-key` and
 * `x-kubernetes-patch-strategy`. kubectl fails over to its built-in types when a field is
 * missing from a schema, so the schemas below cover the maps and merged lists a manifest
 * usually carries; scalars are loosely typed. Custom resources (no schema here) get a
 * preserve-unknown-fields schema and no strategic merge, as the real server serves CRDs.
 */
import { createHash } from 'node:crypto';

import { groupVersion, type ResourceType } from './resource-types.js';

type Schema = Record<string, unknown>;

const K8S_VERSION = 'v1.32.0';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const CORE = 'io.k8s.api.core.v1';

// --- Schema building blocks -----------------------------------------------------------------

const string: Schema = { type: 'string' };
const integer: Schema = { type: 'integer', format: 'int32' };
const long: Schema = { type: 'integer', format: 'int64' };
const boolean: Schema = { type: 'boolean' };
const time: Schema = { type: 'string', format: 'date-time' };
const intOrString: Schema = { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true };
const quantity: Schema = { type: 'string', format: 'quantity' };
const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string', default: '' } };
const quantityMap: Schema = { type: 'object', additionalProperties: quantity };
const strings: Schema = { type: 'array', items: { type: 'string', default: '' }, 'x-kubernetes-list-type': 'atomic' };

/** A reference the way the real v3 documents write one: wrapped in allOf (kubectl unwraps allOf[0]). */
const ref = (name: string): Schema => ({ allOf: [{ $ref: `#/components/schemas/${name}` }], default: {} });
const object = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({
  type: 'object',
  properties,
  ...extra,
});
const atomicList = (items: Schema): Schema => ({ type: 'array', items, 'x-kubernetes-list-type': 'atomic' });

/** A list the API server merges by key: the strategic-merge tags and the server-side-apply markers. */
const keyedList = (items: Schema, key: string, options: { strategy?: string; mapKeys?: string[] } = {}): Schema => ({
  type: 'array',
  items,
  'x-kubernetes-list-map-keys': options.mapKeys ?? [key],
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-patch-merge-key': key,
  'x-kubernetes-patch-strategy': options.strategy ?? 'merge',
});

/** A list of scalars merged as a set (metadata.finalizers). */
const mergedSet = (items: Schema): Schema => ({
  type: 'array',
  items,
  'x-kubernetes-list-type': 'set',
  'x-kubernetes-patch-strategy': 'merge',
});

// --- Shared schemas ---------------------------------------------------------------------------

const conditionFields: Record<string, Schema> = {
  type: string,
  status: string,
  reason: string,
  message: string,
  lastTransitionTime: time,
  lastUpdateTime: time,
  lastProbeTime: time,
  lastHeartbeatTime: time,
  observedGeneration: long,
};

/** Conditions on every status: merged by type. */
const conditions = (schemaName: string): Schema => keyedList(ref(schemaName), 'type');

const META_SCHEMAS: Record<string, Schema> = {
  [`${META}.ObjectMeta`]: object({
    name: string,
    generateName: string,
    namespace: string,
    uid: string,
    resourceVersion: string,
    generation: long,
    creationTimestamp: time,
    deletionTimestamp: time,
    deletionGracePeriodSeconds: long,
    labels: stringMap,
    annotations: stringMap,
    finalizers: mergedSet({ type: 'string', default: '' }),
    ownerReferences: keyedList(ref(`${META}.OwnerReference`), 'uid'),
    managedFields: atomicList(ref(`${META}.ManagedFieldsEntry`)),
    selfLink: string,
  }),
  [`${META}.OwnerReference`]: object(
    { apiVersion: string, kind: string, name: string, uid: string, controller: boolean, blockOwnerDeletion: boolean },
    { required: ['apiVersion', 'kind', 'name', 'uid'], 'x-kubernetes-map-type': 'atomic' },
  ),
  [`${META}.ManagedFieldsEntry`]: object({
    manager: string,
    operation: string,
    apiVersion: string,
    time: time,
    fieldsType: string,
    fieldsV1: { type: 'object' },
    subresource: string,
  }),
  [`${META}.ListMeta`]: object({
    continue: string,
    remainingItemCount: long,
    resourceVersion: string,
    selfLink: string,
  }),
  [`${META}.LabelSelector`]: object(
    {
      matchLabels: stringMap,
      matchExpressions: atomicList(object({ key: string, operator: string, values: strings })),
    },
    { 'x-kubernetes-map-type': 'atomic' },
  ),
  [`${META}.Condition`]: object(conditionFields, { required: ['type', 'status'] }),
  [`${META}.Patch`]: object(
    {},
    { description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
  ),
  [`${META}.Status`]: object({
    apiVersion: string,
    kind: string,
    metadata: ref(`${META}.ListMeta`),
    status: string,
    message: string,
    reason: string,
    code: integer,
    details: object({ name: string, group: string, kind: string, uid: string, causes: atomicList(object({})) }),
  }),
  [`${META}.DeleteOptions`]: object({
    apiVersion: string,
    kind: string,
    dryRun: strings,
    gracePeriodSeconds: long,
    orphanDependents: boolean,
    propagationPolicy: string,
    preconditions: object({ resourceVersion: string, uid: string }),
  }),
};

// --- Pods and pod templates -------------------------------------------------------------------

const keyRef = object({ key: string, name: string, optional: boolean }, { 'x-kubernetes-map-type': 'atomic' });
const keyToPaths = atomicList(object({ key: string, path: string, mode: integer }));
const handler = object({
  exec: object({ command: strings }),
  httpGet: object({
    host: string,
    path: string,
    port: intOrString,
    scheme: string,
    httpHeaders: atomicList(object({ name: string, value: string })),
  }),
  tcpSocket: object({ host: string, port: intOrString }),
  grpc: object({ port: integer, service: string }),
  sleep: object({ seconds: long }),
});
const probe = object({
  ...(handler.properties as Record<string, Schema>),
  initialDelaySeconds: integer,
  timeoutSeconds: integer,
  periodSeconds: integer,
  successThreshold: integer,
  failureThreshold: integer,
  terminationGracePeriodSeconds: long,
});

const CONTAINER_FIELDS: Record<string, Schema> = {
  name: string,
  image: string,
  imagePullPolicy: string,
  command: strings,
  args: strings,
  workingDir: string,
  ports: keyedList(ref(`${CORE}.ContainerPort`), 'containerPort', { mapKeys: ['containerPort', 'protocol'] }),
  env: keyedList(ref(`${CORE}.EnvVar`), 'name'),
  envFrom: atomicList(
    object({
      prefix: string,
      configMapRef: object({ name: string, optional: boolean }),
      secretRef: object({ name: string, optional: boolean }),
    }),
  ),
  resources: ref(`${CORE}.ResourceRequirements`),
  resizePolicy: atomicList(object({ resourceName: string, restartPolicy: string })),
  restartPolicy: string,
  volumeMounts: keyedList(ref(`${CORE}.VolumeMount`), 'mountPath'),
  volumeDevices: keyedList(object({ name: string, devicePath: string }), 'devicePath'),
  livenessProbe: ref(`${CORE}.Probe`),
  readinessProbe: ref(`${CORE}.Probe`),
  startupProbe: ref(`${CORE}.Probe`),
  lifecycle: object({ postStart: handler, preStop: handler, stopSignal: string }),
  terminationMessagePath: string,
  terminationMessagePolicy: string,
  securityContext: ref(`${CORE}.SecurityContext`),
  stdin: boolean,
  stdinOnce: boolean,
  tty: boolean,
};

const podSpec = object({
  containers: keyedList(ref(`${CORE}.Container`), 'name'),
  initContainers: keyedList(ref(`${CORE}.Container`), 'name'),
  ephemeralContainers: keyedList(ref(`${CORE}.EphemeralContainer`), 'name'),
  volumes: keyedList(ref(`${CORE}.Volume`), 'name', { strategy: 'merge,retainKeys' }),
  imagePullSecrets: keyedList(ref(`${CORE}.LocalObjectReference`), 'name'),
  tolerations: atomicList(ref(`${CORE}.Toleration`)),
  hostAliases: keyedList(object({ ip: string, hostnames: strings }), 'ip'),
  topologySpreadConstraints: keyedList(
    object({
      topologyKey: string,
      whenUnsatisfiable: string,
      maxSkew: integer,
      minDomains: integer,
      labelSelector: ref(`${META}.LabelSelector`),
      matchLabelKeys: strings,
      nodeAffinityPolicy: string,
      nodeTaintsPolicy: string,
    }),
    'topologyKey',
    { mapKeys: ['topologyKey', 'whenUnsatisfiable'] },
  ),
  schedulingGates: keyedList(object({ name: string }), 'name'),
  readinessGates: atomicList(object({ conditionType: string })),
  nodeSelector: { ...stringMap, 'x-kubernetes-map-type': 'atomic' },
  affinity: ref(`${CORE}.Affinity`),
  securityContext: object({
    runAsUser: long,
    runAsGroup: long,
    runAsNonRoot: boolean,
    fsGroup: long,
    fsGroupChangePolicy: string,
    supplementalGroups: atomicList(long),
    seccompProfile: object({ type: string, localhostProfile: string }),
    seLinuxOptions: object({ user: string, role: string, type: string, level: string }),
    sysctls: atomicList(object({ name: string, value: string })),
  }),
  dnsConfig: object({
    nameservers: strings,
    searches: strings,
    options: atomicList(object({ name: string, value: string })),
  }),
  overhead: quantityMap,
  restartPolicy: string,
  terminationGracePeriodSeconds: long,
  activeDeadlineSeconds: long,
  dnsPolicy: string,
  serviceAccountName: string,
  serviceAccount: string,
  automountServiceAccountToken: boolean,
  nodeName: string,
  hostNetwork: boolean,
  hostPID: boolean,
  hostIPC: boolean,
  shareProcessNamespace: boolean,
  hostname: string,
  subdomain: string,
  schedulerName: string,
  priorityClassName: string,
  priority: integer,
  preemptionPolicy: string,
  runtimeClassName: string,
  enableServiceLinks: boolean,
});

const nodeSelectorTerm = object({
  matchExpressions: atomicList(object({ key: string, operator: string, values: strings })),
  matchFields: atomicList(object({ key: string, operator: string, values: strings })),
});
const podAffinityTerms = atomicList(object({}));

const POD_SCHEMAS: Record<string, Schema> = {
  [`${CORE}.PodSpec`]: { ...podSpec, required: ['containers'] },
  [`${CORE}.PodTemplateSpec`]: object({ metadata: ref(`${META}.ObjectMeta`), spec: ref(`${CORE}.PodSpec`) }),
  [`${CORE}.Container`]: object(CONTAINER_FIELDS, { required: ['name'] }),
  [`${CORE}.EphemeralContainer`]: object({ ...CONTAINER_FIELDS, targetContainerName: string }, { required: ['name'] }),
  [`${CORE}.ContainerPort`]: object(
    {
      name: string,
      containerPort: integer,
      protocol: { ...string, default: 'TCP' },
      hostIP: string,
      hostPort: integer,
    },
    { required: ['containerPort'] },
  ),
  [`${CORE}.EnvVar`]: object(
    {
      name: string,
      value: string,
      valueFrom: object({
        fieldRef: object({ apiVersion: string, fieldPath: string }, { 'x-kubernetes-map-type': 'atomic' }),
        resourceFieldRef: object({ containerName: string, resource: string, divisor: quantity }),
        configMapKeyRef: keyRef,
        secretKeyRef: keyRef,
      }),
    },
    { required: ['name'] },
  ),
  [`${CORE}.VolumeMount`]: object(
    {
      name: string,
      mountPath: string,
      subPath: string,
      subPathExpr: string,
      readOnly: boolean,
      mountPropagation: string,
    },
    { required: ['name', 'mountPath'] },
  ),
  [`${CORE}.Volume`]: object(
    {
      name: string,
      configMap: object({ name: string, items: keyToPaths, defaultMode: integer, optional: boolean }),
      secret: object({ secretName: string, items: keyToPaths, defaultMode: integer, optional: boolean }),
      emptyDir: object({ medium: string, sizeLimit: quantity }),
      hostPath: object({ path: string, type: string }),
      persistentVolumeClaim: object({ claimName: string, readOnly: boolean }),
      projected: object({ sources: atomicList(object({})), defaultMode: integer }),
      downwardAPI: object({ items: atomicList(object({})), defaultMode: integer }),
      csi: object({ driver: string, readOnly: boolean, fsType: string, volumeAttributes: stringMap }),
    },
    { required: ['name'] },
  ),
  [`${CORE}.ResourceRequirements`]: object({
    limits: quantityMap,
    requests: quantityMap,
    claims: keyedList(object({ name: string, request: string }), 'name'),
  }),
  [`${CORE}.Probe`]: probe,
  [`${CORE}.SecurityContext`]: object({
    capabilities: object({ add: strings, drop: strings }),
    privileged: boolean,
    runAsUser: long,
    runAsGroup: long,
    runAsNonRoot: boolean,
    readOnlyRootFilesystem: boolean,
    allowPrivilegeEscalation: boolean,
    procMount: string,
    seccompProfile: object({ type: string, localhostProfile: string }),
    seLinuxOptions: object({ user: string, role: string, type: string, level: string }),
  }),
  [`${CORE}.Affinity`]: object({
    nodeAffinity: object({
      requiredDuringSchedulingIgnoredDuringExecution: object({ nodeSelectorTerms: atomicList(nodeSelectorTerm) }),
      preferredDuringSchedulingIgnoredDuringExecution: atomicList(
        object({ weight: integer, preference: nodeSelectorTerm }),
      ),
    }),
    podAffinity: object({
      requiredDuringSchedulingIgnoredDuringExecution: podAffinityTerms,
      preferredDuringSchedulingIgnoredDuringExecution: podAffinityTerms,
    }),
    podAntiAffinity: object({
      requiredDuringSchedulingIgnoredDuringExecution: podAffinityTerms,
      preferredDuringSchedulingIgnoredDuringExecution: podAffinityTerms,
    }),
  }),
  [`${CORE}.Toleration`]: object({
    key: string,
    operator: string,
    value: string,
    effect: string,
    tolerationSeconds: long,
  }),
  [`${CORE}.LocalObjectReference`]: object({ name: string }, { 'x-kubernetes-map-type': 'atomic' }),
  [`${CORE}.ObjectReference`]: object(
    {
      apiVersion: string,
      kind: string,
      name: string,
      namespace: string,
      uid: string,
      resourceVersion: string,
      fieldPath: string,
    },
    { 'x-kubernetes-map-type': 'atomic' },
  ),
  [`${CORE}.ServicePort`]: object(
    {
      name: string,
      protocol: { ...string, default: 'TCP' },
      appProtocol: string,
      port: integer,
      targetPort: intOrString,
      nodePort: integer,
    },
    { required: ['port'] },
  ),
  [`${CORE}.PodCondition`]: object(conditionFields, { required: ['type', 'status'] }),
  [`${CORE}.PodStatus`]: object({
    phase: string,
    conditions: conditions(`${CORE}.PodCondition`),
    message: string,
    reason: string,
    hostIP: string,
    podIP: string,
    podIPs: keyedList(object({ ip: string }), 'ip'),
    startTime: time,
    qosClass: string,
    containerStatuses: atomicList(object({})),
    initContainerStatuses: atomicList(object({})),
  }),
};

// --- Kinds ------------------------------------------------------------------------------------

const replicaStatus = (conditionSchema: string, extra: Record<string, Schema> = {}): Schema =>
  object({
    observedGeneration: long,
    replicas: integer,
    readyReplicas: integer,
    availableReplicas: integer,
    updatedReplicas: integer,
    unavailableReplicas: integer,
    collisionCount: integer,
    conditions: conditions(conditionSchema),
    ...extra,
  });

const rollingUpdate = object({ maxSurge: intOrString, maxUnavailable: intOrString, partition: integer });
const jobSpec = object({
  template: ref(`${CORE}.PodTemplateSpec`),
  selector: ref(`${META}.LabelSelector`),
  parallelism: integer,
  completions: integer,
  completionMode: string,
  backoffLimit: integer,
  backoffLimitPerIndex: integer,
  maxFailedIndexes: integer,
  activeDeadlineSeconds: long,
  ttlSecondsAfterFinished: integer,
  suspend: boolean,
  manualSelector: boolean,
  podReplacementPolicy: string,
  managedBy: string,
  podFailurePolicy: object({ rules: atomicList(object({})) }),
  successPolicy: object({ rules: atomicList(object({})) }),
});

/** Each built-in kind's spec/status (or other top-level) schema, keyed by schema name. */
const KIND_FIELDS: Record<string, Record<string, Schema>> = {
  [`${CORE}.Namespace`]: {
    spec: object({ finalizers: strings }),
    status: object({ phase: string, conditions: conditions(`${META}.Condition`) }),
  },
  [`${CORE}.Node`]: {
    spec: object({
      podCIDR: string,
      podCIDRs: mergedSet(string),
      providerID: string,
      unschedulable: boolean,
      taints: atomicList(object({ key: string, value: string, effect: string, timeAdded: time })),
    }),
    status: object({
      capacity: quantityMap,
      allocatable: quantityMap,
      phase: string,
      conditions: conditions(`${META}.Condition`),
      addresses: keyedList(object({ type: string, address: string }), 'type'),
      nodeInfo: object({}),
    }),
  },
  [`${CORE}.Pod`]: { spec: ref(`${CORE}.PodSpec`), status: ref(`${CORE}.PodStatus`) },
  [`${CORE}.ConfigMap`]: {
    data: stringMap,
    binaryData: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
    immutable: boolean,
  },
  [`${CORE}.Secret`]: {
    data: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
    stringData: stringMap,
    type: string,
    immutable: boolean,
  },
  [`${CORE}.Service`]: {
    spec: object({
      ports: keyedList(ref(`${CORE}.ServicePort`), 'port', { mapKeys: ['port', 'protocol'] }),
      selector: { ...stringMap, 'x-kubernetes-map-type': 'atomic' },
      type: string,
      clusterIP: string,
      clusterIPs: strings,
      externalIPs: strings,
      externalName: string,
      externalTrafficPolicy: string,
      internalTrafficPolicy: string,
      ipFamilies: strings,
      ipFamilyPolicy: string,
      loadBalancerIP: string,
      loadBalancerSourceRanges: strings,
      loadBalancerClass: string,
      publishNotReadyAddresses: boolean,
      sessionAffinity: string,
      sessionAffinityConfig: object({ clientIP: object({ timeoutSeconds: integer }) }),
      allocateLoadBalancerNodePorts: boolean,
      healthCheckNodePort: integer,
      trafficDistribution: string,
    }),
    status: object({
      loadBalancer: object({ ingress: atomicList(object({ ip: string, hostname: string, ipMode: string })) }),
      conditions: conditions(`${META}.Condition`),
    }),
  },
  [`${CORE}.Event`]: {
    involvedObject: ref(`${CORE}.ObjectReference`),
    related: ref(`${CORE}.ObjectReference`),
    reason: string,
    message: string,
    type: string,
    action: string,
    count: integer,
    source: object({ component: string, host: string }),
    series: object({ count: integer, lastObservedTime: time }),
    firstTimestamp: time,
    lastTimestamp: time,
    eventTime: { type: 'string', format: 'date-time' },
    reportingComponent: string,
    reportingInstance: string,
  },
  'io.k8s.api.apps.v1.Deployment': {
    spec: object({
      replicas: integer,
      selector: ref(`${META}.LabelSelector`),
      template: ref(`${CORE}.PodTemplateSpec`),
      strategy: object({ type: string, rollingUpdate }, { 'x-kubernetes-patch-strategy': 'retainKeys' }),
      minReadySeconds: integer,
      revisionHistoryLimit: integer,
      paused: boolean,
      progressDeadlineSeconds: integer,
    }),
    status: replicaStatus(`${META}.Condition`),
  },
  'io.k8s.api.apps.v1.StatefulSet': {
    spec: object({
      replicas: integer,
      selector: ref(`${META}.LabelSelector`),
      template: ref(`${CORE}.PodTemplateSpec`),
      serviceName: string,
      podManagementPolicy: string,
      updateStrategy: object({ type: string, rollingUpdate }),
      volumeClaimTemplates: atomicList(object({ metadata: ref(`${META}.ObjectMeta`), spec: object({}) })),
      revisionHistoryLimit: integer,
      minReadySeconds: integer,
      persistentVolumeClaimRetentionPolicy: object({ whenDeleted: string, whenScaled: string }),
      ordinals: object({ start: integer }),
    }),
    status: replicaStatus(`${META}.Condition`, {
      currentReplicas: integer,
      currentRevision: string,
      updateRevision: string,
    }),
  },
  'io.k8s.api.apps.v1.DaemonSet': {
    spec: object({
      selector: ref(`${META}.LabelSelector`),
      template: ref(`${CORE}.PodTemplateSpec`),
      updateStrategy: object({ type: string, rollingUpdate }),
      minReadySeconds: integer,
      revisionHistoryLimit: integer,
    }),
    status: object({
      currentNumberScheduled: integer,
      desiredNumberScheduled: integer,
      numberAvailable: integer,
      numberMisscheduled: integer,
      numberReady: integer,
      numberUnavailable: integer,
      updatedNumberScheduled: integer,
      observedGeneration: long,
      conditions: conditions(`${META}.Condition`),
    }),
  },
  'io.k8s.api.apps.v1.ReplicaSet': {
    spec: object({
      replicas: integer,
      selector: ref(`${META}.LabelSelector`),
      template: ref(`${CORE}.PodTemplateSpec`),
      minReadySeconds: integer,
    }),
    status: replicaStatus(`${META}.Condition`, { fullyLabeledReplicas: integer }),
  },
  'io.k8s.api.batch.v1.Job': {
    spec: jobSpec,
    status: object({
      // Job conditions merge by type for strategic merge but are atomic for server-side apply.
      conditions: {
        type: 'array',
        items: ref(`${META}.Condition`),
        'x-kubernetes-list-type': 'atomic',
        'x-kubernetes-patch-merge-key': 'type',
        'x-kubernetes-patch-strategy': 'merge',
      },
      startTime: time,
      completionTime: time,
      active: integer,
      succeeded: integer,
      failed: integer,
      ready: integer,
      terminating: integer,
      completedIndexes: string,
      failedIndexes: string,
    }),
  },
  'io.k8s.api.batch.v1.CronJob': {
    spec: object({
      schedule: string,
      timeZone: string,
      startingDeadlineSeconds: long,
      concurrencyPolicy: string,
      suspend: boolean,
      successfulJobsHistoryLimit: integer,
      failedJobsHistoryLimit: integer,
      jobTemplate: object({ metadata: ref(`${META}.ObjectMeta`), spec: jobSpec }),
    }),
    status: object({
      active: atomicList(ref(`${CORE}.ObjectReference`)),
      lastScheduleTime: time,
      lastSuccessfulTime: time,
    }),
  },
  'io.k8s.api.coordination.v1.Lease': {
    spec: object({
      holderIdentity: string,
      leaseDurationSeconds: integer,
      acquireTime: { type: 'string', format: 'date-time' },
      renewTime: { type: 'string', format: 'date-time' },
      leaseTransitions: integer,
      strategy: string,
      preferredHolder: string,
    }),
  },
};

const AUTOSCALING_SCALE = 'io.k8s.api.autoscaling.v1.Scale';
const SCALE_SCHEMA: Schema = object({
  apiVersion: string,
  kind: string,
  metadata: ref(`${META}.ObjectMeta`),
  spec: object({ replicas: integer }),
  status: object({ replicas: integer, selector: string }),
});

const ALL_SCHEMAS: Record<string, Schema> = { ...META_SCHEMAS, ...POD_SCHEMAS, [AUTOSCALING_SCALE]: SCALE_SCHEMA };

// --- Schema names and kind schemas ------------------------------------------------------------

/** `io.k8s.api.apps.v1.Deployment`; a custom resource's is its reversed group (`io.istio.security.v1.…`). */
export function schemaName(type: Pick<ResourceType, 'group' | 'version' | 'kind'>): string {
  if (type.group === '') return `${CORE.slice(0, -'.v1'.length)}.${type.version}.${type.kind}`;
  const builtIn = `io.k8s.api.${type.group.replace(/\.k8s\.io$/, '')}.${type.version}.${type.kind}`;
  if (builtIn in KIND_FIELDS) return builtIn;
  return `${type.group.split('.').reverse().join('.')}.${type.version}.${type.kind}`;
}

const isBuiltIn = (type: ResourceType): boolean => schemaName(type) in KIND_FIELDS;

const gvk = (type: ResourceType, kind = type.kind) => ({ group: type.group, kind, version: type.version });

function kindSchema(type: ResourceType): Schema {
  const header = { apiVersion: string, kind: string, metadata: ref(`${META}.ObjectMeta`) };
  const extensions = { 'x-kubernetes-group-version-kind': [gvk(type)] };
  const fields = KIND_FIELDS[schemaName(type)];
  if (fields === undefined) return object(header, { ...extensions, 'x-kubernetes-preserve-unknown-fields': true });
  return object({ ...header, ...fields }, extensions);
}

function listSchema(type: ResourceType): Schema {
  return object(
    {
      apiVersion: string,
      kind: string,
      items: { type: 'array', items: ref(schemaName(type)) },
      metadata: ref(`${META}.ListMeta`),
    },
    { required: ['items'], 'x-kubernetes-group-version-kind': [gvk(type, type.listKind)] },
  );
}

/** Every schema a document's roots refer to, directly or through other schemas. */
function reachableSchemas(roots: Record<string, Schema>): Record<string, Schema> {
  const found: Record<string, Schema> = { ...roots };
  const pending = Object.values(roots);
  for (let schema = pending.pop(); schema !== undefined; schema = pending.pop()) {
    for (const [, name] of JSON.stringify(schema).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      const target = name === undefined ? undefined : ALL_SCHEMAS[name];
      if (name !== undefined && target !== undefined && !(name in found)) {
        found[name] = target;
        pending.push(target);
      }
    }
  }
  return Object.fromEntries(Object.entries(found).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// --- Paths and operations ---------------------------------------------------------------------

const queryParameter = (name: string, description: string, schema: Schema = { type: 'string', uniqueItems: true }) => ({
  name,
  in: 'query',
  description,
  schema,
});

const DRY_RUN = queryParameter('dryRun', 'When present, indicates that modifications should not be persisted.');
const FIELD_MANAGER = queryParameter(
  'fieldManager',
  'fieldManager is a name associated with the actor or entity that is making these changes.',
);
const FIELD_VALIDATION = queryParameter(
  'fieldValidation',
  'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn (default) - Strict',
);
const FORCE = queryParameter('force', 'Force is going to "force" Apply requests.', {
  type: 'boolean',
  uniqueItems: true,
});
const LIST_PARAMETERS = [
  ['allowWatchBookmarks', 'boolean'],
  ['continue', 'string'],
  ['fieldSelector', 'string'],
  ['labelSelector', 'string'],
  ['limit', 'integer'],
  ['resourceVersion', 'string'],
  ['resourceVersionMatch', 'string'],
  ['sendInitialEvents', 'boolean'],
  ['timeoutSeconds', 'integer'],
  ['watch', 'boolean'],
].map(([name, type]) => queryParameter(name ?? '', `${name ?? ''} (list and watch)`, { type, uniqueItems: true }));
const DELETE_PARAMETERS = [
  DRY_RUN,
  queryParameter('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.', {
    type: 'integer',
    uniqueItems: true,
  }),
  queryParameter('orphanDependents', 'Deprecated: please use the PropagationPolicy.', {
    type: 'boolean',
    uniqueItems: true,
  }),
  queryParameter('propagationPolicy', 'Whether and how garbage collection will be performed.'),
];

const pathParameter = (name: string) => ({
  name,
  in: 'path',
  description: `${name} of the resource`,
  required: true,
  schema: { type: 'string', uniqueItems: true },
});
const PRETTY = queryParameter('pretty', "If 'true', then the output is pretty printed.");

const JSON_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const responseBody = (schema: string) => ({
  content: Object.fromEntries(JSON_TYPES.map((type) => [type, { schema: { $ref: `#/components/schemas/${schema}` } }])),
});
const requestBody = (types: readonly string[], schema: string) => ({
  content: Object.fromEntries(types.map((type) => [type, { schema: { $ref: `#/components/schemas/${schema}` } }])),
  required: true,
});

/** The patch content types: custom resources take no strategic merge patch (the API server answers 415). */
const patchTypes = (strategic: boolean): string[] => [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  ...(strategic ? ['application/strategic-merge-patch+json'] : []),
];

/** `AppsV1`, `CoreV1`, `CoordinationV1`, `SecurityIstioIoV1`: the operationId infix. */
function operationInfix(type: ResourceType): string {
  const group = type.group === '' ? 'core' : type.group.replace(/\.k8s\.io$/, '');
  const camel = group
    .split('.')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return `${camel}${type.version.charAt(0).toUpperCase()}${type.version.slice(1)}`;
}

const tag = (type: ResourceType): string => {
  const infix = operationInfix(type);
  const group = infix.slice(0, infix.length - type.version.length);
  return `${group.charAt(0).toLowerCase()}${group.slice(1)}_${type.version}`;
};

interface OperationSpec {
  readonly verb: string;
  readonly action: string;
  readonly description: string;
  readonly parameters: readonly unknown[];
  readonly body?: unknown;
  readonly response: string;
  readonly created?: boolean;
  readonly kind?: { group: string; kind: string; version: string };
}

function operation(type: ResourceType, name: string, spec: OperationSpec) {
  return {
    tags: [tag(type)],
    description: spec.description,
    operationId: `${spec.verb}${operationInfix(type)}${name}`,
    ...(spec.parameters.length > 0 ? { parameters: spec.parameters } : {}),
    ...(spec.body === undefined ? {} : { requestBody: spec.body }),
    responses: {
      '200': { description: 'OK', ...responseBody(spec.response) },
      ...(spec.created ? { '201': { description: 'Created', ...responseBody(spec.response) } } : {}),
      '401': { description: 'Unauthorized' },
    },
    'x-kubernetes-action': spec.action,
    'x-kubernetes-group-version-kind': spec.kind ?? gvk(type),
  };
}

const apiPrefix = (type: ResourceType): string => (type.group === '' ? '/api/v1' : `/apis/${groupVersion(type)}`);
const scopedName = (type: ResourceType): string => `${type.namespaced ? 'Namespaced' : ''}${type.kind}`;

function collectionPath(type: ResourceType) {
  const name = scopedName(type);
  const schema = schemaName(type);
  return {
    get: operation(type, name, {
      verb: 'list',
      action: 'list',
      description: `list or watch objects of kind ${type.kind}`,
      parameters: LIST_PARAMETERS,
      response: `${schema}List`,
    }),
    post: operation(type, name, {
      verb: 'create',
      action: 'post',
      description: `create ${article(type.kind)} ${type.kind}`,
      parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
      body: requestBody(['*/*'], schema),
      response: schema,
      created: true,
    }),
    delete: operation(type, `Collection${name}`, {
      verb: 'delete',
      action: 'deletecollection',
      description: `delete collection of ${type.kind}`,
      parameters: [...DELETE_PARAMETERS, ...LIST_PARAMETERS],
      body: { content: { '*/*': { schema: { $ref: `#/components/schemas/${META}.DeleteOptions` } } } },
      response: `${META}.Status`,
    }),
    parameters: [...(type.namespaced ? [pathParameter('namespace')] : []), PRETTY],
  };
}

/** The item path (`…/{name}`) or a subresource's (`…/{name}/status`): get, put, patch, and delete on the item. */
function itemPath(type: ResourceType, subresource?: string) {
  const suffix = subresource === undefined ? '' : subresource.charAt(0).toUpperCase() + subresource.slice(1);
  const name = `${scopedName(type)}${suffix}`;
  const isScale = subresource === 'scale';
  const schema = isScale ? AUTOSCALING_SCALE : schemaName(type);
  const kind = isScale ? { group: 'autoscaling', kind: 'Scale', version: 'v1' } : gvk(type);
  const what = `${subresource === undefined ? '' : `${subresource} of `}the specified ${type.kind}`;
  const common = { response: schema, kind };
  return {
    get: operation(type, name, { ...common, verb: 'read', action: 'get', description: `read ${what}`, parameters: [] }),
    put: operation(type, name, {
      ...common,
      verb: 'replace',
      action: 'put',
      description: `replace ${what}`,
      parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION],
      body: requestBody(['*/*'], schema),
      created: true,
    }),
    patch: operation(type, name, {
      ...common,
      verb: 'patch',
      action: 'patch',
      description: `partially update ${what}`,
      parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE],
      body: requestBody(patchTypes(isBuiltIn(type) || isScale), `${META}.Patch`),
      created: true,
    }),
    ...(subresource === undefined
      ? {
          delete: operation(type, name, {
            verb: 'delete',
            action: 'delete',
            description: `delete ${article(type.kind)} ${type.kind}`,
            parameters: DELETE_PARAMETERS,
            body: { content: { '*/*': { schema: { $ref: `#/components/schemas/${META}.DeleteOptions` } } } },
            response: `${META}.Status`,
          }),
        }
      : {}),
    parameters: [pathParameter('name'), ...(type.namespaced ? [pathParameter('namespace')] : []), PRETTY],
  };
}

const article = (word: string): string => (/^[AEIOU]/.test(word) ? 'an' : 'a');

function pathsOf(type: ResourceType): Record<string, unknown> {
  const base = type.namespaced
    ? `${apiPrefix(type)}/namespaces/{namespace}/${type.plural}`
    : `${apiPrefix(type)}/${type.plural}`;
  const paths: Record<string, unknown> = { [base]: collectionPath(type), [`${base}/{name}`]: itemPath(type) };
  for (const subresource of type.subresources) paths[`${base}/{name}/${subresource}`] = itemPath(type, subresource);
  if (type.namespaced) {
    paths[`${apiPrefix(type)}/${type.plural}`] = {
      get: operation(type, `${type.kind}ForAllNamespaces`, {
        verb: 'list',
        action: 'list',
        description: `list or watch objects of kind ${type.kind}`,
        parameters: [],
        response: `${schemaName(type)}List`,
      }),
      parameters: [...LIST_PARAMETERS, PRETTY],
    };
  }
  return paths;
}

// --- Documents --------------------------------------------------------------------------------

/**
 * `GET /openapi/v3/<path>`, for `apps/v1` or the index's path form `apis/apps/v1` (`v1` or
 * `api/v1` for the core group); undefined when no served type is in that group-version.
 */
export function openApiV3Document(types: readonly ResourceType[], requested: string): unknown {
  const gv = requested.replace(/^apis\//, '').replace(/^api\/(?=v1$)/, '');
  const served = types.filter((type) => groupVersion(type) === gv);
  const first = served[0];
  if (first === undefined) return undefined;
  const roots: Record<string, Schema> = {
    [`${META}.Status`]: ALL_SCHEMAS[`${META}.Status`] as Schema,
    [`${META}.DeleteOptions`]: ALL_SCHEMAS[`${META}.DeleteOptions`] as Schema,
    [`${META}.Patch`]: ALL_SCHEMAS[`${META}.Patch`] as Schema,
  };
  for (const type of served) {
    roots[schemaName(type)] = kindSchema(type);
    roots[`${schemaName(type)}List`] = listSchema(type);
    if (type.subresources.includes('scale')) roots[AUTOSCALING_SCALE] = SCALE_SCHEMA;
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: K8S_VERSION },
    paths: Object.assign({}, ...served.map(pathsOf)) as Record<string, unknown>,
    components: {
      schemas: reachableSchemas(roots),
      securitySchemes: {
        BearerToken: {
          type: 'apiKey',
          description: 'Bearer Token authentication',
          name: 'authorization',
          in: 'header',
        },
      },
    },
  };
}

/** `GET /openapi/v3`: each group-version's document URL, with a hash of its content as the real server gives. */
export function openApiV3Index(types: readonly ResourceType[]): unknown {
  const versions = [...new Set(types.map(groupVersion))].sort();
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of versions) {
    const key = gv.includes('/') ? `apis/${gv}` : `api/${gv}`;
    const hash = createHash('sha512')
      .update(JSON.stringify(openApiV3Document(types, gv)))
      .digest('hex')
      .toUpperCase();
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { paths };
}
