import type { PlacementProblem } from '../problem.js';
import type { Group } from './mover-groups.js';

/** Members of each kind per region (fractional in an LP solution): region → count. */
export type GroupCounts = Map<number, number>[];

const INTEGRAL = 1e-7;

/**
 * Moves a fractional LP solution towards a vertex without making it worse, so that few kinds
 * of mover are split fractionally and rounding loses little.
 *
 * Column generation ends with a mix of whole placements, which splits every kind the mix's
 * placements disagree on (hundreds at 50,000 workloads). A vertex splits at most as many
 * kinds as there are tight rows. Each step takes one more fractional kind than there are
 * tight rows, pairs two of each kind's regions (shifting members between them keeps the
 * kind's total), finds a combination of those shifts that leaves every tight row unchanged
 * (a null vector of a small dense matrix), orients it so emissions do not rise, and follows
 * it until a count becomes whole or a slack row fills. The LP optimum stays optimal: a
 * feasible direction in both senses cannot change an optimal objective.
 */
export function towardsVertex(
  p: PlacementProblem,
  groups: readonly Group[],
  counts: GroupCounts,
  limits: Float64Array,
): { readonly fractional: number; readonly steps: number } {
  const R = p.regions.length;
  const rows = 2 * R + 1;
  const used = new Float64Array(rows);
  groups.forEach((g, gi) => {
    for (const [r, x] of counts[gi] as Map<number, number>) addUsage(used, g, r, x, R);
  });
  const tolerance = Float64Array.from(limits, (b) => 1e-9 * Math.max(1, b));
  const fractionalRegions = (gi: number): number[] => {
    const out: number[] = [];
    for (const [r, x] of counts[gi] as Map<number, number>) if (Math.abs(x - Math.round(x)) > INTEGRAL) out.push(r);
    return out.sort((a, b) => a - b);
  };
  // Split kinds in a fixed order, with their fractional regions; rechecked only when touched.
  const fractional = new Map<number, number[]>();
  let counted = 0;
  groups.forEach((_g, gi) => {
    const f = fractionalRegions(gi);
    counted += f.length;
    if (f.length >= 2) fractional.set(gi, f);
  });
  const position = new Int32Array(rows).fill(-1);
  const scratch = new Float64Array(rows);
  // Every step makes a count whole or a row tight.
  const maxSteps = counted + rows + 10;
  let steps = 0;
  for (; steps < maxSteps; steps++) {
    const tight: number[] = [];
    for (let i = 0; i < rows; i++)
      if ((limits[i] as number) - (used[i] as number) <= (tolerance[i] as number)) tight.push(i);
    const k = tight.length + 1;
    if (fractional.size < k) break;
    // Pairs from the first k split kinds: shift members from region `from` to `to`.
    const pairs: Shift[] = [];
    for (const [gi, f] of fractional) {
      pairs.push({ gi, from: f[0] as number, to: f[1] as number });
      if (pairs.length === k) break;
    }
    const alpha = shiftDirection(groups, pairs, tight, position, scratch, R);
    if (!alpha) break;
    const t = stepLength(groups, counts, pairs, alpha, used, limits);
    if (!Number.isFinite(t)) break;
    pairs.forEach(({ gi, from, to }, j) => {
      const g = groups[gi] as Group;
      const c = counts[gi] as Map<number, number>;
      const move = t * (alpha[j] as number);
      c.set(to, snap((c.get(to) as number) + move));
      c.set(from, snap((c.get(from) as number) - move));
      addUsage(used, g, to, move, R);
      addUsage(used, g, from, -move, R);
    });
    for (const { gi } of pairs) {
      const f = fractionalRegions(gi);
      if (f.length >= 2) fractional.set(gi, f);
      else fractional.delete(gi);
    }
  }
  return { fractional: fractional.size, steps };
}

type Shift = { readonly gi: number; readonly from: number; readonly to: number };

/**
 * A combination of the pairs' shifts (one member from `from` to `to` each) that leaves every
 * tight row unchanged, oriented so emissions do not rise; undefined if there is none.
 */
