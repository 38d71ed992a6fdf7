// Garbage collection on delete, as the real garbage collector does it by ownerReferences:
//   Background  the owner goes now; its dependents (and theirs) right after, asynchronously
//   Foreground  dependents first (recursively), then the owner
//   Orphan      the owner goes; dependents lose their ownerReference to it and stay
// Deleting a Namespace deletes everything in it first.

import type { ApiContext } from './context.js';
import { meta, type KubeObject } from './objects.js';
import type { ResourceType } from './resource-types.js';
import type { Store } from './store.js';

export type Propagation = 'Background' | 'Foreground' | 'Orphan';

interface Dependent {
  type: ResourceType;
  object: KubeObject;
}

function dependentsOf(ctx: ApiContext, uid: string): Dependent[] {
  return ctx.types.flatMap((type) =>
    ctx.store
      .list(type)
      .filter((o) => (meta(o).ownerReferences ?? []).some((r) => r.uid === uid))
      .map((object) => ({ type, object })),
  );
}

/** Deletes an object's dependents, theirs first. */
export function deleteDependents(ctx: ApiContext, uid: string): void {
  for (const d of dependentsOf(ctx, uid)) {
    const m = meta(d.object);
    deleteDependents(ctx, m.uid ?? '');
    ctx.store.remove(d.type, m.namespace, m.name ?? '');
  }
}

export function orphanDependents(ctx: ApiContext, uid: string): void {
  for (const d of dependentsOf(ctx, uid)) {
    const m = meta(d.object);
    m.ownerReferences = (m.ownerReferences ?? []).filter((r) => r.uid !== uid);
    if (m.ownerReferences.length === 0) delete m.ownerReferences;
    delete m.resourceVersion;
    ctx.store.update(d.type, d.object, 'all');
  }
}

export function deleteNamespaceContents(ctx: ApiContext, namespace: string): void {
  for (const type of ctx.types.filter((t) => t.namespaced))
    for (const o of ctx.store.list(type, namespace)) ctx.store.remove(type, namespace, meta(o).name ?? '');
}

/** Whether `namespace` exists (cluster-scoped types need none). */
export function namespaceExists(store: Store, types: readonly ResourceType[], namespace: string): boolean {
  const nsType = types.find((t) => t.group === '' && t.plural === 'namespaces')!;
  return store.get(nsType, undefined, namespace) !== undefined;
}
