import { sortRefs, type ConstraintRef } from './proof.js';
import { openSmt } from './z3.js';

/** A question for Z3 whose constraints are switched on by named assumptions, one per ref. */
export interface TrackedSmt {
  readonly smt: string;
  /** Assumption name → the constraint it switches on. */
  readonly refs: ReadonlyMap<string, ConstraintRef>;
}

/** How an answer was reached: Z3's search, a placement at hand checked, or the rules alone. */
export type Method = 'z3' | 'model' | 'rules';

export type Answer =
  | { readonly status: 'sat'; readonly by?: Method }
  | { readonly status: 'unsat'; readonly core: readonly ConstraintRef[]; readonly by?: Method }
  | { readonly status: 'unknown'; readonly reason: string };

/**
 * Checks every tracked constraint together. When they conflict, shrinks Z3's core to a
 * minimal one by deletion (each constraint left out in turn, in source order; kept only if
 * the rest become satisfiable), so the report names exactly what conflicts.
 */
export async function checkTracked(q: TrackedSmt, timeoutMs: number): Promise<Answer> {
  const session = await openSmt(q.smt, timeoutMs);
  try {
    const byRef = new Map([...q.refs].map(([name, ref]) => [ref, name]));
    const names = sortRefs([...q.refs.values()]).map((r) => byRef.get(r) as string);
    const first = await session.check(names);
    if (first.status === 'sat') return { status: 'sat' };
    if (first.status === 'unknown') return { status: 'unknown', reason: first.reason ?? 'unknown' };
    let core = names.filter((n) => first.core.includes(n));
    // Deletion order decides which minimal core is found: the scenario (a lost region) and
    // the assertion under proof are tried last, so a core keeps them when one exists.
    const last = (n: string): number => (['region-lost', 'assertion'].includes(q.refs.get(n)!.kind) ? 1 : 0);
    for (const name of [...core].sort((a, b) => last(a) - last(b))) {
      if (!core.includes(name)) continue;
      const without = core.filter((n) => n !== name);
      const r = await session.check(without);
      if (r.status === 'unsat') core = without.filter((n) => r.core.includes(n));
      // sat: needed; unknown: keep it, the core is still a core.
    }
    return { status: 'unsat', core: sortRefs(core.map((n) => q.refs.get(n) as ConstraintRef)) };
  } finally {
    session.release();
  }
}

/** Checks a question with nothing tracked: sat, unsat (no core) or unknown. */
export async function checkQuick(q: TrackedSmt, timeoutMs: number): Promise<Answer> {
  const s = await openSmt(q.smt, timeoutMs, 'fast');
  try {
    const r = await s.check([]);
    if (r.status === 'unknown') return { status: 'unknown', reason: r.reason ?? 'unknown' };
    return r.status === 'sat' ? { status: 'sat' } : { status: 'unsat', core: [] };
  } finally {
    s.release();
  }
}

/**
 * A number that cannot be written as an SMT-LIB integer literal. Input never causes it (every
 * number is range-checked where it is read), so it means a bug upstream; it is raised rather
 * than letting Z3 read "1e+23" or "Infinity" and fail on text no one can trace back.
 */
export class SmtLiteralError extends Error {
  readonly code = 'SMT_NOT_A_SAFE_INTEGER';

  constructor(readonly value: number) {
    super(`cannot write ${String(value)} as an SMT-LIB integer: only safe integers (|n| ≤ 2^53 − 1) are exact`);
    this.name = 'SmtLiteralError';
  }
}

/**
 * The one way integers enter SMT-LIB text: a plain decimal numeral, a negative one as
 * `(- n)` (SMT-LIB numerals have no sign). Anything but a safe integer is refused, since
 * above 2^53 a double is no longer the integer it seems to be and JavaScript would print it
 * with an exponent.
 */
export function smtInt(n: number): string {
  if (!Number.isSafeInteger(n)) throw new SmtLiteralError(n);
  return n < 0 ? `(- ${-n})` : String(n);
}

/** Builds SMT-LIB text with tracked constraints: each ref gets a Boolean assumption. */
export class SmtWriter {
  private readonly lines: string[] = [];
  private readonly names = new Map<ConstraintRef, string>();
  private readonly refs = new Map<string, ConstraintRef>();
  private readonly byId = new Map<string, ConstraintRef>();

  /** The assumption that switches `ref` on (refs with the same id share one). */
  track(ref: ConstraintRef): string {
    const same = this.byId.get(ref.id) ?? ref;
    this.byId.set(ref.id, same);
    let name = this.names.get(same);
    if (!name) {
      name = `a${this.names.size}`;
      this.names.set(same, name);
      this.refs.set(name, same);
      this.lines.push(`(declare-const ${name} Bool)`);
    }
    return name;
  }

  line(text: string): void {
    this.lines.push(text);
  }

  build(): TrackedSmt {
    return { smt: this.lines.join('\n'), refs: this.refs };
  }
}
