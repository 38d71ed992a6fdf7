import type { ObjectClient, ObjectKind } from '../../regions/clusters/client/object-client.js';
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
 * (found by the label, so it works after a crash, whatever the copy got to), the Deployment
 * first and waited for until it and its pods are gone. A ConfigMap, Secret, ServiceAccount
 * or Service that another Deployment there still uses is kept. The source is never touched.
 * Namespaces shisa created are left: they may hold what others put there since.
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
          const all = await target.list({ kind: 'Deployment', namespace });
          if (!all.ok) return { ok: false, reason: `cannot read ${job.to}: ${all.fault.message}` };
          others = all.value.items;
        }
        if (stillUsed(others, kind, name, o)) continue;
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

/** Whether a Deployment there (one this migration did not create) uses the object. */
function stillUsed(deployments: readonly Json[], kind: ObjectKind, name: string, object: Json): boolean {
  return deployments.some((d) => {
    if (d.metadata && (d.metadata as { deletionTimestamp?: unknown }).deletionTimestamp) return false;
    if (kind === 'Service') return selects(object, podLabels(d));
    return refersTo(d, kind as ReferencedKind, name);
  });
}
