/** A verdict state as the enforcers report it (enforcer/verdict.ts). */
export type ReportedState = 'holds' | 'violated' | 'unknown';

/** The part of an enforcer's verdict the gate and drift read; the rest stays in `evidence`. */
export interface ReportedVerdict {
  /** The check's stable key: workload>dependency@intent#constraint. */
  readonly key: string;
  readonly workload: string;
  readonly state: ReportedState;
  readonly reason: string;
  /** The bound the check measures against, in ms. */
  readonly maxMs?: number;
  /** What the verdict rests on (samples, failures, p50Ms, p99Ms, …), as the enforcer measured it. */
  readonly evidence?: Readonly<Record<string, unknown>>;
}

/** One verdict as the board keeps it: who said it, where, and when it arrived here. */
export interface BoardEntry extends ReportedVerdict {
  readonly node: string;
  readonly region: string;
  /** Epoch ms at which the scheduler received it: one clock for every node, skew or not. */
  readonly receivedAt: number;
}

export type BoardListener = (entry: BoardEntry) => void;

/** What a report came to: how many verdicts were taken, and why any were not. */
export interface ReportReceipt {
  readonly accepted: number;
  /** Set when the node's region is not known: its verdicts cannot speak for a region. */
  readonly refused?: string;
}

/** How much history is kept: enough for the longest verification window, never unbounded. */
export interface BoardLimits {
  readonly retentionMs: number;
  readonly perKey: number;
}

export const DEFAULT_BOARD_LIMITS: BoardLimits = Object.freeze({ retentionMs: 2 * 24 * 3600_000, perKey: 256 });

/**
 * The enforcers' verdicts as they arrive (POST /v1/verdicts), by check and region. The gate
 * of a migration in `verifying` listens for the moved workload's checks in its target region;
 * drift reads the latest of each. Verdicts of a node whose region is unknown are refused, not
 * guessed: a verdict from the wrong region must never let a move through.
 */
export class VerdictBoard {
  readonly #entries = new Map<string, BoardEntry[]>();
  readonly #listeners = new Set<BoardListener>();

  constructor(
    private readonly regionOf: (node: string) => string | undefined,
    private readonly limits: BoardLimits = DEFAULT_BOARD_LIMITS,
  ) {}

  report(node: string, verdicts: readonly ReportedVerdict[], receivedAt: number): ReportReceipt {
    const region = this.regionOf(node);
    if (region === undefined) return { accepted: 0, refused: `node "${node}" is in no region of the fleet` };
    for (const v of verdicts) {
      const entry: BoardEntry = Object.freeze({ ...v, node, region, receivedAt });
      const id = `${region}\u0000${v.key}`;
      const kept = this.#entries.get(id) ?? [];
      kept.push(entry);
      const since = receivedAt - this.limits.retentionMs;
      this.#entries.set(id, kept.filter((e) => e.receivedAt >= since).slice(-this.limits.perKey));
      for (const l of this.#listeners) l(entry);
    }
    return { accepted: verdicts.length };
  }

  /** The verdicts of check `key` in `region` received at or after `since`, oldest first. */
  history(region: string, key: string, since: number): readonly BoardEntry[] {
    return (this.#entries.get(`${region}\u0000${key}`) ?? []).filter((e) => e.receivedAt >= since);
  }

  /** Calls `listener` with every verdict taken from now on; returns the call that stops it. */
  listen(listener: BoardListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
