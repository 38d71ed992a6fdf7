import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { inventoryYaml } from '../../bench/generate-run-fleet.js';
import { generateFleetTexts } from '../../bench/generate-fleet.js';
import { readFastInventory } from './fast-inventory.js';

/** What the full parser (yaml-source.ts's settings) makes of the text: data and the ranges the spans come from. */
function full(text: string) {
  const doc = parseDocument(text.replace(/\r(?!\n)/g, '\n'), {
    version: '1.2',
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
  });
  if (doc.errors.length > 0) return undefined;
  const data = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  const rangeOf = (node: unknown): [number, number] | undefined => {
    const r = (node as Node | undefined)?.range;
    return r ? [r[0], r[1]] : undefined;
  };
  const items = isMap(doc.contents) ? doc.contents.get('workloads', true) : undefined;
  const ranges = isSeq(items)
    ? items.items.map((item) => {
        if (!isMap(item)) return {};
        const name = item.get('name', true);
        const deps = item.get('depends_on', true);
        return {
          ...(isScalar(name) ? { name: rangeOf(name) } : {}),
          ...(isSeq(deps) ? { dependsOn: deps.items.map(rangeOf) } : {}),
        };
      })
    : [];
  return { data, ranges };
}

/** Whenever the fast reader accepts a text, it gives exactly what the full parser gives. */
function agrees(text: string): boolean {
  const fast = readFastInventory(text);
  if (fast === undefined) return false;
  const slow = full(text);
  expect(slow, `the full parser refuses what the fast reader took:\n${text}`).toBeDefined();
  expect({ workloads: fast.map((i) => i.value) }).toStrictEqual(slow?.data);
  fast.forEach((item, i) => {
    const r = slow?.ranges[i];
    if (item.name) expect(item.name).toEqual(r?.name);
    if (item.dependsOn) expect(item.dependsOn).toEqual(r?.dependsOn);
  });
  return true;
}

const FLOW = [
  '# inventory',
  'workloads:',
  '  - { name: payments/ledger-db, region: r1, cpu: 16, memory_gib: 128, intent: payments-ledger }',
  '  - { name: "web/a", region: \'r2\', cpu: 0.5, memory_gib: 1.50, depends_on: [payments/ledger-db, "x/y"] }',
  '  # a comment between items',
  '  - {name: b/c, region: r1, cpu: 2, memory_gib: 4, last_moved: 2026-11-20T03:00:00Z}   # trailing',
  '',
].join('\n');

const BLOCK = [
  'workloads:',
  '- name: batch/etl',
  '  region: r1',
  '  cpu: 4',
  '',
  '  memory_gib: 8 # comment',
  '  depends_on: [batch/db]',
  '-   name: batch/db',
  '    region: r2',
  '    cpu: 1',
  '    memory_gib: 2',
  '    last_moved: 2026-01-01T00:00:00.250+09:00',
].join('\n');

describe('fast inventory reader', () => {
  it('reads the example inventory, the generated one and both item shapes as the full parser does', async () => {
    expect(agrees(readFileSync(new URL('../../regions/examples/inventory.yaml', import.meta.url), 'utf8'))).toBe(true);
    expect(agrees(inventoryYaml((await generateFleetTexts(500, 3)).workloads))).toBe(true);
    expect(agrees(FLOW)).toBe(true);
    expect(agrees(FLOW.replace(/\n/g, '\r\n'))).toBe(true);
    expect(agrees(BLOCK)).toBe(true);
  });

  it.each([
    ['a tab', FLOW.replace('cpu: 16', 'cpu:\t16')],
    ['a lone CR', FLOW.replace(/\n/g, '\r')],
    ['a duplicate key', FLOW.replace('cpu: 16', 'cpu: 16, cpu: 16')],
    ['an anchor', FLOW.replace('region: r1', 'region: &a r1')],
    ['a null', FLOW.replace('intent: payments-ledger', 'intent: ~')],
    ['a boolean', FLOW.replace('intent: payments-ledger', 'intent: True')],
    ['a hex number', FLOW.replace('cpu: 16', 'cpu: 0x10')],
    ['an exponent', FLOW.replace('cpu: 16', 'cpu: 1e3')],
    ['a leading zero', FLOW.replace('cpu: 16', 'cpu: 016')],
    ['an escape', FLOW.replace('"web/a"', '"web\\/a"')],
    ['a multi-line value', BLOCK.replace('  cpu: 4', '  cpu: 4\n    5')],
    ['a second document', `${FLOW}---\n`],
    ['another top-level key', `${FLOW}other: 1\n`],
    ['a comment without a space', FLOW.replace('# trailing', '#trailing').replace('}   #', '}#')],
    ['an empty list of workloads', 'workloads: []\n'],
  ])('declines %s (the full parser decides)', (_, text) => {
    expect(readFastInventory(text)).toBeUndefined();
  });

  it('on random edits of inventories, whatever it accepts, the full parser reads the same way', () => {
    const alphabet = [...' \n\r\t:#,{}[]-"\'&*!?|>%@`.~/_0123456789aeTZxyz', ': ', '- ', ', ', '\n  ', '\n- '];
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat({ max: 3 }),
      insert: fc.array(fc.constantFrom(...alphabet), { maxLength: 3 }).map((xs) => xs.join('')),
    });
    fc.assert(
      fc.property(fc.constantFrom(FLOW, BLOCK), fc.array(edit, { minLength: 1, maxLength: 4 }), (base, edits) => {
        let text = base;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(at + e.remove);
        }
        agrees(text);
      }),
      { numRuns: 3000 },
    );
  });
});
