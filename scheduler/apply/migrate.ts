import type { MigrationState, Transition } from '../../db/migration-journal.js';
import type { ObjectClient } from '../../regions/clusters/client/object-client.js';
import type { GateEvidence } from '../gate/gate.js';
import { copyToTarget } from './copy-to-target.js';
import { splitWorkload, type MigrationJob, type MigrationOutcome, type MovableKind } from './job.js';
import type { NamespaceObjects } from './namespace-objects.js';
import type { ApplyPorts } from './ports.js';
import { removeSource, restoreSource } from './remove-source.js';
import { rollBackTarget } from './roll-back.js';
import { copyServes } from './serving.js';

/** Forward: a migration this run starts. Settle: one found in flight, finished or undone. */
export type DriveMode = 'forward' | 'settle';

/** States before the source starts going: settling rolls these back (this process never verified the copy). */
const BEFORE_REMOVAL: readonly MigrationState[] = ['creating', 'target-created', 'target-ready', 'verifying'];

/** What a step of the loop leads to: the next state to handle, or the migration's end for this process. */
type Next = { readonly next: true } | { readonly outcome: MigrationOutcome };
const NEXT: Next = { next: true };

/**
 * Drives one migration from the state the journal has it in to an end, as a reconcile loop:
 * observe (the clusters), compare (with the journal), act (idempotently), journal the new
 * state, again. Every effect is journaled before it starts and after it took, so a crash at
 * any instant leaves a state the next start settles. Expected endings (a rollback, a skip,
 * a cluster gone) are outcomes, never exceptions; a store failure is thrown, and the
 * journal still says where the migration is.
 */
export async function driveMigration(
  start: MigrationJob,
  mode: DriveMode,
  ports: ApplyPorts,
  cache: NamespaceObjects,
): Promise<MigrationOutcome> {
  const d = new Drive(start, mode, ports, cache);
  const source = ports.cluster(start.from);
  const target = ports.cluster(start.to);
  if (!source || !target) return d.unreachable(!source ? start.from : start.to, target);
  if (mode === 'settle' && BEFORE_REMOVAL.includes(start.state))
    return d.rollBack(
      target,
      `interrupted while ${start.state}: the copy was not verified, so it is removed and the source kept`,
    );
  for (;;) {
    const n = await d.handle(source, target);
    if ('outcome' in n) return n.outcome;
  }
}

/** One migration being driven: its job as journaled so far, and the steps of each state. */
class Drive {
  private job: MigrationJob;

  constructor(
    private readonly start: MigrationJob,
    private readonly mode: DriveMode,
    private readonly ports: ApplyPorts,
    private readonly cache: NamespaceObjects,
  ) {
    this.job = start;
  }

  async handle(source: ObjectClient, target: ObjectClient): Promise<Next> {
    switch (this.job.state) {
      case 'planned':
        return this.advance('creating');
      case 'creating':
        return this.copy(source, target);
      case 'target-created':
        return this.waitServing(target);
      case 'target-ready':
        return this.advance('verifying', {}, `window of ${Math.round(this.ports.timing.verifyWindowMs / 1000)} s`);
      case 'verifying':
        return this.verify(target);
      case 'removing-source':
        return this.removeSource(source, target);
      case 'source-removed':
        return this.advance('done');
      case 'rolling-back':
        return { outcome: await this.rollBack(target, 'a rollback interrupted earlier, finished now') };
      case 'done':
      case 'rolled-back':
      case 'skipped':
      case 'failed':
        return { outcome: this.end(this.job.state) };
    }
  }

  /** A cluster of the move is not among those that can be reached. */
  async unreachable(region: string, target: ObjectClient | undefined): Promise<MigrationOutcome> {
    const why = `${region} cannot be reached`;
    const { state } = this.job;
    if (state === 'planned')
      return (await this.step('skipped', { reason: why })) ? this.end('skipped', why) : this.lost();
    if (target && (BEFORE_REMOVAL.includes(state) || state === 'rolling-back')) return this.rollBack(target, why);
    return this.end('stuck', `${why}; left ${state} for a resume`);
  }

