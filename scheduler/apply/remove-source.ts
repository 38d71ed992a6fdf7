import type { ObjectClient } from '../../regions/clusters/client/object-client.js';
import { splitWorkload, type MigrationJob, type MovableKind } from './job.js';
import { REPLICAS_BEFORE, SUSPEND_BEFORE } from './portable.js';
import { copyServes } from './serving.js';

type Json = Record<string, unknown>;

/** How one attempt at removing the source went. `unsafe`: the copy does not serve, so the source stays. */
export type Removed =
  | { readonly ok: true; readonly detail: string }
  | { readonly ok: false; readonly retry: boolean; readonly reason: string };

/**
 * Step 4 of a migration: the source scaled to 0 (its replica count kept in an annotation),
 * its pods waited for until they are gone, then the Deployment deleted. Each part is
 * idempotent, so an attempt interrupted anywhere is simply made again. `checkTarget` first
 * confirms the copy still serves (on a resume, when nothing says it does): a source is never
 * removed for a copy that is not there.
 */
export async function removeSource(
  job: MigrationJob & { readonly kind: MovableKind },
  source: ObjectClient,
  target: ObjectClient,
  options: { readonly podsGoneTimeoutMs: number; readonly checkTarget: boolean },
): Promise<Removed> {
  const { namespace, name } = splitWorkload(job.workload);
  const ref = { kind: job.kind, namespace, name };
  if (options.checkTarget) {
    const copy = await target.get(ref);
    if (!copy.ok) return { ok: false, retry: true, reason: `cannot read the copy in ${job.to}: ${copy.fault.message}` };
    const serving = copy.value ? copyServes(job.kind, copy.value) : 'it is gone';
    if (serving !== true)
      return {
        ok: false,
        retry: false,
        reason: `the copy in ${job.to} does not serve (${serving}); the source is kept`,
      };
  }
  return job.kind === 'CronJob'
    ? handOverCronJob(job, source, target)
    : removeDeployment(job, source, options.podsGoneTimeoutMs);
}

async function removeDeployment(job: MigrationJob, source: ObjectClient, podsGoneTimeoutMs: number): Promise<Removed> {
  const { namespace, name } = splitWorkload(job.workload);
  const ref = { kind: 'Deployment' as const, namespace, name };
  const got = await source.get(ref);
  if (!got.ok) return { ok: false, retry: true, reason: `cannot read ${job.from}: ${got.fault.message}` };
  if (!got.value) return { ok: true, detail: `the source in ${job.from} is gone` };
  const spec = (got.value.spec ?? {}) as Json;
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
  if (replicas !== 0) {
    const scaled = await source.patch(ref, {
      metadata: { annotations: { [REPLICAS_BEFORE]: String(replicas) } },
      spec: { replicas: 0 },
    });
    if (!scaled.ok)
      return {
        ok: false,
        retry: true,
        reason: `scaling the source in ${job.from} to 0 failed: ${scaled.fault.message}`,
      };
  }
  const selector = matchLabels(got.value);
  if (selector) {
    const gone = await source.waitFor(
      { kind: 'Pod', namespace, labelSelector: selector },
      (pods) => pods.length === 0,
      podsGoneTimeoutMs,
    );
    if (!gone.ok)
      return {
        ok: false,
        retry: true,
        reason: `watching the source's pods in ${job.from} failed: ${gone.fault.message}`,
      };
    if (!gone.value.met)
      return {
        ok: false,
        retry: true,
        reason: `${gone.value.last.length} pods of the source in ${job.from} are still there`,
      };
  }
  const deleted = await source.delete(ref, 'Background');
  if (!deleted.ok)
    return { ok: false, retry: true, reason: `deleting the source in ${job.from} failed: ${deleted.fault.message}` };
  return { ok: true, detail: `scaled to 0 from ${replicas}, pods gone, deleted from ${job.from}` };
}

/**
 * A CronJob's source is suspended first (no new Jobs start there), then its copy takes the
 * source's own suspend setting (kept in an annotation when it was copied), then the source is
 * deleted with its Jobs. Each part idempotent: a resume makes them again.
 */
