import fc from 'fast-check';
import type { Mover, PairConstraint, PlacementProblem } from '../../scheduler/planner/problem.js';

/**
 * Random placement problems small enough to enumerate: up to 10 movers × 4 regions, with
 * capacity that binds, a budget, pair latency constraints and integer costs.
 */
export const smallProblem = (maxMovers = 10, maxRegions = 4): fc.Arbitrary<PlacementProblem> =>
  fc
    .record({
      regions: fc.integer({ min: 1, max: maxRegions }),
      movers: fc.integer({ min: 0, max: maxMovers }),
      seed: fc.integer({ min: 1, max: 2 ** 31 - 2 }),
    })
    .map(({ regions, movers, seed }) => generate(regions, movers, seed));

/** A deterministic pseudo-random problem from a seed. */
export function generate(nRegions: number, nMovers: number, seed: number): PlacementProblem {
  let s = seed;
  const rnd = (): number => (s = (s * 48271) % 2147483647) / 2147483647;
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const lat: (number | undefined)[][] = Array.from({ length: nRegions }, () =>
    Array<number | undefined>(nRegions).fill(0),
  );
  for (let a = 0; a < nRegions; a++)
    for (let b = a + 1; b < nRegions; b++) {
      const v = rnd() < 0.15 ? undefined : int(5, 200);
      (lat[a] as (number | undefined)[])[b] = v;
      (lat[b] as (number | undefined)[])[a] = v;
    }
  const movers: Mover[] = [];
  const usedCpu = new Array<number>(nRegions).fill(0);
  const usedMem = new Array<number>(nRegions).fill(0);
  for (let i = 0; i < nMovers; i++) {
    const current = int(0, nRegions - 1);
    const cpu = int(1, 4);
    const mem = int(1, 8);
    usedCpu[current] = (usedCpu[current] as number) + cpu;
    usedMem[current] = (usedMem[current] as number) + mem;
    const stay = int(20, 100);
    const allowed = [current];
    const cost = new Map<number, number>([[current, stay]]);
    for (let r = 0; r < nRegions; r++) {
      if (r !== current && rnd() < 0.7) {
        allowed.push(r);
        cost.set(r, int(1, stay - 1));
      }
    }
    allowed.sort((a, b) => a - b);
    movers.push({
      name: `w${i}`,
      current,
      cpu,
      memoryGib: mem,
      allowed: Int32Array.from(allowed),
      cost: Float64Array.from(allowed.map((r) => cost.get(r) as number)),
    });
  }
  const regions = Array.from({ length: nRegions }, (_, r) => ({
    name: `r${r}`,
    // At least what runs there now, sometimes a little more: capacity binds.
    cpu: (usedCpu[r] as number) + int(0, 6),
    memoryGib: (usedMem[r] as number) + int(0, 12),
    intensity: 100,
  }));
  const pairs: PairConstraint[] = [];
  for (let k = 0; k < nMovers && nMovers > 1; k++) {
    if (rnd() < 0.3) {
      const a = int(0, nMovers - 1);
      const b = int(0, nMovers - 1);
      if (a === b) continue;
      const now = lat[movers[a]!.current]![movers[b]!.current];
      if (now === undefined) continue;
      pairs.push({ a, b, maxMs: Math.max(now, int(5, 150)) });
    }
  }
  return {
    regions,
    movers,
    budget: int(0, nMovers),
    pairs,
    latency: (a, b) => lat[a]?.[b],
    fixedEmissions: int(0, 50),
  };
}

/** Every placement, enumerated: the optimum by brute force. */
export function bruteForce(
  p: PlacementProblem,
  violation: (p: PlacementProblem, r: Int32Array) => string | undefined,
  objective: (p: PlacementProblem, r: Int32Array) => number,
): number {
  const n = p.movers.length;
  const region = new Int32Array(n);
  let best = Infinity;
  const rec = (i: number): void => {
    if (i === n) {
      if (violation(p, region) === undefined) best = Math.min(best, objective(p, region));
      return;
    }
    for (const r of p.movers[i]!.allowed) {
      region[i] = r;
      rec(i + 1);
    }
  };
  rec(0);
  return best;
}
