import { afterAll, describe, expect, it } from 'vitest';
import { parseFleet } from '../../regions/fleet/parse-fleet.js';
import { SourceFile } from '../diagnostics/source-file.js';
import type { Workload } from '../inventory/model.js';
import { buildPromiseModel } from '../promises/build-model.js';
import { encodePlacement } from './placement-question.js';
import { checkQuick, SmtLiteralError } from './prove.js';
import { shutdownZ3 } from './z3.js';

afterAll(shutdownZ3);

const FLEET = `regions:
  - { name: a, zone: JP-TK, country: JP, cluster: a, capacity: { cpu: 1000000, memory_gib: 10000000 } }
  - { name: b, zone: FR, country: FR, cluster: b, capacity: { cpu: 4, memory_gib: 8 } }
`;

/** A mesh of workloads of the given cpu in region a, built past the inventory's range check (as a bug upstream would). */
function meshWith(...cpus: number[]) {
  const { fleet } = parseFleet(new SourceFile('fleet.yaml', FLEET), '/', (p) => p);
  if (!fleet) throw new Error('the test fleet is invalid');
  const span = new SourceFile('inventory.yaml', '').span(0);
  const workloads: Workload[] = cpus.map((cpu, i) => ({
    name: `ns/w${i}`,
    region: 'a',
    cpu,
    memoryGib: 1,
    dependsOn: [],
    span,
  }));
  return buildPromiseModel(fleet, [], workloads);
}

const question = (n: number, background: readonly number[] = [0, 0]) => ({
  workloads: Array.from({ length: n }, (_, i) => i),
  fixed: new Map(),
  rules: false,
  edges: false,
  capacity: { cpu: Float64Array.from(background), memoryGib: new Float64Array(2) },
});

describe('encodePlacement', () => {
  it('writes sizes and capacities as plain integer literals, the largest allowed ones included', async () => {
    const q = encodePlacement(meshWith(10_000, 10_000), question(2), false);
    expect(q.smt).toContain('(* 10000000 n0_0)');
    expect(q.smt).toContain('1000000000');
    expect(q.smt).not.toMatch(/\de[+-]?\d|Infinity|NaN/);
    expect((await checkQuick(q, 5_000)).status).toBe('sat');
  });

  it('writes capacity already used up as a negative literal Z3 reads', async () => {
    // Background use beyond b's 4 cores leaves −6 cores there, and a's is all used: no room anywhere.
    const q = encodePlacement(meshWith(1), question(1, [1_000_000, 10]), false);
    expect(q.smt).toContain('(- 6000)');
    expect((await checkQuick(q, 5_000)).status).toBe('unsat');
  });

  it('refuses a size no literal can hold, with the typed error, rather than writing 1e+23', () => {
    expect(() => encodePlacement(meshWith(1e20), question(1), false)).toThrow(SmtLiteralError);
    expect(() => encodePlacement(meshWith(Infinity), question(1), false)).toThrow(SmtLiteralError);
  });
});
