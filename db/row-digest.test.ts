import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { rowDigest, RowsDigest } from './row-digest.js';

/** What a digest over rows means: sha256 over each row's canonical JSON and a newline. */
const reference = (rows: readonly unknown[]) => {
  const h = createHash('sha256');
  for (const r of rows) h.update(`${canonicalJson(r)}\n`);
  return h.digest('hex');
};

describe('RowsDigest', () => {
  it('is the sha256 of each row as canonical JSON, one per line, across its buffer', () => {
    // 20,000 decision-like rows (~1.4 MB of text) cross the 64 KB buffer many times.
    const rows = Array.from({ length: 20_000 }, (_, i) =>
      i % 3 === 0
        ? ['move', `team/w${i}`, 'r1', 'r2', 12.5 + i, null, null]
        : ['kept', `team/k${i}`, 'r3', null, null, 'capacity', `r${i % 7}: no room, "quoted" \\ and é`],
    );
    const d = new RowsDigest();
    for (const r of rows) d.add(r);
    expect(d.done()).toEqual({ count: 20_000, sha256: reference(rows) });
  });

  it('sorts keys and writes dates as ISO text in rows that are not flat', () => {
    const at = new Date(Date.UTC(2026, 10, 22, 12));
    const d = new RowsDigest();
    d.add({ b: 1, a: [at, { z: null, y: 'x' }] });
    d.add(['x', Number.NaN]);
    expect(d.done().sha256).toBe(reference([{ a: [at.toISOString(), { y: 'x', z: null }], b: 1 }, ['x', null]]));
    expect(rowDigest({ b: at, a: 1 })).toBe(
      createHash('sha256').update(`{"a":1,"b":"${at.toISOString()}"}`).digest('hex'),
    );
  });
});
