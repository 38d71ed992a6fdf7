/**
 * HiGHS (WebAssembly, a dev dependency) as an independent oracle for linear programs in
 * tests: the planner's own LP code is checked against it, never the other way round.
 */
interface Highs {
  solve(lp: string, options?: Record<string, unknown>): { Status: string; ObjectiveValue: number };
}

let loaded: Promise<Highs> | undefined;

export function highs(): Promise<Highs> {
  // highs ships CommonJS types; its ESM build's default export is the loader.
  loaded ??= import('highs').then((m) => (m as unknown as { default: () => Promise<Highs> }).default());
  return loaded;
}

/** Solves a CPLEX-LP-format model; throws unless HiGHS reports it optimal. */
export async function solveLp(lp: string): Promise<number> {
  const h = await highs();
  const sol = h.solve(lp);
  if (sol.Status !== 'Optimal') throw new Error(`HiGHS: ${sol.Status}`);
  return sol.ObjectiveValue;
}
