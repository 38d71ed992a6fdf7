import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fleetJsonSchema } from '../../scheduler/cli/schema.js';
import { SourceFile } from '../../scheduler/diagnostics/source-file.js';
import { INVENTORY_RANGES } from '../../scheduler/inventory/parse-inventory.js';
import { parseFleet } from './parse-fleet.js';
import { rangeBounds, type Range } from './range.js';
import { FLEET_RANGES } from './ranges.js';

type Key = keyof typeof FLEET_RANGES;

/** A value of `range` written as the fleet file takes it. */
function written(range: Range, n: number): string {
  if (range.kind === 'duration') return `${n}ms`;
  if (range.kind === 'percent') return `${n}%`;
  return String(n);
}

/** A valid fleet with every ranged key given, `values` overriding the defaults. */
function fleetWith(values: Partial<Record<Key, string>>): string {
  const v = (key: Key, fallback: string) => values[key] ?? fallback;
  return `regions:
  - { name: a, zone: JP-TK, country: JP, cluster: a, capacity: { cpu: ${v('regions[].capacity.cpu', '64')}, memory_gib: ${v('regions[].capacity.memory_gib', '256')} } }
  - { name: b, zone: FR, country: FR, cluster: b, capacity: { cpu: 1, memory_gib: 1 } }
latency_ms: { a: { b: ${v('latency_ms', '9')} } }
carbon:
  max_staleness: ${v('carbon.max_staleness', '2h')}
  static: { year: ${v('carbon.static.year', '2024')} }
  electricitymaps: { timeout: ${v('carbon.electricitymaps.timeout', '10s')}, cache_ttl: ${v('carbon.electricitymaps.cache_ttl', '5m')}, retries: ${v('carbon.electricitymaps.retries', '3')} }
power: { watts_per_cpu: ${v('power.watts_per_cpu', '2.5')}, watts_per_gib: ${v('power.watts_per_gib', '0.392')}, pue: ${v('power.pue', '1.1')} }
policy: { migration_budget: ${v('policy.migration_budget', '10')}, min_saving: ${v('policy.min_saving', '10%')}, cooldown: ${v('policy.cooldown', '6h')}, migration_cost_g_per_h: ${v('policy.migration_cost_g_per_h', '0')}, ready_timeout: ${v('policy.ready_timeout', '10m')}, verify_window: ${v('policy.verify_window', '1m')}, max_parallel: ${v('policy.max_parallel', '10')}, max_parallel_per_cluster: ${v('policy.max_parallel_per_cluster', '4')} }
`;
}

const parse = (text: string) => parseFleet(new SourceFile('fleet.yaml', text), '/', (p) => p);
const keys = Object.keys(FLEET_RANGES) as Key[];

describe('fleet ranges', () => {
  it('accept every number and duration at both ends of its range', () => {
    for (const end of ['min', 'max'] as const) {
      const values = Object.fromEntries(keys.map((k) => [k, written(FLEET_RANGES[k], FLEET_RANGES[k][end])]));
      const { fleet, diagnostics } = parse(fleetWith(values));
      expect(diagnostics, end).toEqual([]);
      expect(fleet?.regions[0]?.capacity.cpu).toBe(FLEET_RANGES['regions[].capacity.cpu'][end]);
      expect(fleet?.policy.cooldownMs).toBe(FLEET_RANGES['policy.cooldown'][end]);
      expect(fleet?.carbon.electricitymaps.timeoutMs).toBe(FLEET_RANGES['carbon.electricitymaps.timeout'][end]);
    }
  });

  it.each(keys)('refuse %s just outside either end, stating the range', (key) => {
    const range = FLEET_RANGES[key];
    const step = range.kind === 'number' ? 0.0001 : 1;
    // A duration or percentage cannot be written negative (that is a syntax error, not a range one).
    const below =
      range.kind === 'duration' || range.kind === 'percent'
        ? range.min > 0
          ? [range.min - step]
          : []
        : [range.min - step];
    for (const n of [...below, range.max + step]) {
      const { fleet, diagnostics } = parse(fleetWith({ [key]: written(range, n) }));
      expect(fleet, `${key} = ${n}`).toBeUndefined();
      expect(
        diagnostics.map((d) => [d.code, d.expected]),
        `${key} = ${n}`,
      ).toEqual([['fleet/out-of-range', expect.stringContaining(rangeBounds(range))]]);
    }
  });

  it('are all in the JSON Schema: every number has minimum and maximum, every duration its range', () => {
    const unranged: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== 'object') return;
      const s = node as Record<string, unknown>;
      if (
        (s.type === 'number' || s.type === 'integer') &&
        !('const' in s) &&
        (typeof s.minimum !== 'number' || typeof s.maximum !== 'number')
      )
        unranged.push(path);
      if (
        s.type === 'string' &&
        typeof s.pattern === 'string' &&
        s.pattern.includes('ms|s|m') &&
        !String(s.description).includes('Range: ')
      )
        unranged.push(path);
      for (const [k, v] of Object.entries(s)) walk(v, `${path}/${k}`);
    };
    walk(JSON.parse(fleetJsonSchema()), '#');
    expect(unranged).toEqual([]);
  });
});

describe('the README', () => {
  const readme = readFileSync('README.md', 'utf8');
  it('lists the range of every fleet key', () => {
    expect(keys.filter((k) => !readme.includes(`| \`${k}\` | ${rangeBounds(FLEET_RANGES[k])} |`))).toEqual([]);
  });
  it('lists the range of every inventory key', () => {
    const inventoryKeys = Object.keys(INVENTORY_RANGES) as (keyof typeof INVENTORY_RANGES)[];
    expect(inventoryKeys.filter((k) => !readme.includes(`| \`${k}\` | ${rangeBounds(INVENTORY_RANGES[k])} |`))).toEqual(
      [],
    );
  });
});
