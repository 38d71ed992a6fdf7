/**
 * The restricted master problem of column generation:
 *
 *   minimise Σ_k c_k w_k   subject to   Σ_k a_k w_k ≤ b,   Σ_k w_k = 1,   w ≥ 0
 *
 * over columns added one at a time. A revised primal simplex on an explicit dense basis
 * inverse: the master has a few dozen rows and a few hundred columns, where dense linear
 * algebra is both the simplest and the fastest choice. Callers scale rows so that b is
 * about 1 and costs are of order 1; tolerances assume that.
 */
export interface MasterSolution {
  readonly objective: number;
  /** Dual of each inequality row (≤ 0 for a minimisation), then of the convexity row. */
  readonly duals: Float64Array;
  /** Weight of each column (in the order added). */
  readonly weights: Float64Array;
}

const PIVOT_EPS = 1e-9;
const COST_EPS = 1e-10;
/** Pivots between refactorisations of the basis inverse (keeps rounding error from piling up). */
const REFACTOR_EVERY = 50;
/** Degenerate pivots in a row before switching to Bland's rule, which cannot cycle. */
const BLAND_AFTER = 30;

export class MasterLp {
  private readonly m: number;
  private readonly size: number;
  private readonly columns: Float64Array[] = [];
  private readonly costs: number[] = [];
  /** Basis inverse, size × size, row-major. */
  private binv: Float64Array;
  /** Basic variable of each row: 0..m−1 are slacks, m + k is column k. */
  private readonly basis: Int32Array;
  private xB: Float64Array;
  private pivots = 0;

  /** `first` must be feasible on its own (a ≤ b): it is the starting basis. */
  constructor(
    private readonly b: Float64Array,
    firstCost: number,
    first: Float64Array,
  ) {
    this.m = b.length;
    this.size = this.m + 1;
    this.binv = new Float64Array(this.size * this.size);
    this.basis = new Int32Array(this.size);
    this.xB = new Float64Array(this.size);
    for (let i = 0; i < this.m; i++) {
      if ((first[i] as number) > (b[i] as number) + 1e-9)
        throw new Error('master-lp: the first column must satisfy every row');
    }
    this.addColumn(firstCost, first);
    for (let i = 0; i < this.m; i++) this.basis[i] = i;
    this.basis[this.m] = this.m;
    this.refactor();
  }

  get columnCount(): number {
    return this.columns.length;
  }

  addColumn(cost: number, a: Float64Array): number {
    this.columns.push(Float64Array.from(a));
    this.costs.push(cost);
    return this.columns.length - 1;
  }

  /** Reduced cost of a candidate column at given duals (from `solve`). */
  static reducedCost(cost: number, a: Float64Array, duals: Float64Array): number {
    let d = cost - (duals[a.length] as number);
    for (let i = 0; i < a.length; i++) d -= (duals[i] as number) * (a[i] as number);
    return d;
  }

  solve(maxPivots = 10_000): MasterSolution {
    let degenerate = 0;
    for (let n = 0; n < maxPivots; n++) {
      const y = this.duals();
      const entering = this.entering(y, degenerate >= BLAND_AFTER);
      if (entering < 0) break;
      const u = this.ftran(entering);
      let leave = -1;
      let ratio = Infinity;
      for (let i = 0; i < this.size; i++) {
        const ui = u[i] as number;
        if (ui <= PIVOT_EPS) continue;
        const t = Math.max(0, this.xB[i] as number) / ui;
        if (
          t < ratio - 1e-12 ||
          (t <= ratio + 1e-12 && leave >= 0 && (this.basis[i] as number) < (this.basis[leave] as number))
        ) {
          ratio = t;
          leave = i;
        }
      }
      // Unbounded cannot happen (w sums to 1 and slacks are bounded by b); guard anyway.
      if (leave < 0) break;
      degenerate = ratio <= 1e-12 ? degenerate + 1 : 0;
      this.pivot(leave, entering, u);
    }
    return this.solution();
  }

  private solution(): MasterSolution {
    const weights = new Float64Array(this.columns.length);
    let objective = 0;
    for (let i = 0; i < this.size; i++) {
      const v = this.basis[i] as number;
      const x = Math.max(0, this.xB[i] as number);
      if (v >= this.m) {
        weights[v - this.m] = x;
        objective += x * (this.costs[v - this.m] as number);
      }
    }
    return { objective, duals: this.duals(), weights };
  }

  private cost(v: number): number {
    return v < this.m ? 0 : (this.costs[v - this.m] as number);
  }

