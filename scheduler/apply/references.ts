/**
 * What a workload's pod template needs to start in another cluster: the ConfigMaps, Secrets
 * and ServiceAccount it names, and the Services whose selector picks its pods. Pure, over
 * plain JSON; anything malformed is simply not a reference.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export type ReferencedKind = 'ConfigMap' | 'Secret' | 'ServiceAccount';

export interface References {
  readonly configMaps: readonly string[];
  readonly secrets: readonly string[];
  /** Absent for the namespace's `default`, which every namespace has of its own. */
  readonly serviceAccount?: string;
}

/** The pod template of a Deployment (or a CronJob's job template). */
export function podTemplate(workload: Json): Json | undefined {
  const spec = isObject(workload.spec) ? workload.spec : undefined;
  if (workload.kind === 'CronJob') {
    const job = isObject(spec?.jobTemplate) && isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
    return isObject(job?.template) ? job.template : undefined;
  }
  return isObject(spec?.template) ? spec.template : undefined;
}

/** The ConfigMaps, Secrets and ServiceAccount the pod template names, each once, sorted. */
export function references(workload: Json): References {
  const template = podTemplate(workload);
  const pod = isObject(template?.spec) ? template.spec : {};
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const v of objects(pod.volumes)) {
    const cm = isObject(v.configMap) ? str(v.configMap.name) : undefined;
    if (cm) configMaps.add(cm);
    const secret = isObject(v.secret) ? str(v.secret.secretName) : undefined;
    if (secret) secrets.add(secret);
    const projected = isObject(v.projected) ? objects(v.projected.sources) : [];
    for (const p of projected) {
      const pcm = isObject(p.configMap) ? str(p.configMap.name) : undefined;
      if (pcm) configMaps.add(pcm);
      const ps = isObject(p.secret) ? str(p.secret.name) : undefined;
      if (ps) secrets.add(ps);
    }
  }
  for (const c of [...objects(pod.initContainers), ...objects(pod.containers)]) {
    for (const from of objects(c.envFrom)) {
      const cm = isObject(from.configMapRef) ? str(from.configMapRef.name) : undefined;
      if (cm) configMaps.add(cm);
      const s = isObject(from.secretRef) ? str(from.secretRef.name) : undefined;
      if (s) secrets.add(s);
    }
    for (const e of objects(c.env)) {
      const ref = isObject(e.valueFrom) ? e.valueFrom : {};
      const cm = isObject(ref.configMapKeyRef) ? str(ref.configMapKeyRef.name) : undefined;
      if (cm) configMaps.add(cm);
      const s = isObject(ref.secretKeyRef) ? str(ref.secretKeyRef.name) : undefined;
      if (s) secrets.add(s);
    }
  }
  for (const p of objects(pod.imagePullSecrets)) {
    const s = str(p.name);
    if (s) secrets.add(s);
  }
  const account = str(pod.serviceAccountName) ?? str(pod.serviceAccount);
  return {
    configMaps: [...configMaps].sort(),
    secrets: [...secrets].sort(),
    ...(account && account !== 'default' ? { serviceAccount: account } : {}),
  };
}

/** Whether the workload's pod template names `kind/name` (rollback keeps what another copy still uses). */
export function refersTo(workload: Json, kind: ReferencedKind, name: string): boolean {
  const r = references(workload);
  if (kind === 'ConfigMap') return r.configMaps.includes(name);
  if (kind === 'Secret') return r.secrets.includes(name);
  return r.serviceAccount === name;
}

/** The labels of the workload's pods. */
export function podLabels(workload: Json): Readonly<Record<string, string>> {
  const template = podTemplate(workload);
  const labels = isObject(template?.metadata) && isObject(template.metadata.labels) ? template.metadata.labels : {};
  return Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * Whether a Service's selector picks pods with these labels. A Service without a selector
 * (its endpoints are managed by hand) selects nothing, so it is never copied.
 */
export function selects(service: Json, labels: Readonly<Record<string, string>>): boolean {
  const spec = isObject(service.spec) ? service.spec : {};
  const selector = isObject(spec.selector) ? Object.entries(spec.selector) : [];
  return selector.length > 0 && selector.every(([k, v]) => labels[k] === v);
}