async function handOverCronJob(job: MigrationJob, source: ObjectClient, target: ObjectClient): Promise<Removed> {
  const { namespace, name } = splitWorkload(job.workload);
  const ref = { kind: 'CronJob' as const, namespace, name };
  const got = await source.get(ref);
  if (!got.ok) return { ok: false, retry: true, reason: `cannot read ${job.from}: ${got.fault.message}` };
  if (got.value && ((got.value.spec ?? {}) as Json).suspend !== true) {
    const suspended = await source.patch(ref, { spec: { suspend: true } });
    if (!suspended.ok)
      return {
        ok: false,
        retry: true,
        reason: `suspending the source in ${job.from} failed: ${suspended.fault.message}`,
      };
  }
  const copy = await target.get(ref);
  if (!copy.ok) return { ok: false, retry: true, reason: `cannot read the copy in ${job.to}: ${copy.fault.message}` };
  if (!copy.value) return { ok: false, retry: false, reason: `the copy in ${job.to} is gone; the source is kept` };
  const annotations = ((copy.value.metadata ?? {}) as { annotations?: Record<string, unknown> }).annotations ?? {};
  if (annotations[SUSPEND_BEFORE] !== undefined) {
    const resumed = await target.patch(ref, {
      metadata: { annotations: { [SUSPEND_BEFORE]: null } },
      spec: { suspend: annotations[SUSPEND_BEFORE] === 'true' },
    });
    if (!resumed.ok)
      return {
        ok: false,
        retry: true,
        reason: `handing the schedule to the copy in ${job.to} failed: ${resumed.fault.message}`,
      };
  }
  const deleted = got.value ? await source.delete(ref, 'Background') : { ok: true as const, value: 'absent' as const };
  if (!deleted.ok)
    return { ok: false, retry: true, reason: `deleting the source in ${job.from} failed: ${deleted.fault.message}` };
  return { ok: true, detail: `suspended and deleted from ${job.from}; the copy in ${job.to} now keeps the schedule` };
}

/** The Deployment's `spec.selector.matchLabels` as a label selector, or undefined without one. */
function matchLabels(d: Json): string | undefined {
  const selector = ((d.spec ?? {}) as Json).selector as { matchLabels?: Record<string, unknown> } | undefined;
  const labels = Object.entries(selector?.matchLabels ?? {}).filter(
    (e): e is [string, string] => typeof e[1] === 'string',
  );
  return labels.length ? labels.map(([k, v]) => `${k}=${v}`).join(',') : undefined;
}

/**
 * Gives a scaled-down source back the replicas it had (from the annotation removal left),
 * for a removal that must not go on. Says what it did, in words.
 */
export async function restoreSource(
  job: MigrationJob & { readonly kind: MovableKind },
  source: ObjectClient,
): Promise<string> {
  const { namespace, name } = splitWorkload(job.workload);
  const ref = { kind: job.kind, namespace, name };
  const got = await source.get(ref);
  if (!got.ok) return `the source in ${job.from} could not be read to restore it (${got.fault.message})`;
  if (!got.value) return `the source in ${job.from} is gone too`;
  if (job.kind === 'CronJob') {
    // Suspended by the removal; whether it ran before is on the copy, which is gone: resume it.
    if (((got.value.spec ?? {}) as Json).suspend !== true) return `the source in ${job.from} was left as it is`;
    const resumed = await source.patch(ref, { spec: { suspend: false } });
    return resumed.ok
      ? `the source in ${job.from} was resumed`
      : `resuming the source in ${job.from} failed (${resumed.fault.message})`;
  }
  const annotations = ((got.value.metadata ?? {}) as { annotations?: Record<string, unknown> }).annotations ?? {};
  const before = Number(annotations[REPLICAS_BEFORE]);
  const spec = (got.value.spec ?? {}) as Json;
  if (!Number.isInteger(before) || before < 0 || spec.replicas === before)
    return `the source in ${job.from} was left as it is`;
  const patched = await source.patch(ref, {
    metadata: { annotations: { [REPLICAS_BEFORE]: null } },
    spec: { replicas: before },
  });
  return patched.ok
    ? `the source in ${job.from} was scaled back to ${before}`
    : `scaling the source in ${job.from} back to ${before} failed (${patched.fault.message})`;
}
