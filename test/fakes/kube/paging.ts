// `limit` and `continue` for lists. A continue token is opaque to clients; here it is base64url
// JSON of the list's resourceVersion and the key of the last item sent. A token from before the
// store's compaction point is answered 410 Expired, as the real server does once etcd has
// compacted the revision the list was reading.

import { meta, type KubeObject } from './objects.js';
import { badRequest, expired, type StatusError } from './status.js';

interface Token {
  rv: number;
  after: string;
}

export interface Page {
  items: KubeObject[];
  resourceVersion: number;
  continueToken?: string;
  remainingItemCount?: number;
}

const keyOf = (o: KubeObject): string => `${meta(o).namespace ?? ''}/${meta(o).name ?? ''}`;

function decode(text: string): Token | undefined {
  try {
    const t = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Token>;
    return typeof t.rv === 'number' && typeof t.after === 'string' ? { rv: t.rv, after: t.after } : undefined;
  } catch {
    return undefined;
  }
}

const encode = (t: Token): string => Buffer.from(JSON.stringify(t)).toString('base64url');

/**
 * One page of the objects of `sorted` (store order) that `matches` (all of them without it),
 * for these query parameters. The page starts after the continue token's key, found by
 * binary search: `sorted` is in key order.
 */
export function paginate(
  sorted: readonly KubeObject[],
  query: URLSearchParams,
  currentRv: number,
  expiredBefore: number,
  matches?: (o: KubeObject) => boolean,
): Page | StatusError {
  const limitText = query.get('limit');
  const limit = limitText === null || limitText === '' ? 0 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 0) return badRequest(`invalid limit: ${limitText}`);
  const continueText = query.get('continue');
  let rv = currentRv;
  let start = 0;
  if (continueText !== null && continueText !== '') {
    const token = decode(continueText);
    if (token === undefined)
      return badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
    if (token.rv < expiredBefore)
      return expired(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      );
    rv = token.rv;
    start = firstAfter(sorted, token.after);
  }
  const rest = matches ? sorted.slice(start).filter(matches) : sorted.slice(start);
  if (limit === 0 || rest.length <= limit) return { items: rest, resourceVersion: rv };
  const items = rest.slice(0, limit);
  return {
    items,
    resourceVersion: rv,
    continueToken: encode({ rv, after: keyOf(items[items.length - 1]!) }),
    remainingItemCount: rest.length - limit,
  };
}

/** The index of the first object of `sorted` whose key is above `after`. */
function firstAfter(sorted: readonly KubeObject[], after: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(sorted[mid]!) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
