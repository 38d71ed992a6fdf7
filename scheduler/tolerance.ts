/**
 * The one numeric tolerance of the product: capacities, costs and bounds are sums of
 * decimal quantities in doubles, so "fits" and "is no worse" compare with this slack.
 * Quantities are milli-CPU, GiB and gCO2eq/h, of order 1 to 1e6: an absolute 1e-9 is far
 * below anything a user writes and far above the rounding of a few thousand additions.
 */
export const TOLERANCE = 1e-9;

/** `value` is above `limit` by more than rounding. */
export function exceeds(value: number, limit: number): boolean {
  return value > limit + TOLERANCE;
}

/** `a` is smaller than `b` by more than rounding. */
export function below(a: number, b: number): boolean {
  return a < b - TOLERANCE;
}
