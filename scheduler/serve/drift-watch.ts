import { insertException } from '../../db/exception-episodes.js';
import { inTransaction, type Store } from '../../db/store.js';
import { latestMigrationOf, type MigrationRow } from '../../db/migration-journal.js';
import type { BoardEntry, VerdictBoard } from '../gate/verdict-board.js';
import type { Intent } from '../intent/model.js';
import { tellExceptionsIn } from '../notify/notices.js';
import type { ServeConfig } from './serve-config.js';

/** What on_drift asks for a workload whose check stopped holding, decided from the intent and the journal. */
export interface DriftResponse {
  readonly action: 'alert' | 'auto-remediate' | 'rollback';
  /** The move to undo: the workload's last move, done within the cooldown, into the region that drifted. */
  readonly undo?: MigrationRow;
}

export interface DriftWatchDeps {
  readonly store: Store;
  readonly board: VerdictBoard;
  readonly config: () => ServeConfig;
  /** Workloads with a migration under way: their verdicts are the gate's to judge, not drift. */
  readonly moving: () => ReadonlySet<string>;
  readonly now: () => number;
  /** Moves `undo`'s workload back where it came from; says what was done. */
  readonly remediate: (undo: MigrationRow) => Promise<string>;
  readonly onError: (err: unknown) => void;
  readonly onDrift: (workload: string, what: 'raised' | 'cleared', detail: string) => void;
}

/** The intent a check key names: `workload>dependency@intent#constraint`. */
export function intentOfKey(key: string): string | undefined {
  const at = key.lastIndexOf('@');
  const hash = key.lastIndexOf('#');
  return at >= 0 && hash > at ? key.slice(at + 1, hash) : undefined;
}

/**
 * What the language defines for a drift (docs/intent-language.md, on_drift): `alert` tells;
 * `auto-remediate` and `rollback` undo the workload's move when it moved into this region
 * within the cooldown (the move is what broke the promise), and otherwise alert — there is
 * nothing deterministic to undo. No intent or no on_drift: alert.
 */
export function driftResponse(
  intent: Intent | undefined,
  lastMove: MigrationRow | undefined,
  region: string,
  cooldownMs: number,
  now: number,
): DriftResponse {
  const action = intent?.onDrift?.action ?? 'alert';
  if (action === 'alert' || !lastMove) return { action };
  const recent =
    lastMove.state === 'done' && lastMove.toRegion === region && now - lastMove.updatedAt.getTime() <= cooldownMs;
  return recent ? { action, undo: lastMove } : { action };
}

/**
 * Drift on workloads that did not move: the enforcers' verdicts as they arrive, for every
 * workload with no migration under way. A check turning `violated` raises a drift exception
 * for its workload (one episode per workload, however many of its checks fail), answered as
 * its intent's on_drift says, recorded with what was done; when every check of the workload
 * holds again, the episode is told resolved. Writes are serialised in arrival order.
 */
export class DriftWatch {
  /** Per workload, the checks (region and key) now violated. */
  readonly #violated = new Map<string, Set<string>>();
  #chain: Promise<void> = Promise.resolve();
  #stop: (() => void) | undefined;

  constructor(private readonly deps: DriftWatchDeps) {}

  start(): void {
    this.#stop = this.deps.board.listen((e) => this.#seen(e));
  }

  stop(): Promise<void> {
    this.#stop?.();
    return this.#chain;
  }

  #seen(e: BoardEntry): void {
    if (this.deps.moving().has(e.workload)) return;
    const id = `${e.region}\u0000${e.key}`;
    const set = this.#violated.get(e.workload) ?? new Set<string>();
    const wasDrifting = set.size > 0;
    if (e.state === 'violated') set.add(id);
    else if (e.state === 'holds') set.delete(id);
    else return; // unknown says nothing either way
    this.#violated.set(e.workload, set);
    if (!wasDrifting && set.size > 0) this.#then(() => this.#raise(e));
    if (wasDrifting && set.size === 0) this.#then(() => this.#clear(e));
  }

  #then(step: () => Promise<void>): void {
    this.#chain = this.#chain.then(step).catch(this.deps.onError);
  }

  async #raise(e: BoardEntry): Promise<void> {
    const config = this.deps.config();
    const intentName = intentOfKey(e.key);
    const intent = config.workspace.intents.find((i) => i.name === intentName);
    const lastMove = await latestMigrationOf(this.deps.store, e.workload);
    const cooldown = config.workspace.fleet.policy.cooldownMs;
    const response = driftResponse(intent, lastMove, e.region, cooldown, this.deps.now());
    const remediation = response.undo ? await this.deps.remediate(response.undo) : undefined;
    const at = new Date(this.deps.now());
    const detail = {
      check: e.key,
      region: e.region,
      node: e.node,
      reason: e.reason,
      action: response.action,
      ...(remediation ? { remediation } : {}),
      ...(e.evidence ? { evidence: e.evidence } : {}),
    };
    await inTransaction(this.deps.store, async (tx) => {
      const row = await insertException(tx, { kind: 'drift', concerns: e.workload, detail }, at);
      await tellExceptionsIn(tx, config.audience, [row], [], at);
    });
    this.deps.onDrift(e.workload, 'raised', `${e.key} in ${e.region}: ${e.reason}; ${remediation ?? 'notified'}`);
    if (remediation?.startsWith('moved back')) this.#left(e);
  }

  /** The workload no longer runs in the region that drifted: its checks there are moot (over, if none remain). */
  #left(e: BoardEntry): void {
    const set = this.#violated.get(e.workload);
    if (!set) return;
    for (const id of [...set]) if (id.startsWith(`${e.region}\u0000`)) set.delete(id);
    if (set.size === 0) this.#then(() => this.#clear(e, `moved out of ${e.region}`));
  }

  /** Every check of the workload holds again: its drift episode is over. */
  async #clear(e: BoardEntry, why = `${e.key} holds again in ${e.region}`): Promise<void> {
    const config = this.deps.config();
    const at = new Date(this.deps.now());
    await inTransaction(this.deps.store, (tx) =>
      tellExceptionsIn(tx, config.audience, [], [], at, { kind: 'drift', concerns: e.workload }),
    );
    this.deps.onDrift(e.workload, 'cleared', why);
  }
}
