import { apiVersionOf, type ObjectClient, type ObjectKind } from '../../regions/clusters/client/object-client.js';
import { splitWorkload, type MigrationJob, type MovableKind } from './job.js';
import type { NamespaceObjects } from './namespace-objects.js';
import { labelled, MIGRATION_LABEL, samePortable, SUSPEND_BEFORE } from './portable.js';
import { podLabels, references, selects } from './references.js';

type Json = Record<string, unknown>;

/** How copying went: applied (what was created, what was there already), or why not. */
export type Copied =
  | {
      readonly ok: true;
      readonly kind: MovableKind;
      readonly created: readonly string[];
      readonly existing: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

/** One object the copy needs in the target, and what the target already has by its name. */
interface Needed {
  readonly kind: ObjectKind;
  readonly name: string;
  readonly source: Json;
}

const describe = (kind: string, namespace: string, name: string) => `${kind} ${namespace}/${name}`;

/**
 * Step 1 of a migration: the workload and what its pods need to start (the ConfigMaps,
 * Secrets and ServiceAccount its pod template names, the Services that select its pods)
 * applied to the target with server-side apply, each labelled `shisa.io/migration=<id>`; the
 * namespace created when missing. Everything is checked before anything is written: an
 * object the target has already, identical, is left as it is; one that differs refuses the
 * whole copy with nothing applied. Idempotent: run again for the same migration (a resume),
 * its own labelled objects are applied again and nothing else changes.
 */
export async function copyToTarget(
  job: MigrationJob,
  source: ObjectClient,
  target: ObjectClient,
  cache: NamespaceObjects,
): Promise<Copied> {
  const planned = await planCopy(job, source, target, cache);
  if (!planned.ok) return planned;
  const { namespace } = splitWorkload(job.workload);
  const created: string[] = [];
  const existing = [...planned.existing];
  for (const w of planned.writes) {
    const what = describeObject(w, namespace);
    const workload =
      w.kind === planned.kind && (w.metadata as { name: string }).name === splitWorkload(job.workload).name;
    const claim = workload
      ? { by: job.id, done: target.apply(w) }
      : cache.shared(target, w, job.id, () => target.apply(w));
    const applied = await claim.done;
    if (!applied.ok) return { ok: false, reason: `applying ${what} to ${job.to} failed: ${applied.fault.message}` };
    if (claim.by === job.id) created.push(what);
    else existing.push(`${what} (written for #${claim.by})`);
  }
  return { ok: true, kind: planned.kind, created, existing };
}

/** What a copy would write (in order), having read both clusters; or why it cannot be made. */
export type CopyPlan =
  | {
      readonly ok: true;
      readonly kind: MovableKind;
      readonly writes: readonly Json[];
      readonly existing: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

/** `ConfigMap batch/etl-config`, `Namespace batch`. */
export function describeObject(o: Json, namespace: string): string {
  const m = o.metadata as { name: string };
  return o.kind === 'Namespace' ? `Namespace ${m.name}` : describe(String(o.kind), namespace, m.name);
}

/**
 * The reading half of copyToTarget, which `apply --dry-run` shows: the objects to write and
 * those the target has already, identical; or the reason the copy is refused. Writes nothing.
 */
export async function planCopy(
  job: MigrationJob,
  source: ObjectClient,
  target: ObjectClient,
  cache: NamespaceObjects,
): Promise<CopyPlan> {
  const { namespace, name } = splitWorkload(job.workload);
  const fail = (reason: string): CopyPlan => ({ ok: false, reason });
  const found = await findWorkload(source, namespace, name, cache);
  if (typeof found === 'string') return fail(`${found} (${job.from})`);
  const { kind, object: workload } = found;

  const needed = await neededObjects(workload, namespace, source, cache);
  if (typeof needed === 'string') return fail(needed);
  needed.push({ kind, name, source: kind === 'CronJob' ? suspendedCopy(workload) : workload });

  const namespaces = await cache.of(target, 'Namespace', '');
  if (!namespaces.ok) return fail(`cannot read ${job.to}: ${namespaces.fault.message}`);
  const writes: Json[] = [];
  if (!namespaces.value.has(namespace))
    writes.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace, labels: { [MIGRATION_LABEL]: String(job.id) } },
    });
  const existing: string[] = [];
  for (const n of needed) {
    const there = await cache.of(target, n.kind, namespace);
    if (!there.ok) return fail(`cannot read ${job.to}: ${there.fault.message}`);
    const found = there.value.get(n.name);
    const what = describe(n.kind, namespace, n.name);
    if (found && labelOf(found) === String(job.id)) writes.push(labelled(n.source, typeOf(n.kind), job.id, namespace));
    else if (found && n.kind === kind)
      return fail(`${job.to} already has a ${what} that this migration did not create; nothing was applied`);
    else if (found && !samePortable(found, n.source))
      return fail(`${job.to} already has a ${what} that differs from the one in ${job.from}; nothing was applied`);
    else if (found) existing.push(what);
    else writes.push(labelled(n.source, typeOf(n.kind), job.id, namespace));
  }
  return { ok: true, kind, writes, existing };
}

