/**
 * Sizes and capacities as the verifier counts them: whole thousandths of a core or GiB, so
 * capacity sums are exact integers (the fleet and inventory ranges keep them below 2^53).
 */
export const milli = (x: number): number => Math.round(x * 1000);
