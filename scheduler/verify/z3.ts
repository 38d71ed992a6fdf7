/**
 * The process's one Z3 context (z3-solver, WebAssembly), initialised on first use with fixed
 * parameters so the same question gets the same answer and the same core. Questions are
 * SMT-LIB 2 text: building them is pure (and testable), and loading text is much faster
 * than thousands of calls across the WebAssembly boundary.
 */
import type { Z3HighLevel, Z3LowLevel } from 'z3-solver';

type Api = Z3HighLevel & Z3LowLevel;
type Ctx = ReturnType<typeof makeContext>;
const makeContext = (a: Api) => a.Context('shisa');

export interface SolveResult {
  readonly status: 'sat' | 'unsat' | 'unknown';
  /** Names of the assumptions in the unsat core (unsat only). */
  readonly core: readonly string[];
  /** Why unknown, as Z3 says it (e.g. "timeout"). */
  readonly reason?: string;
}

let api: Promise<{ api: Api; ctx: Ctx }> | undefined;

function z3(): Promise<{ api: Api; ctx: Ctx }> {
  api ??= (async () => {
    const { init } = await import('z3-solver');
    const loaded = await init();
    // Fixed seeds: same inputs, same verdicts, same cores.
    loaded.setParam('smt.random_seed', 0);
    loaded.setParam('sat.random_seed', 0);
    return { api: loaded, ctx: makeContext(loaded) };
  })();
  return api;
}

/** A solver holding one question, asked under different assumptions. */
export interface SmtSession {
  check(assumptions: readonly string[]): Promise<SolveResult>;
  release(): void;
}

/**
 * Asserts `smt` (declarations and assertions) in a fresh solver, to be checked under named
 * Boolean assumptions. Unknown (timeout, resource limit) is reported as such.
 */
export async function openSmt(smt: string, timeoutMs: number, kind: 'cores' | 'fast' = 'cores'): Promise<SmtSession> {
  const { ctx } = await z3();
  // The plain SMT core as a tactic answers satisfiable questions several times faster than
  // the default portfolio solver here; the default one is kept for unsat cores.
  const solver = kind === 'fast' ? new ctx.Tactic('smt').solver() : new ctx.Solver();
  solver.set('timeout', Math.max(1, Math.round(timeoutMs)));
  solver.fromString(smt);
  return {
    async check(assumptions) {
      const status = await solver.check(...assumptions.map((a) => ctx.Bool.const(a)));
      if (status === 'unsat') return { status, core: [...solver.unsatCore()].map((e) => e.sexpr()) };
      if (status === 'unknown') return { status, core: [], reason: solver.reasonUnknown() };
      return { status, core: [] };
    },
    release: () => solver.release(),
  };
}

/** Lets the process exit: Z3's worker threads otherwise keep Node alive. */
export async function shutdownZ3(): Promise<void> {
  if (!api) return;
  const { api: loaded } = await api;
  const { killThreads } = await import('z3-solver');
  await killThreads(loaded.em);
  api = undefined;
}
