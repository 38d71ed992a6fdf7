import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/**
 * The sha256 of rows as the store gives them back (dates as ISO text, JSON with sorted keys),
 * so a digest taken when rows are written can be checked against the rows read later.
 */
export function rowDigest(row: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(plain(row)))
    .digest('hex');
}

/** A digest over an ordered sequence of rows, fed one at a time (tens of thousands of decisions). */
export class RowsDigest {
  private readonly hash = createHash('sha256');
  private n = 0;
  /** Lines not yet hashed: one update per ~64 KB costs less than one per row. */
  private pending = '';

  add(row: unknown): void {
    this.pending += `${flat(row) ? JSON.stringify(row) : canonicalJson(plain(row))}\n`;
    if (this.pending.length >= 65_536) this.flush();
    this.n++;
  }

  get count(): number {
    return this.n;
  }

  /** Count and hex digest. */
  done(): { readonly count: number; readonly sha256: string } {
    this.flush();
    return { count: this.n, sha256: this.hash.digest('hex') };
  }

  private flush(): void {
    this.hash.update(this.pending);
    this.pending = '';
  }
}

/**
 * An array of strings, finite numbers and nulls (a decision's content), whose JSON text is
 * already canonical: no keys to sort, no dates to convert.
 */
function flat(row: unknown): boolean {
  if (!Array.isArray(row)) return false;
  for (const v of row)
    if (!(v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) return false;
  return true;
}

/** Dates to ISO text, at any depth; everything else as it is. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}
