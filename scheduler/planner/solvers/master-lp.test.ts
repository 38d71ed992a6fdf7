import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { solveLp } from '../../../test/planner/highs-lp.js';
import { MasterLp } from './master-lp.js';

/** Checks optimality conditions: dual feasibility, complementary slackness, strong duality. */
function expectOptimal(lp: MasterLp, b: number[], columns: { cost: number; a: number[] }[]): number {
  const s = lp.solve();
  const m = b.length;
  for (let i = 0; i < m; i++) expect(s.duals[i]).toBeLessThanOrEqual(1e-9);
  let weightSum = 0;
  const used = new Array<number>(m).fill(0);
  columns.forEach((c, k) => {
    const w = s.weights[k] as number;
    expect(w).toBeGreaterThanOrEqual(0);
    weightSum += w;
    c.a.forEach((v, i) => (used[i] = (used[i] as number) + v * w));
    expect(MasterLp.reducedCost(c.cost, Float64Array.from(c.a), s.duals)).toBeGreaterThanOrEqual(-1e-7);
  });
  expect(weightSum).toBeCloseTo(1, 9);
  let dualObjective = s.duals[m] as number;
  for (let i = 0; i < m; i++) {
    expect(used[i]).toBeLessThanOrEqual((b[i] as number) + 1e-9);
    dualObjective += (s.duals[i] as number) * (b[i] as number);
  }
  expect(s.objective).toBeCloseTo(dualObjective, 7);
  return s.objective;
}

describe('MasterLp', () => {
  it('solves a small master to optimality: two half-columns beat one that uses both rows', () => {
    const b = [1, 1];
    const columns = [
      { cost: 0, a: [0, 0] },
      { cost: -1, a: [2, 0] },
      { cost: -1, a: [0, 2] },
      { cost: -1.5, a: [2, 2] },
    ];
    const lp = new MasterLp(Float64Array.from(b), columns[0]!.cost, Float64Array.from(columns[0]!.a));
    for (const c of columns.slice(1)) lp.addColumn(c.cost, Float64Array.from(c.a));
    expect(expectOptimal(lp, b, columns)).toBeCloseTo(-1, 9);
  });

  it('rejects a first column that breaks a row (the starting basis must be feasible)', () => {
    expect(() => new MasterLp(Float64Array.from([1]), 0, Float64Array.from([2]))).toThrow(/first column/);
  });

  it('agrees with HiGHS on 300 random masters, columns added in rounds as column generation does', async () => {
    const cases = fc.sample(
      fc.record({
        m: fc.integer({ min: 1, max: 8 }),
        k: fc.integer({ min: 1, max: 40 }),
        seed: fc.integer({ min: 1, max: 2 ** 31 - 2 }),
      }),
      { numRuns: 300, seed: 42 },
    );
    for (const { m, k, seed } of cases) {
      let s = seed;
      const rnd = (): number => (s = (s * 48271) % 2147483647) / 2147483647;
      const b = Array.from({ length: m }, () => Math.round(rnd() * 10) / 10 + 0.1);
      // Degenerate data on purpose: rounded values, repeated columns, zero rows.
      const columns = [{ cost: 0, a: b.map((x) => Math.round(x * rnd() * 10) / 10) }];
      for (let j = 0; j < k; j++)
        columns.push({
          cost: -Math.round(rnd() * 20) / 10,
          a: b.map(() => (rnd() < 0.3 ? 0 : Math.round(rnd() * 30) / 10)),
        });
      const lp = new MasterLp(Float64Array.from(b), 0, Float64Array.from(columns[0]!.a));
      let objective = 0;
      for (let j = 1; j < columns.length; j++) {
        lp.addColumn(columns[j]!.cost, Float64Array.from(columns[j]!.a));
        if (j % 5 === 0 || j === columns.length - 1) objective = expectOptimal(lp, b, columns.slice(0, j + 1));
      }
      const v = (j: number) => `w${j}`;
      const rows = b.map((bi, i) => ` r${i}: ${columns.map((c, j) => `${c.a[i]} ${v(j)}`).join(' + ')} <= ${bi}`);
      const model = `Minimize\n obj: ${columns.map((c, j) => `${c.cost} ${v(j)}`).join(' + ')}\nSubject To\n${rows.join('\n')}\n conv: ${columns.map((_c, j) => v(j)).join(' + ')} = 1\nEnd\n`;
      expect(objective).toBeCloseTo(await solveLp(model), 6);
    }
  });
});
