import type { Answered, ObjectClient, ObjectKind } from '../../regions/clusters/client/object-client.js';

type Json = Record<string, unknown>;

/**
 * The objects of one kind in one namespace of one cluster, listed once per batch and shared
 * by the batch's migrations: one list per kind and namespace instead of a get per object
 * per migration. A migration that writes an object updates the list it came from.
 */
export class NamespaceObjects {
  private readonly lists = new Map<string, Promise<Answered<Map<string, Json>>>>();
  private readonly writes = new Map<string, { readonly by: number; readonly done: Promise<Answered<Json>> }>();

  /**
   * Writes an object several migrations of the batch need (their namespace, a ConfigMap they
   * share) once: the first to ask writes it, the others wait for that write and are told who
   * made it. The workload itself is never shared.
   */
  shared(
    client: ObjectClient,
    object: Json,
    migration: number,
    write: () => Promise<Answered<Json>>,
  ): { readonly by: number; readonly done: Promise<Answered<Json>> } {
    const m = object.metadata as { name?: string; namespace?: string };
    const key = `${client.region}\u0000${String(object.kind)}\u0000${m.namespace ?? ''}\u0000${m.name ?? ''}`;
    const found = this.writes.get(key);
    if (found) return found;
    const claim = { by: migration, done: write() };
    this.writes.set(key, claim);
    // A failed write is not kept: the next migration that needs the object writes it itself.
    void claim.done.then((r) => r.ok || this.writes.delete(key));
    return claim;
  }

  /** The objects of `kind` in `namespace` of `client`'s cluster, by name (cluster-wide for Namespaces). */
  of(client: ObjectClient, kind: ObjectKind, namespace: string): Promise<Answered<Map<string, Json>>> {
    const key = `${client.region}\u0000${kind}\u0000${kind === 'Namespace' ? '' : namespace}`;
    let listed = this.lists.get(key);
    if (!listed) {
      listed = client
        .list({ kind, namespace: kind === 'Namespace' ? '' : namespace })
        .then((l) => (l.ok ? { ok: true as const, value: new Map(l.value.items.map((o) => [nameOf(o), o])) } : l));
      this.lists.set(key, listed);
      // A failed list is not kept: the next migration that needs it asks again.
      void listed.then((l) => l.ok || this.lists.delete(key));
    }
    return listed;
  }
}

export function nameOf(o: Json): string {
  const m = o.metadata as { name?: unknown } | undefined;
  return typeof m?.name === 'string' ? m.name : '';
}
