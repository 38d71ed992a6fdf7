// The fake's etcd: objects by resource type, namespace and name, one global resourceVersion
// counter bumped by every write, and a bounded log of change events that watches replay from a
// resourceVersion. A watch from a resourceVersion whose events were dropped (the log is bounded,
// or `compact()` was called) must be answered with 410 Expired, as the real server does after
// etcd compaction; `expiredBefore` says where that line is.
//
// The store sets server-owned metadata (uid, creationTimestamp, resourceVersion, generation) and
// guards resourceVersion preconditions; validation, namespaces and authorization live elsewhere.

import { randomUUID } from 'node:crypto';
import { clone, kubeTime, meta, randomSuffix, stableJson, type KubeObject } from './objects.js';
import type { ResourceType } from './resource-types.js';
import { alreadyExists, conflict, notFound, type StatusError } from './status.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: EventType;
  readonly resource: ResourceType;
  /** The object after the change (for DELETED: as it was, with the deleting resourceVersion). */
  readonly object: KubeObject;
  readonly resourceVersion: number;
  /** The object before the change (MODIFIED and DELETED), so a watch can tell it left a selector. */
  readonly previous?: KubeObject;
}

export type Result = { ok: true; object: KubeObject } | { ok: false; error: StatusError };

const typeKey = (t: ResourceType): string => `${t.group}/${t.plural}`;
const objectKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

/** Everything but metadata and status: what a change of bumps metadata.generation. */
const specOf = (o: KubeObject): string => stableJson({ ...o, metadata: undefined, status: undefined });

function sameContent(a: KubeObject, b: KubeObject): boolean {
  const withoutVersion = (o: KubeObject): string =>
    stableJson({ ...o, metadata: { ...meta(o), resourceVersion: undefined } });
  return withoutVersion(a) === withoutVersion(b);
}

export class Store {
  private revision = 0;
  private readonly byType = new Map<string, Map<string, KubeObject>>();
  /** Stored objects as JSON text; a stored object is never changed in place (a write stores a new one). */
  private readonly jsonOf = new WeakMap<KubeObject, string>();
  /** Each type's keys and objects in key order, until the type's next write. */
  private readonly sortedByType = new Map<string, { keys: string[]; objects: KubeObject[] }>();
  private readonly log: StoreEvent[] = [];
  private droppedThrough = 0;
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  constructor(private readonly maxRetainedEvents = 10_000) {}

  /** The resourceVersion of the latest write. */
  get resourceVersion(): number {
    return this.revision;
  }

  /** Watches from a resourceVersion below this one get 410 Expired: their events are gone. */
  get expiredBefore(): number {
    return this.droppedThrough;
  }

  /** Drops every retained event, as etcd compaction does: older watches get 410 from now on. */
  compact(): void {
    this.log.length = 0;
    this.droppedThrough = this.revision;
  }

  /** Retained events after `resourceVersion`, oldest first; undefined when some were dropped. */
  eventsAfter(resourceVersion: number): StoreEvent[] | undefined {
    if (resourceVersion < this.droppedThrough) return undefined;
    return this.log.filter((e) => e.resourceVersion > resourceVersion);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(t: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.table(t).get(objectKey(t.namespaced ? namespace : undefined, name));
    return found === undefined ? undefined : clone(found);
  }

  /** Objects of a type, in one namespace or all, sorted by namespace then name like etcd keys. */
  list(t: ResourceType, namespace?: string): KubeObject[] {
    return this.view(t, namespace).map((o) => clone(o));
  }

  /**
   * The stored objects themselves, sorted as list() sorts, not copied: for reading only. A
   * list request filters and pages these and copies just the page (copying all 15,000 pods of
   * a cluster for each page of 500 was most of the time a benchmark spent). The sorted order
   * of a type is kept until the type is next written, and a namespace is a range of it, so a
   * page does not sort or scan the whole type again.
   */
  view(t: ResourceType, namespace?: string): readonly KubeObject[] {
    const { keys, objects } = this.sorted(t);
    if (namespace === undefined || !t.namespaced) return objects.slice();
    const prefix = `${namespace}/`;
    const from = lowerBound(keys, prefix);
    let to = from;
    while (to < keys.length && keys[to]!.startsWith(prefix)) to++;
    return objects.slice(from, to);
  }

  /** JSON.stringify of an object view() gave, kept for as long as the object is stored. */
  json(stored: KubeObject): string {
    let text = this.jsonOf.get(stored);
    if (text === undefined) this.jsonOf.set(stored, (text = JSON.stringify(stored)));
    return text;
  }

  /**
   * Objects of a type in a namespace with an ownerReference to `ownerUid`, sorted as list()
   * sorts. Only the matches are copied: the controller asks this for every Deployment, and
   * copying a namespace's thousands of pods each time made seeding 5,000 Deployments quadratic.
   */
  owned(t: ResourceType, namespace: string | undefined, ownerUid: string | undefined): KubeObject[] {
    if (ownerUid === undefined) return [];
    const hits: [string, KubeObject][] = [];
    for (const entry of this.table(t)) {
      const m = meta(entry[1]);
      if (namespace !== undefined && t.namespaced && m.namespace !== namespace) continue;
      if ((m.ownerReferences ?? []).some((r) => r.uid === ownerUid)) hits.push(entry);
    }
    return hits.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => clone(o));
  }

