/**
 * The exact reference: the same PlacementProblem as a mixed-integer program for HiGHS
 * (WebAssembly), with a time limit. Used by the benchmark only.
 */
import { costIn, type PlacementProblem } from '../scheduler/planner/problem.js';

export interface MipResult {
  readonly status: string;
  readonly objective?: number;
  readonly seconds: number;
}

export async function solveMip(p: PlacementProblem, timeLimitSeconds: number): Promise<MipResult> {
  // highs ships CommonJS types; its ESM build's default export is the loader.
  const { default: highsLoader } = (await import('highs')) as unknown as {
    default: () => Promise<{
      solve(lp: string, options: Record<string, unknown>): { Status: string; Columns: unknown };
    }>;
  };
  const highs = await highsLoader();
  const v = (i: number, r: number) => `x${i}_${r}`;
  const obj: string[] = [];
  const rows: string[] = [];
  const cpu: string[][] = p.regions.map(() => []);
  const mem: string[][] = p.regions.map(() => []);
  const moves: string[] = [];
  const binaries: string[] = [];
  p.movers.forEach((m, i) => {
    const one: string[] = [];
    m.allowed.forEach((r, k) => {
      const name = v(i, r);
      obj.push(`${(m.cost[k] as number).toFixed(9)} ${name}`);
      one.push(name);
      cpu[r]!.push(`${m.cpu} ${name}`);
      mem[r]!.push(`${m.memoryGib} ${name}`);
      if (r !== m.current) moves.push(name);
      binaries.push(name);
    });
    rows.push(` a${i}: ${one.join(' + ')} = 1`);
  });
  p.regions.forEach((r, k) => {
    if (cpu[k]!.length)
      rows.push(` c${k}: ${cpu[k]!.join(' + ')} <= ${r.cpu}`, ` m${k}: ${mem[k]!.join(' + ')} <= ${r.memoryGib}`);
  });
  if (moves.length) rows.push(` budget: ${moves.join(' + ')} <= ${p.budget}`);
  let pairRows = 0;
  for (const e of p.pairs) {
    for (const ra of p.movers[e.a]!.allowed)
      for (const rb of p.movers[e.b]!.allowed) {
        const l = p.latency(ra, rb);
        if (l === undefined || l > e.maxMs) rows.push(` p${pairRows++}: ${v(e.a, ra)} + ${v(e.b, rb)} <= 1`);
      }
  }
  const lp = `Minimize\n obj: ${obj.join(' + ') || '0 x'}\nSubject To\n${rows.join('\n')}\nBinary\n${binaries.join(' ')}\nEnd\n`;
  const started = performance.now();
  const sol = highs.solve(lp, { time_limit: timeLimitSeconds, mip_rel_gap: 0 });
  const seconds = (performance.now() - started) / 1000;
  if (sol.Status !== 'Optimal') return { status: sol.Status, seconds };
  let objective = p.fixedEmissions;
  p.movers.forEach((m, i) => {
    for (const r of m.allowed)
      if (((sol.Columns as Record<string, { Primal: number }>)[v(i, r)]?.Primal ?? 0) > 0.5)
        objective += costIn(m, r) as number;
  });
  return { status: sol.Status, objective, seconds };
}