function shiftDirection(
  groups: readonly Group[],
  pairs: readonly Shift[],
  tight: readonly number[],
  position: Int32Array,
  scratch: Float64Array,
  R: number,
): Float64Array | undefined {
  // Tight rows × pairs: how one member shifted changes each tight row.
  const m = tight.length;
  const k = pairs.length;
  const matrix = new Float64Array(m * k);
  tight.forEach((i, at) => (position[i] = at));
  pairs.forEach(({ gi, from, to }, j) => {
    const g = groups[gi] as Group;
    scratch.fill(0);
    addUsage(scratch, g, to, 1, R);
    addUsage(scratch, g, from, -1, R);
    for (const i of [from, to, R + from, R + to, 2 * R]) {
      const at = position[i] as number;
      if (at >= 0) matrix[at * k + j] = scratch[i] as number;
    }
  });
  for (const i of tight) position[i] = -1;
  const alpha = nullVector(matrix, m, k);
  if (!alpha) return undefined;
  let delta = 0;
  pairs.forEach(
    ({ gi, from, to }, j) =>
      (delta += (alpha[j] as number) * (costOf(groups[gi] as Group, to) - costOf(groups[gi] as Group, from))),
  );
  if (delta > 0) for (let j = 0; j < k; j++) alpha[j] = -(alpha[j] as number);
  return alpha;
}

/** Longest step along `alpha` keeping every count within its whole numbers and every slack row ≥ 0. */
function stepLength(
  groups: readonly Group[],
  counts: GroupCounts,
  pairs: readonly Shift[],
  alpha: Float64Array,
  used: Float64Array,
  limits: Float64Array,
): number {
  const rows = limits.length;
  const R = (rows - 1) / 2;
  let t = Infinity;
  pairs.forEach(({ gi, from, to }, j) => {
    const a = alpha[j] as number;
    if (a === 0) return;
    const c = counts[gi] as Map<number, number>;
    t = Math.min(t, room(c.get(to) as number, a), room(c.get(from) as number, -a));
  });
  const rate = new Float64Array(rows);
  pairs.forEach(({ gi, from, to }, j) => {
    const g = groups[gi] as Group;
    addUsage(rate, g, to, alpha[j] as number, R);
    addUsage(rate, g, from, -(alpha[j] as number), R);
  });
  for (let i = 0; i < rows; i++) {
    if ((rate[i] as number) > 1e-12)
      t = Math.min(t, Math.max(0, (limits[i] as number) - (used[i] as number)) / (rate[i] as number));
  }
  return t;
}

/** How far x may go in direction a before passing a whole number. */
function room(x: number, a: number): number {
  if (a > 0) return (Math.ceil(x - INTEGRAL) - x) / a;
  if (a < 0) return (x - Math.floor(x + INTEGRAL)) / -a;
  return Infinity;
}

function snap(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) <= INTEGRAL ? r : x;
}

function costOf(g: Group, r: number): number {
  return g.cost[g.allowed.indexOf(r)] as number;
}

function addUsage(v: Float64Array, g: Group, r: number, x: number, R: number): void {
  v[r] = (v[r] as number) + x * g.cpu;
  v[R + r] = (v[R + r] as number) + x * g.mem;
  if (r !== g.current) v[2 * R] = (v[2 * R] as number) + x;
}

/** A nonzero α with M α = 0 for an m × k row-major matrix with k > m (Gauss–Jordan, partial pivoting). */
function nullVector(a: Float64Array, m: number, k: number): Float64Array | undefined {
  const pivotCol: number[] = [];
  let row = 0;
  for (let col = 0; col < k && row < m; col++) {
    let best = row;
    for (let i = row + 1; i < m; i++)
      if (Math.abs(a[i * k + col] as number) > Math.abs(a[best * k + col] as number)) best = i;
    if (Math.abs(a[best * k + col] as number) < 1e-12) continue;
    if (best !== row) {
      for (let j = 0; j < k; j++) {
        const t = a[row * k + j] as number;
        a[row * k + j] = a[best * k + j] as number;
        a[best * k + j] = t;
      }
    }
    const d = a[row * k + col] as number;
    for (let j = 0; j < k; j++) a[row * k + j] = (a[row * k + j] as number) / d;
    for (let i = 0; i < m; i++) {
      const f = a[i * k + col] as number;
      if (i === row || f === 0) continue;
      for (let j = 0; j < k; j++) a[i * k + j] = (a[i * k + j] as number) - f * (a[row * k + j] as number);
    }
    pivotCol.push(col);
    row++;
  }
  const pivots = new Set(pivotCol);
  let free = -1;
  for (let j = 0; j < k && free < 0; j++) if (!pivots.has(j)) free = j;
  if (free < 0) return undefined;
  const alpha = new Float64Array(k);
  alpha[free] = 1;
  pivotCol.forEach((col, r) => (alpha[col] = -(a[r * k + free] as number)));
  return alpha;
}