  /** Full column of variable v: a slack's unit vector, or [a_k; 1]. */
  private column(v: number): Float64Array {
    const c = new Float64Array(this.size);
    if (v < this.m) c[v] = 1;
    else {
      c.set(this.columns[v - this.m] as Float64Array);
      c[this.m] = 1;
    }
    return c;
  }

  private duals(): Float64Array {
    const y = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const cb = this.cost(this.basis[i] as number);
      if (cb === 0) continue;
      const row = i * this.size;
      for (let j = 0; j < this.size; j++) y[j] = (y[j] as number) + cb * (this.binv[row + j] as number);
    }
    return y;
  }

  /** Most negative reduced cost (Dantzig), or the first negative one (Bland); −1 if none. */
  private entering(y: Float64Array, bland: boolean): number {
    const inBasis = new Set(this.basis);
    let best = -1;
    let bestD = -COST_EPS;
    for (let i = 0; i < this.m; i++) {
      if (inBasis.has(i)) continue;
      const d = -(y[i] as number);
      if (d < bestD) {
        if (bland) return i;
        bestD = d;
        best = i;
      }
    }
    for (let k = 0; k < this.columns.length; k++) {
      const v = this.m + k;
      if (inBasis.has(v)) continue;
      const d = MasterLp.reducedCost(this.costs[k] as number, this.columns[k] as Float64Array, y);
      if (d < bestD) {
        if (bland) return v;
        bestD = d;
        best = v;
      }
    }
    return best;
  }

  private ftran(v: number): Float64Array {
    const a = this.column(v);
    const u = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) {
      let s = 0;
      const row = i * this.size;
      for (let j = 0; j < this.size; j++) {
        const aj = a[j] as number;
        if (aj !== 0) s += (this.binv[row + j] as number) * aj;
      }
      u[i] = s;
    }
    return u;
  }

  private pivot(r: number, entering: number, u: Float64Array): void {
    const n = this.size;
    const ur = u[r] as number;
    const theta = (this.xB[r] as number) / ur;
    for (let i = 0; i < n; i++) if (i !== r) this.xB[i] = (this.xB[i] as number) - theta * (u[i] as number);
    this.xB[r] = theta;
    const rowR = r * n;
    for (let j = 0; j < n; j++) this.binv[rowR + j] = (this.binv[rowR + j] as number) / ur;
    for (let i = 0; i < n; i++) {
      const ui = u[i] as number;
      if (i === r || ui === 0) continue;
      const row = i * n;
      for (let j = 0; j < n; j++)
        this.binv[row + j] = (this.binv[row + j] as number) - ui * (this.binv[rowR + j] as number);
    }
    this.basis[r] = entering;
    if (++this.pivots % REFACTOR_EVERY === 0) this.refactor();
  }

  /** Inverts the basis from scratch (Gauss–Jordan, partial pivoting) and recomputes x_B. */
  private refactor(): void {
    const n = this.size;
    const a = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      const col = this.column(this.basis[j] as number);
      for (let i = 0; i < n; i++) a[i * n + j] = col[i] as number;
    }
    const inv = new Float64Array(n * n);
    for (let i = 0; i < n; i++) inv[i * n + i] = 1;
    for (let c = 0; c < n; c++) {
      let p = c;
      for (let i = c + 1; i < n; i++) if (Math.abs(a[i * n + c] as number) > Math.abs(a[p * n + c] as number)) p = i;
      if (Math.abs(a[p * n + c] as number) < 1e-14) throw new Error('master-lp: singular basis');
      if (p !== c) {
        for (let j = 0; j < n; j++) {
          swap(a, c * n + j, p * n + j);
          swap(inv, c * n + j, p * n + j);
        }
      }
      const d = a[c * n + c] as number;
      for (let j = 0; j < n; j++) {
        a[c * n + j] = (a[c * n + j] as number) / d;
        inv[c * n + j] = (inv[c * n + j] as number) / d;
      }
      for (let i = 0; i < n; i++) {
        const f = a[i * n + c] as number;
        if (i === c || f === 0) continue;
        for (let j = 0; j < n; j++) {
          a[i * n + j] = (a[i * n + j] as number) - f * (a[c * n + j] as number);
          inv[i * n + j] = (inv[i * n + j] as number) - f * (inv[c * n + j] as number);
        }
      }
    }
    this.binv = inv;
    const rhs = new Float64Array(n);
    rhs.set(this.b);
    rhs[this.m] = 1;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += (inv[i * n + j] as number) * (rhs[j] as number);
      x[i] = Math.abs(s) < 1e-12 ? 0 : s;
    }
    this.xB = x;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}