/** The workload by name: a Deployment, else a CronJob; a string says why there is none. */
async function findWorkload(
  source: ObjectClient,
  namespace: string,
  name: string,
  cache: NamespaceObjects,
): Promise<{ kind: MovableKind; object: Json } | string> {
  for (const kind of ['Deployment', 'CronJob'] as const) {
    const listed = await cache.of(source, kind, namespace);
    if (!listed.ok) return `cannot read the ${kind}s of ${namespace}: ${listed.fault.message}`;
    const object = listed.value.get(name);
    if (object) return { kind, object };
  }
  return `no Deployment or CronJob ${namespace}/${name} is there any more`;
}

/**
 * A CronJob's copy is created suspended, with the source's own setting kept in an
 * annotation: while both exist only the source's schedule fires. Removing the source
 * suspends it and gives the copy that setting.
 */
function suspendedCopy(cronJob: Json): Json {
  const copy = structuredClone(cronJob);
  const spec = (copy.spec ?? {}) as Json;
  const meta = (copy.metadata ?? {}) as Json;
  const annotations = (meta.annotations ?? {}) as Json;
  copy.metadata = { ...meta, annotations: { ...annotations, [SUSPEND_BEFORE]: String(spec.suspend === true) } };
  copy.spec = { ...spec, suspend: true };
  return copy;
}

/** What the workload's pods need from its namespace, as the source has it; a string says why it cannot be read. */
async function neededObjects(
  workload: Json,
  namespace: string,
  source: ObjectClient,
  cache: NamespaceObjects,
): Promise<Needed[] | string> {
  const refs = references(workload);
  const wanted: [ObjectKind, readonly string[]][] = [
    ['ServiceAccount', refs.serviceAccount ? [refs.serviceAccount] : []],
    ['ConfigMap', refs.configMaps],
    ['Secret', refs.secrets],
  ];
  const out: Needed[] = [];
  for (const [kind, names] of wanted) {
    if (names.length === 0) continue;
    const listed = await cache.of(source, kind, namespace);
    if (!listed.ok) return `cannot read the ${kind}s of ${namespace} in ${source.region}: ${listed.fault.message}`;
    for (const n of names) {
      const o = listed.value.get(n);
      // A reference to nothing (an optional volume, say) is the workload's own business: not copied.
      if (o && !clusterBound(o)) out.push({ kind, name: n, source: o });
    }
  }
  const services = await cache.of(source, 'Service', namespace);
  if (!services.ok) return `cannot read the Services of ${namespace} in ${source.region}: ${services.fault.message}`;
  const labels = podLabels(workload);
  for (const [n, s] of [...services.value].sort(([a], [b]) => (a < b ? -1 : 1)))
    if (selects(s, labels)) out.push({ kind: 'Service', name: n, source: s });
  return out;
}

/** A Secret the source cluster made for itself (a service-account token): meaningless elsewhere. */
function clusterBound(o: Json): boolean {
  return o.kind === 'Secret' && o.type === 'kubernetes.io/service-account-token';
}

const typeOf = (kind: ObjectKind) => ({ kind, apiVersion: apiVersionOf(kind) });

export function labelOf(o: Json): string | undefined {
  const labels = (o.metadata as { labels?: Record<string, unknown> } | undefined)?.labels;
  const v = labels?.[MIGRATION_LABEL];
  return typeof v === 'string' ? v : undefined;
}
