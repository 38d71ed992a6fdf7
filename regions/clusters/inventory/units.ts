/** Millicores and bytes (exact integers) to the cores and GiB the planner works in. */

const GIB = 2n ** 30n;

export function toCores(milli: bigint): number {
  return Number(milli) / 1000;
}

/** GiB rounded up to a thousandth, the verifier's unit: a workload's size is never understated. */
export function toGibUp(bytes: bigint): number {
  return Number((bytes * 1000n + GIB - 1n) / GIB) / 1000;
}

/** GiB rounded down to a thousandth: a capacity is never overstated. */
export function toGibDown(bytes: bigint): number {
  return Number((bytes * 1000n) / GIB) / 1000;
}
