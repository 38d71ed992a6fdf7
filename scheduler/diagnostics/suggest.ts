/**
 * "Did you mean" for near-misses: the closest candidate by edit distance (case-insensitive,
 * with `-`/`_` treated alike), if it is close enough to be a plausible typo.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const w = normalise(word);
  if (w.length === 0 || w.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  let containing: string | undefined;
  for (const candidate of candidates) {
    const c = normalise(candidate);
    if (c === w) return candidate;
    // Judge only the part that differs: "region-seoul-01" is not a typo of
    // "region-tokyo-01" just because the two share most of their letters.
    const [a, b] = differingMiddle(w, c);
    let limit = Math.max(1, Math.floor(Math.max(w.length, c.length) / 3));
    if (Math.min(a.length, b.length) >= 3) limit = Math.min(limit, Math.ceil(0.6 * Math.max(a.length, b.length)));
    const d = Math.abs(a.length - b.length) > limit ? limit + 1 : editDistance(a, b, limit);
    if (d <= limit && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
    // A fragment of a longer name ("ebpf" for "ebpf_probe", "remediate" for
    // "auto-remediate"): offer the shortest name that contains it.
    if (w.length >= 4 && c.includes(w) && (containing === undefined || candidate.length < containing.length))
      containing = candidate;
  }
  return best ?? containing;
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const match = closestMatch(word, candidates);
  return match === undefined ? undefined : `did you mean "${match}"?`;
}

function differingMiddle(a: string, b: string): [string, string] {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let q = 0;
  while (q < a.length - p && q < b.length - p && a[a.length - 1 - q] === b[b.length - 1 - q]) q++;
  return [a.slice(p, a.length - q), b.slice(p, b.length - q)];
}

function normalise(s: string): string {
  return s.toLowerCase().replace(/-/g, '_');
}

/** Optimal string alignment distance (transpositions count 1), cut off above `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur: number[] = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, (prev2[j - 2] ?? 0) + 1);
      }
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