  private async copy(source: ObjectClient, target: ObjectClient): Promise<Next> {
    const copied = await copyToTarget(this.job, source, target, this.cache);
    if (!copied.ok) return { outcome: await this.rollBack(target, copied.reason) };
    this.job = { ...this.job, kind: copied.kind };
    const detail = [
      copied.created.length ? `created ${copied.created.join(', ')}` : '',
      copied.existing.length ? `already there: ${copied.existing.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return this.advance('target-created', {}, detail);
  }

  private async waitServing(target: ObjectClient): Promise<Next> {
    const kind = this.job.kind ?? 'Deployment';
    const { namespace, name } = splitWorkload(this.job.workload);
    const timeoutMs = this.ports.timing.readyTimeoutMs;
    const waited = await target.waitFor(
      { kind, namespace, name },
      (found) => found.length === 1 && copyServes(kind, found[0]!) === true,
      timeoutMs,
    );
    if (!waited.ok)
      return {
        outcome: await this.rollBack(target, `watching the copy in ${this.job.to} failed: ${waited.fault.message}`),
      };
    if (!waited.value.met) {
      const last = waited.value.last[0];
      const why = last ? copyServes(kind, last) : 'it is gone';
      const reason = `the copy in ${this.job.to} did not serve within ${Math.round(timeoutMs / 1000)} s`;
      return { outcome: await this.rollBack(target, `${reason} (${why === true ? 'serving only just now' : why})`) };
    }
    return this.advance('target-ready');
  }

  private async verify(target: ObjectClient): Promise<Next> {
    const verdict = await this.ports.gate.check({
      migration: this.job.id,
      workload: this.job.workload,
      kind: this.job.kind ?? 'Deployment',
      target,
      windowMs: this.ports.timing.verifyWindowMs,
    });
    if (verdict.verdict !== 'pass')
      return {
        outcome: await this.rollBack(target, `verification ${verdict.verdict}: ${verdict.reason}`, verdict.evidence),
      };
    return this.advance('removing-source', {}, verdict.detail);
  }

  /** Once the source started going it is only ever finished: retried, never rolled back. */
  private async removeSource(source: ObjectClient, target: ObjectClient): Promise<Next> {
    const kind = this.job.kind ?? (await findKind(this.job, source, target));
    const options = { podsGoneTimeoutMs: this.ports.timing.readyTimeoutMs, checkTarget: this.mode === 'settle' };
    const removed = await retried<string>(this.ports, async () => {
      const r = await removeSource({ ...this.job, kind }, source, target, options);
      return r.ok ? { ok: true, value: r.detail } : r;
    });
    if (!removed.ok && removed.retry === false) return { outcome: await this.keepSource(source, kind, removed.reason) };
    if (!removed.ok) return { outcome: this.end('stuck', `removing the source not finished: ${removed.reason}`) };
    return this.advance('source-removed', {}, removed.value);
  }

  /** The copy is not there to take over: the source gets its replicas back, and the move fails for a human. */
  private async keepSource(source: ObjectClient, kind: MovableKind, reason: string): Promise<MigrationOutcome> {
    const why = `${reason}; ${await restoreSource({ ...this.job, kind }, source)}`;
    return (await this.step('failed', { reason: why }, why)) ? this.end('failed', why) : this.lost();
  }

  /** Journals rolling-back, deletes what the migration created in the target (by its label), journals rolled-back. */
  async rollBack(target: ObjectClient, reason: string, evidence?: GateEvidence): Promise<MigrationOutcome> {
    if (this.job.state !== 'rolling-back' && !(await this.step('rolling-back', { reason }, reason))) return this.lost();
    const timeoutMs = this.ports.timing.readyTimeoutMs;
    const undone = await retried<readonly string[]>(this.ports, async () => {
      const r = await rollBackTarget(this.job, target, timeoutMs);
      return r.ok ? { ok: true, value: r.deleted } : { ok: false, retry: true, reason: r.reason };
    });
    if (!undone.ok) return this.end('stuck', `rollback not finished: ${undone.reason}`);
    const deleted = undone.value.join(', ') || 'nothing to delete';
    const exception = {
      kind: 'rollback' as const,
      detail: { reason, deleted: undone.value, ...(evidence ? { evidence } : {}) },
    };
    return (await this.step('rolled-back', { exception }, deleted)) ? this.end('rolled-back', reason) : this.lost();
  }

  private async advance(
    to: MigrationState,
    extra: Omit<Transition, 'from' | 'to'> = {},
    detail?: string,
  ): Promise<Next> {
    return (await this.step(to, extra, detail)) ? NEXT : { outcome: this.lost() };
  }

  /** Journals a step; false when this process lost it (stopped, or the migration was advanced elsewhere). */
  private async step(
    to: MigrationState,
    extra: Omit<Transition, 'from' | 'to'> = {},
    detail?: string,
  ): Promise<boolean> {
    if (this.ports.stopped()) return false;
    const done = await this.ports.journal.advance(this.job.id, { from: this.job.state, to, ...extra });
    if (!done.ok) return false;
    this.job = { ...this.job, state: to };
    const { id, workload } = this.job;
    this.ports.emit({ type: 'step', migration: id, workload, state: to, ...(detail ? { detail } : {}) });
    return true;
  }

  private lost(): MigrationOutcome {
    return this.end('stuck', this.ports.stopped() ?? `migration ${this.job.id} was advanced by another process`);
  }

  private end(end: MigrationOutcome['end'], reason?: string): MigrationOutcome {
    const { id, runId, workload, from, to } = this.job;
    const why = reason ? { reason } : {};
    this.ports.emit({ type: 'end', migration: id, workload, from, to, end, ...why });
    const resumed = this.mode === 'settle' ? { resumedFrom: this.start.state } : {};
    return { id, runId, workload, from, to, end, ...why, ...resumed };
  }
}

/**
 * The kind of a workload found mid-migration (the journal does not keep it): a Deployment or
 * CronJob by its name in the target, else in the source. With neither, a Deployment: removal
 * then checks the copy (settling always does) and finds there is none, so nothing is removed.
 */
async function findKind(job: MigrationJob, source: ObjectClient, target: ObjectClient): Promise<MovableKind> {
  const { namespace, name } = splitWorkload(job.workload);
  for (const client of [target, source])
    for (const kind of ['Deployment', 'CronJob'] as const) {
      const got = await client.get({ kind, namespace, name });
      if (got.ok && got.value) return kind;
    }
  return 'Deployment';
}

type Attempt<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly retry?: boolean; readonly reason: string };

/** Tries `attempt` up to timing.finishAttempts times, backing off between tries; the last answer. */
async function retried<T>(ports: ApplyPorts, attempt: () => Promise<Attempt<T>>): Promise<Attempt<T>> {
  let last: Attempt<T> = { ok: false, reason: 'not tried' };
  for (let i = 0; i < ports.timing.finishAttempts; i++) {
    if (i > 0) await ports.sleep(ports.timing.finishBackoffMs * 2 ** Math.min(i - 1, 5));
    last = await attempt();
    if (last.ok || last.retry === false || ports.stopped()) return last;
  }
  return last;
}
