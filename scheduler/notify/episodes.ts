/** An exception by what it is about: the same kind about the same thing is the same exception. */
export interface ExceptionIdentity {
  readonly kind: string;
  /** What it concerns: an obligation, a zone, a workload, a cluster, a file. */
  readonly concerns: string;
}

export interface OpenException extends ExceptionIdentity {
  /** The stored exception that opened the episode (its outbox keys derive from it). */
  readonly id: number;
}

/** What to tell after a run: exceptions newly raised, and open ones that cleared. */
export interface EpisodeChanges<T extends ExceptionIdentity> {
  /** Seen now and not open before: told once, when they start. */
  readonly raised: readonly T[];
  /** Open before, judged by this run and not seen: a short "resolved" follows. */
  readonly resolved: readonly OpenException[];
  /** Open before and seen again: nothing is sent. */
  readonly persisting: readonly OpenException[];
}

const keyOf = (e: ExceptionIdentity) => `${e.kind}\u0000${e.concerns}`;

/**
 * Compares the exceptions a run found with those still open, so that an exception that
 * persists is told once, not every run, and its end is told too. Only kinds this run
 * `judged` can clear: a run that could not read the carbon feed says nothing about whether
 * an unreachable cluster is back, so an open exception of a kind it did not judge stays open.
 */
export function episodeChanges<T extends ExceptionIdentity>(
  open: readonly OpenException[],
  seen: readonly T[],
  judged: ReadonlySet<string>,
): EpisodeChanges<T> {
  const openKeys = new Map(open.map((o) => [keyOf(o), o]));
  const seenKeys = new Set(seen.map(keyOf));
  const raised: T[] = [];
  const told = new Set<string>();
  for (const s of seen) {
    const k = keyOf(s);
    if (openKeys.has(k) || told.has(k)) continue;
    told.add(k);
    raised.push(s);
  }
  const persisting = open.filter((o) => seenKeys.has(keyOf(o)));
  const resolved = open.filter((o) => !seenKeys.has(keyOf(o)) && judged.has(o.kind));
  return { raised, resolved, persisting };
}
