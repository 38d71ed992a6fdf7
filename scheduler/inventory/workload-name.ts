/**
 * The workload-name rule, in one place: a workload is `namespace/name`, the namespace a
 * Kubernetes DNS label (lowercase letters, digits and '-', at most 63, starting and ending
 * with a letter or digit), the name a DNS subdomain (also '.', at most 253). The inventory,
 * the enforcer file and the intent language's workload patterns all use it.
 */

interface Part {
  /** Characters that may start and end the part (a regular-expression class body). */
  readonly edge: string;
  /** Characters that may appear inside it. */
  readonly inner: string;
  readonly maxLength: number;
}

const NAMESPACE: Part = { edge: 'a-z0-9', inner: '-a-z0-9', maxLength: 63 };
const NAME: Part = { edge: 'a-z0-9', inner: '-a-z0-9.', maxLength: 253 };

const exact = (p: Part): string => `[${p.edge}]([${p.inner}]{0,${p.maxLength - 2}}[${p.edge}])?`;
/** With `*` allowed anywhere (it stands for any run, so the edge rule cannot be checked). */
const withStars = (p: Part): string => `[${p.edge}*]([${p.inner}*]{0,${p.maxLength - 1}})`;

/** `namespace/name`, e.g. `payments/ledger-db`. */
export const WORKLOAD_NAME = new RegExp(`^${exact(NAMESPACE)}\\/${exact(NAME)}$`);

/** A workload name where `*` matches any run of characters, e.g. `batch/*`. */
export const WORKLOAD_PATTERN = new RegExp(`^${withStars(NAMESPACE)}\\/${withStars(NAME)}$`);
