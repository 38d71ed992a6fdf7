/**
 * A Kubernetes object as it can be applied to another cluster: what its owner wrote, without
 * what the source cluster made of it (identity, versions, status, server-allocated addresses,
 * the node its pods were bound to). Pure: the input is plain JSON and is not changed.
 */

/** Fields the label carries: every object a migration creates has it, and rollback finds them by it. */
export const MIGRATION_LABEL = 'shisa.io/migration';
/** On a scaled-down source: how many replicas it had, so a stopped removal can give them back. */
export const REPLICAS_BEFORE = 'shisa.io/replicas-before';
/** On a CronJob's copy: whether the source was suspended, which the copy takes once the source is gone. */
export const SUSPEND_BEFORE = 'shisa.io/suspend-before';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Metadata the server sets or that belongs to the source cluster. */
const SERVER_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'ownerReferences',
  'finalizers',
] as const;

/** Annotations that record another client's view of the object, not what it is. */
const CLIENT_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision'];

/** Spec fields of a Service the source cluster allocated. */
const SERVICE_ALLOCATED = ['clusterIP', 'clusterIPs', 'healthCheckNodePort'] as const;

/**
 * The object without its cluster-specific fields: status, server metadata, client
 * bookkeeping annotations, a Service's allocated IPs and node ports, a pod template's node
 * name. Labels and annotations are copied but for the migration label and the replica count
 * a removal keeps (the migration that applies the copy labels it itself).
 */
export function portable(object: Json): Json {
  const out = structuredClone(object);
  // Compared and written by kind: list items do not always carry their type.
  delete out.apiVersion;
  delete out.kind;
  delete out.status;
  const meta = isObject(out.metadata) ? out.metadata : {};
  for (const k of SERVER_METADATA) delete meta[k];
  delete meta.namespace;
  // shisa's own bookkeeping goes; what users say to shisa (shisa.io/intent, depends-on) stays.
  withoutKeys(meta, 'annotations', (k) => CLIENT_ANNOTATIONS.includes(k) || k === REPLICAS_BEFORE);
  withoutKeys(meta, 'labels', (k) => k === MIGRATION_LABEL);
  out.metadata = meta;
  const spec = isObject(out.spec) ? out.spec : undefined;
  if (spec && object.kind === 'Service') {
    for (const k of SERVICE_ALLOCATED) delete spec[k];
    if (Array.isArray(spec.ports))
      spec.ports = (spec.ports as unknown[]).map((p): unknown =>
        isObject(p) ? Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'nodePort')) : p,
      );
  }
  const podSpec = isObject(spec?.template) && isObject(spec.template.spec) ? spec.template.spec : undefined;
  if (podSpec) delete podSpec.nodeName;
  return out;
}

function withoutKeys(meta: Json, field: 'labels' | 'annotations', drop: (key: string) => boolean): void {
  const m = meta[field];
  if (!isObject(m)) return;
  const kept = Object.fromEntries(Object.entries(m).filter(([k]) => !drop(k)));
  if (Object.keys(kept).length) meta[field] = kept;
  else delete meta[field];
}

/** The portable object of `kind` (`apiVersion`), labelled as created by `migration`, for `namespace`. */
export function labelled(
  object: Json,
  type: { readonly kind: string; readonly apiVersion: string },
  migration: number,
  namespace: string,
): Json {
  const out = portable(object);
  const meta = out.metadata as Json;
  meta.labels = { ...(isObject(meta.labels) ? meta.labels : {}), [MIGRATION_LABEL]: String(migration) };
  meta.namespace = namespace;
  return { ...out, apiVersion: type.apiVersion, kind: type.kind };
}

/**
 * Whether two objects are the same as far as a migration is concerned: equal once both are
 * portable (so a copy shisa made earlier, with its label and the target's server fields,
 * equals its source).
 */
export function samePortable(a: Json, b: Json): boolean {
  return canonical(portable(a)) === canonical(portable(b));
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}
