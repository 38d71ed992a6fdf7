// The `scale` subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets and StatefulSets:
// what `kubectl scale` and HorizontalPodAutoscalers read and write.

import type { ApiContext } from './context.js';
import type { Answer } from './http.js';
import { isRecord, meta, type KubeObject } from './objects.js';
import type { ResourceRoute } from './routes.js';
import { invalid } from './status.js';
import { fromError } from './write.js';

export function toScale(object: KubeObject): KubeObject {
  const m = meta(object);
  const spec = isRecord(object.spec) ? object.spec : {};
  const status = isRecord(object.status) ? object.status : {};
  const matchLabels = isRecord(spec.selector) && isRecord(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 1 },
    status: {
      replicas: typeof status.replicas === 'number' ? status.replicas : 0,
      selector: Object.entries(matchLabels)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(','),
    },
  };
}

/** The object with the replicas of `scale`, carrying the Scale's resourceVersion as precondition. */
export function withScale(object: KubeObject, scale: KubeObject): KubeObject | undefined {
  const replicas = isRecord(scale.spec) ? scale.spec.replicas : undefined;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) return undefined;
  const next: KubeObject = { ...object, spec: { ...(isRecord(object.spec) ? object.spec : {}), replicas } };
  const rv = isRecord(scale.metadata) ? scale.metadata.resourceVersion : undefined;
  next.metadata = {
    ...meta(object),
    resourceVersion: typeof rv === 'string' && rv !== '' ? rv : meta(object).resourceVersion,
  };
  return next;
}

/** Writes the replicas a Scale asks for (PUT or PATCH of /scale) and answers with the new Scale. */
export function storeScale(
  ctx: ApiContext,
  route: ResourceRoute,
  current: KubeObject,
  scale: KubeObject | undefined,
): Answer {
  const next = scale === undefined ? undefined : withScale(current, scale);
  if (next === undefined)
    return fromError(
      invalid({ ...route.type, kind: 'Scale' }, route.name!, [
        { field: 'spec.replicas', message: 'Invalid value: must be greater than or equal to 0' },
      ]),
    );
  const result = ctx.store.update(route.type, next, 'main');
  return result.ok ? { code: 200, body: toScale(result.object) } : fromError(result.error);
}
