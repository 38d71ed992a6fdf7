// Small accessors for untyped Kubernetes objects (the fake stores plain JSON, as the real
// server's etcd does), so the rest of the fake reads `meta(o).name` instead of casts.

export type KubeObject = Record<string, unknown>;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
}

export function meta(object: KubeObject): ObjectMeta {
  const m = object.metadata;
  if (m === null || typeof m !== 'object' || Array.isArray(m)) {
    const fresh: ObjectMeta = {};
    object.metadata = fresh;
    return fresh;
  }
  return m;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export const clone = <T>(value: T): T => structuredClone(value);

/** Timestamps as Kubernetes writes them: RFC 3339, whole seconds, UTC. */
export const kubeTime = (ms: number = Date.now()): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Random lower-case alphanumerics, like the suffixes of generateName and pod names. */
export function randomSuffix(length = 5): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}

/** Stable JSON (keys sorted), for comparing specs. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isRecord(value))
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