  create(t: ResourceType, input: KubeObject): Result {
    const object = clone(input);
    const m = meta(object);
    if (!m.name && m.generateName) m.name = `${m.generateName}${randomSuffix()}`;
    const key = objectKey(t.namespaced ? m.namespace : undefined, m.name ?? '');
    if (this.table(t).has(key)) return { ok: false, error: alreadyExists(t, m.name ?? '') };
    if (!t.namespaced) delete m.namespace;
    m.uid = randomUUID();
    m.creationTimestamp = kubeTime();
    delete m.deletionTimestamp;
    if ('spec' in object) m.generation = 1;
    object.apiVersion = t.group ? `${t.group}/${t.version}` : t.version;
    object.kind = t.kind;
    return { ok: true, object: this.write(t, key, object, 'ADDED') };
  }

  /**
   * Replaces an object. `part` says what the caller may change: the main resource keeps the
   * stored status (when the type has a status subresource), `status` keeps everything else.
   */
  update(t: ResourceType, input: KubeObject, part: 'main' | 'status' | 'all' = 'main'): Result {
    const m = meta(input);
    const key = objectKey(t.namespaced ? m.namespace : undefined, m.name ?? '');
    const stored = this.table(t).get(key);
    if (stored === undefined) return { ok: false, error: notFound(t, m.name ?? '') };
    const old = meta(stored);
    if (m.resourceVersion !== undefined && m.resourceVersion !== old.resourceVersion)
      return { ok: false, error: conflict(t, m.name ?? '') };
    const object = this.merged(t, stored, clone(input), part);
    // A write that changes nothing is not a write: the real server keeps the resourceVersion.
    if (sameContent(object, stored)) return { ok: true, object: clone(stored) };
    const next = meta(object);
    if (specOf(object) !== specOf(stored)) next.generation = (old.generation ?? 0) + 1;
    if (next.deletionTimestamp !== undefined && (next.finalizers ?? []).length === 0) {
      return { ok: true, object: this.write(t, key, object, 'DELETED') };
    }
    return { ok: true, object: this.write(t, key, object, 'MODIFIED') };
  }

  /** Deletes an object, or marks it deleting while it still has finalizers. */
  remove(t: ResourceType, namespace: string | undefined, name: string): Result {
    const key = objectKey(t.namespaced ? namespace : undefined, name);
    const stored = this.table(t).get(key);
    if (stored === undefined) return { ok: false, error: notFound(t, name) };
    const object = clone(stored);
    if ((meta(object).finalizers ?? []).length > 0) {
      meta(object).deletionTimestamp ??= kubeTime();
      return { ok: true, object: this.write(t, key, object, 'MODIFIED') };
    }
    return { ok: true, object: this.write(t, key, object, 'DELETED') };
  }

  private merged(t: ResourceType, stored: KubeObject, input: KubeObject, part: 'main' | 'status' | 'all'): KubeObject {
    const old = meta(stored);
    // A status write changes status only; a main write keeps the stored status when the type has
    // a status subresource (that is what the subresource is for).
    const next = part === 'status' ? { ...clone(stored), status: input.status } : input;
    if (part === 'main' && t.subresources.includes('status')) next.status = clone(stored.status);
    if (next.status === undefined) delete next.status;
    const m = meta(next);
    m.uid = old.uid;
    m.creationTimestamp = old.creationTimestamp;
    if (old.generation === undefined) delete m.generation;
    else m.generation = old.generation;
    if (old.deletionTimestamp !== undefined) m.deletionTimestamp = old.deletionTimestamp;
    if (!t.namespaced) delete m.namespace;
    next.apiVersion = stored.apiVersion;
    next.kind = stored.kind;
    return next;
  }

  private write(t: ResourceType, key: string, object: KubeObject, type: EventType): KubeObject {
    this.revision++;
    meta(object).resourceVersion = String(this.revision);
    const previous = this.table(t).get(key);
    this.sortedByType.delete(typeKey(t));
    if (type === 'DELETED') this.table(t).delete(key);
    else this.table(t).set(key, object);
    this.record({ type, resource: t, object: clone(object), resourceVersion: this.revision, previous });
    return clone(object);
  }

  private record(event: StoreEvent): void {
    this.log.push(event);
    while (this.log.length > this.maxRetainedEvents) this.droppedThrough = this.log.shift()!.resourceVersion;
    for (const listener of [...this.listeners]) listener(event);
  }

  private sorted(t: ResourceType): { keys: string[]; objects: KubeObject[] } {
    let sorted = this.sortedByType.get(typeKey(t));
    if (sorted === undefined) {
      const entries = [...this.table(t).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      sorted = { keys: entries.map(([k]) => k), objects: entries.map(([, o]) => o) };
      this.sortedByType.set(typeKey(t), sorted);
    }
    return sorted;
  }

  private table(t: ResourceType): Map<string, KubeObject> {
    let table = this.byType.get(typeKey(t));
    if (table === undefined) this.byType.set(typeKey(t), (table = new Map<string, KubeObject>()));
    return table;
  }
}

/** The first index of `sorted` whose key is not below `key`. */
export function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
