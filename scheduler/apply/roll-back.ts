import type { ObjectClient, ObjectKind, ObjectRef } from '../../regions/clusters/client/object-client.js';
import { labelOf } from './copy-to-target.js';
import { splitWorkload, type MigrationJob } from './job.js';
import { MIGRATION_LABEL } from './portable.js';
import { podLabels, refersTo, selects, type ReferencedKind } from './references.js';

type Json = Record<string, unknown>;

export type RolledBack =
  { readonly ok: true; readonly deleted: readonly string[] } | { readonly ok: false; readonly reason: string };

/** Deleted in this order: the workload first (its pods with it), then what it needed. */
const KINDS: readonly ObjectKind[] = ['Deployment', 'CronJob', 'Service', 'ConfigMap', 'Secret', 'ServiceAccount'];

/**
 * Undoes a migration in its target: deletes every object labelled `shisa.io/migration=<id>`
 * (found by the label, so it works after a crash, whatever the copy got to), the workload
 * first and waited for until it and its pods are gone. A ConfigMap, Secret, ServiceAccount
 * or Service that another Deployment there still uses is kept and handed over to it. The
 * source is never touched. Namespaces shisa created are left: they may hold what others put
 * there since.
 */
export async function rollBackTarget(job: MigrationJob, target: ObjectClient, timeoutMs: number): Promise<RolledBack> {
  const { namespace } = splitWorkload(job.workload);
  const labelSelector = `${MIGRATION_LABEL}=${job.id}`;
  const deleted: string[] = [];
  let others: Json[] | undefined;
  for (const kind of KINDS) {
    const listed = await target.list({ kind, namespace, labelSelector });
    if (!listed.ok) return { ok: false, reason: `cannot read ${job.to}: ${listed.fault.message}` };
    for (const o of listed.value.items) {
      const name = (o.metadata as { name: string }).name;
      if (kind !== 'Deployment' && kind !== 'CronJob') {
        if (!others) {
          const workloads = await workloadsIn(target, namespace);
          if (typeof workloads === 'string') return { ok: false, reason: `cannot read ${job.to}: ${workloads}` };
          others = workloads;
        }
        const user = others.find((d) => uses(d, kind, name, o));
        if (user) {
          const handed = await handOver(target, { kind, namespace, name }, user);
          if (!handed.ok)
            return {
              ok: false,
              reason: `relabelling ${kind} ${namespace}/${name} in ${job.to} failed: ${handed.fault.message}`,
            };
          continue;
        }
      }
      const ref = { kind, namespace, name };
      const gone = await target.delete(ref, kind === 'Deployment' || kind === 'CronJob' ? 'Foreground' : 'Background');
      if (!gone.ok)
        return {
          ok: false,
          reason: `deleting ${kind} ${namespace}/${name} from ${job.to} failed: ${gone.fault.message}`,
        };
      if (kind === 'Deployment' || kind === 'CronJob') {
        const waited = await target.waitFor({ kind, namespace, name }, (left) => left.length === 0, timeoutMs);
        if (!waited.ok)
          return {
            ok: false,
            reason: `watching ${kind} ${namespace}/${name} go from ${job.to} failed: ${waited.fault.message}`,
          };
        if (!waited.value.met) return { ok: false, reason: `${kind} ${namespace}/${name} is still in ${job.to}` };
      }
      deleted.push(`${kind} ${namespace}/${name}`);
    }
  }
  return { ok: true, deleted };
}

/** The Deployments and CronJobs of the namespace (those that stay), or why they cannot be read. */
async function workloadsIn(target: ObjectClient, namespace: string): Promise<Json[] | string> {
  const out: Json[] = [];
  for (const kind of ['Deployment', 'CronJob'] as const) {
    const listed = await target.list({ kind, namespace });
    if (!listed.ok) return listed.fault.message;
    out.push(...listed.value.items.map((o) => ({ ...o, kind })));
  }
  return out;
}

/** Whether a Deployment or CronJob there (one this migration did not create) uses the object. */
function uses(d: Json, kind: ObjectKind, name: string, object: Json): boolean {
  if (d.metadata && (d.metadata as { deletionTimestamp?: unknown }).deletionTimestamp) return false;
  if (kind === 'Service') return selects(object, podLabels(d));
  return refersTo(d, kind as ReferencedKind, name);
}

/**
 * An object another Deployment still uses stays, labelled now with that Deployment's own
 * migration (or unlabelled, when shisa did not create it): the label always names the
 * migration whose rollback may remove it, so cleaning up by a label never takes away what
 * a workload that stays needs.
 */
function handOver(target: ObjectClient, ref: ObjectRef, user: Json) {
  const label = labelOf(user);
  return target.patch(ref, { metadata: { labels: { [MIGRATION_LABEL]: label ?? null } } });
}
