/**
 * Small random fleets for the verifier's property tests, built through the real fleet,
 * intent and inventory parsers (so every constraint carries a real file and line): 2–4
 * regions with countries and certifications, capacities that sometimes bind, a latency
 * matrix with missing pairs, 1–6 workloads with inventory dependencies, and intents with
 * compliance, residency, target, depends_on and network_latency (with and without `to`).
 * Small enough to enumerate every placement.
 */
import fc from 'fast-check';
import type { Fleet } from '../../regions/fleet/model.js';
import { parseFleet } from '../../regions/fleet/parse-fleet.js';
import { SourceFile } from '../../scheduler/diagnostics/source-file.js';
import { loadIntentSource } from '../../scheduler/intent/index.js';
import type { Intent } from '../../scheduler/intent/model.js';
import type { Workload } from '../../scheduler/inventory/model.js';
import { parseInventory } from '../../scheduler/inventory/parse-inventory.js';
import { buildPromiseModel } from '../../scheduler/promises/build-model.js';
import type { DependencyEdge, PromiseModel } from '../../scheduler/promises/model.js';

const ZONES = ['JP-TK', 'KR', 'SE-SE1', 'FR'] as const;
const COUNTRIES = ['JP', 'KR', 'SE', 'FR'] as const;
const CERTS = ['A', 'B', 'C'] as const;

/** A workload pattern: a whole namespace (`nsK/*`) or one workload by name. */
export type PatternSpec = { readonly ns: number } | { readonly workload: number };

export interface RegionSpec {
  readonly country: string;
  readonly compliance: readonly string[];
  readonly cpu: number;
  readonly mem: number;
}

export interface WorkloadSpec {
  readonly ns: number;
  readonly region: number;
  readonly cpu: number;
  readonly mem: number;
  /** Inventory depends_on, by workload index. */
  readonly deps: readonly number[];
}

export interface IntentSpec {
  readonly select: readonly PatternSpec[];
  readonly critical: boolean;
  readonly compliance?: readonly string[];
  readonly residency?: { readonly allow?: readonly string[]; readonly deny: readonly string[] };
  /** Region indices; an index past the fleet's regions names a region the fleet lacks. */
  readonly target?: readonly number[];
  readonly dependsOn: readonly PatternSpec[];
  readonly latency: readonly { readonly maxMs: number; readonly to?: PatternSpec }[];
}

export interface FleetSpec {
  readonly regions: readonly RegionSpec[];
  /** Latency per pair a < b, row by row; null: the pair is missing (unreachable). */
  readonly latency: readonly (number | null)[];
  readonly workloads: readonly WorkloadSpec[];
  readonly intents: readonly IntentSpec[];
}

const subset = <T>(xs: readonly T[], minLength = 0): fc.Arbitrary<T[]> => fc.subarray([...xs], { minLength });

/** Present one time in four. */
const sometimes = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: a, weight: 1 });

const pattern = (nWorkloads: number): fc.Arbitrary<PatternSpec> =>
  fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 2 }).map((ns) => ({ ns })), weight: 2 },
    { arbitrary: fc.integer({ min: 0, max: nWorkloads - 1 }).map((workload) => ({ workload })), weight: 1 },
  );

export const fleetSpec = (maxWorkloads = 6, maxRegions = 4): fc.Arbitrary<FleetSpec> =>
  fc
    .record({ R: fc.integer({ min: 2, max: maxRegions }), W: fc.integer({ min: 1, max: maxWorkloads }) })
    .chain(({ R, W }) =>
      fc.record({
        regions: fc.array(
          fc.record({
            country: fc.constantFrom(...COUNTRIES),
            compliance: fc.oneof(subset(CERTS), fc.constant(['A', 'B'])),
            // Sometimes room for everything, sometimes for a workload or two.
            cpu: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constant(100)),
            mem: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constant(400)),
          }),
          { minLength: R, maxLength: R },
        ),
        latency: fc.array(fc.option(fc.integer({ min: 5, max: 200 }), { nil: null, freq: 4 }), {
          minLength: (R * (R - 1)) / 2,
          maxLength: (R * (R - 1)) / 2,
        }),
        workloads: fc.array(
          fc.record({
            ns: fc.integer({ min: 0, max: 2 }),
            region: fc.integer({ min: 0, max: R - 1 }),
            cpu: fc.constantFrom(0.5, 1, 2, 3),
            mem: fc.constantFrom(1, 2, 4),
            deps: fc.oneof(
              { arbitrary: fc.constant([] as number[]), weight: 3 },
              { arbitrary: fc.uniqueArray(fc.integer({ min: 0, max: W - 1 }), { maxLength: 2 }), weight: 1 },
            ),
          }),
          { minLength: W, maxLength: W },
        ),
        intents: fc.array(
          fc.record({
            select: fc.array(pattern(W), { minLength: 1, maxLength: 2 }),
            critical: fc.boolean(),
            compliance: sometimes(subset(['A', 'B'], 1)),
            residency: sometimes(
              fc.oneof(
                fc.record({ allow: subset(COUNTRIES, 1) }).map((r) => ({ ...r, deny: [] as string[] })),
                fc.record({ deny: subset(COUNTRIES, 1) }),
                // allow and deny together, disjoint (the checker rejects a country in both).
                subset(COUNTRIES, 2).map((cs) => ({ allow: cs.slice(1), deny: cs.slice(0, 1) })),
              ),
            ),
            target: sometimes(
              subset(
                Array.from({ length: R + 1 }, (_v, i) => i),
                1,
              ),
            ),
            dependsOn: fc.array(pattern(W), { maxLength: 2 }),
            latency: fc.array(
              fc.record({ maxMs: fc.integer({ min: 5, max: 200 }), to: pattern(W) }, { requiredKeys: ['maxMs'] }),
              { maxLength: 2 },
            ),
          }),
          { minLength: 1, maxLength: 4 },
        ),
      }),
    );

export interface BuiltFleet {
  readonly spec: FleetSpec;
  readonly texts: { readonly fleet: string; readonly intents: string; readonly inventory: string };
  readonly sources: ReadonlyMap<string, SourceFile>;
  readonly fleet: Fleet;
  readonly intents: readonly Intent[];
  readonly workloads: readonly Workload[];
  readonly mesh: PromiseModel;
}

export const workloadName = (spec: FleetSpec, j: number): string => `ns${spec.workloads[j]!.ns}/w${j}`;

/** Renders the spec as a fleet file, an intent file and an inventory, and parses all three. */
export function buildFleet(spec: FleetSpec): BuiltFleet {
  const R = spec.regions.length;
  const pat = (p: PatternSpec): string => ('ns' in p ? `ns${p.ns}/*` : workloadName(spec, p.workload));
  const q = (s: string): string => `"${s}"`;
  const rows: string[] = [];
  let k = 0;
  for (let a = 0; a < R; a++) {
    const row: string[] = [];
    for (let b = a + 1; b < R; b++) {
      const ms = spec.latency[k++];
      if (ms !== null && ms !== undefined) row.push(`r${b}: ${ms}`);
    }
    if (row.length) rows.push(`  r${a}: { ${row.join(', ')} }`);
  }
  const fleetText = [
    'regions:',
    ...spec.regions.map(
      (r, i) =>
        `  - { name: r${i}, zone: ${ZONES[i]}, country: ${r.country}, compliance: [${r.compliance.join(', ')}], cluster: c-r${i}, capacity: { cpu: ${r.cpu}, memory_gib: ${r.mem} } }`,
    ),
    ...(rows.length ? ['latency_ms:', ...rows] : []),
    'policy: { migration_budget: 10, min_saving: 0%, cooldown: 6h }',
    '',
  ].join('\n');
  const intentText = spec.intents
    .flatMap((i, n) => [
      `intent "i${n}" {`,
      `  workloads(${i.select.map(pat).map(q).join(', ')})`,
      `  placement(${i.critical ? 'critical' : 'flexible'})`,
      ...(i.dependsOn.length ? [`  depends_on(${i.dependsOn.map(pat).map(q).join(', ')})`] : []),
      ...(i.compliance ? [`  constraint compliance { level: [${i.compliance.map(q).join(', ')}] }`] : []),
      ...(i.residency
        ? [
            `  constraint residency { ${[...(i.residency.allow ? [`allow: [${i.residency.allow.map(q).join(', ')}]`] : []), ...(i.residency.deny.length ? [`deny: [${i.residency.deny.map(q).join(', ')}]`] : [])].join(', ')} }`,
          ]
        : []),
      ...(i.target ? [`  target nodes(${i.target.map((r) => q(`r${r}`)).join(', ')}) {`, '  }'] : []),
      ...i.latency.map(
        (l) => `  constraint network_latency { max: ${l.maxMs}ms${l.to ? `, to: ${q(pat(l.to))}` : ''} }`,
      ),
      '}',
    ])
    .join('\n');
  const inventoryText = [
    'workloads:',
    ...spec.workloads.map((w, j) => {
      const deps = w.deps.filter((d) => d !== j).map((d) => workloadName(spec, d));
      return `  - { name: ${workloadName(spec, j)}, region: r${w.region}, cpu: ${w.cpu}, memory_gib: ${w.mem}${deps.length ? `, depends_on: [${deps.join(', ')}]` : ''} }`;
    }),
    '',
  ].join('\n');
  const sources = new Map([
    ['fleet.yaml', new SourceFile('fleet.yaml', fleetText)],
    ['i.intent', new SourceFile('i.intent', intentText)],
    ['inventory.yaml', new SourceFile('inventory.yaml', inventoryText)],
  ]);
  const parsed = parseFleet(sources.get('fleet.yaml')!, '/', (p) => p);
  if (!parsed.fleet)
    throw new Error(`bad generated fleet: ${parsed.diagnostics.map((d) => d.message).join('; ')}\n${fleetText}`);
  const intents = loadIntentSource(sources.get('i.intent')!);
  if (intents.diagnostics.some((d) => d.severity === 'error'))
    throw new Error(`bad generated intents: ${intents.diagnostics.map((d) => d.message).join('; ')}\n${intentText}`);
  const inv = parseInventory(sources.get('inventory.yaml')!);
  if (!inv.workloads)
    throw new Error(`bad generated inventory: ${inv.diagnostics.map((d) => d.message).join('; ')}\n${inventoryText}`);
  const mesh = buildPromiseModel(parsed.fleet, intents.intents, inv.workloads);
  return {
    spec,
    texts: { fleet: fleetText, intents: intentText, inventory: inventoryText },
    sources,
    fleet: parsed.fleet,
    intents: intents.intents,
    workloads: inv.workloads,
    mesh,
  };
}

/** a[i] += v, for typed arrays under noUncheckedIndexedAccess. */
export function bump(a: Float64Array, i: number, v: number): void {
  a[i] = (a[i] ?? 0) + v;
}

/** Whether edge `e` holds with its ends in regions a and b: same region is 0 ms, a missing pair unreachable. */
export function edgeHolds(mesh: PromiseModel, e: DependencyEdge, a: number, b: number): boolean {
  const l = a === b ? 0 : mesh.latencyMs(a, b);
  return l !== undefined && l <= e.maxMs;
}

/** Which constraints a brute-force check switches on (all of them when omitted). */
export interface Enabled {
  rule(id: string): boolean;
  edge(e: DependencyEdge): boolean;
  capacity(region: number): boolean;
}

const ALL: Enabled = { rule: () => true, edge: () => true, capacity: () => true };

/**
 * How capacity binds: `strict`, every region within its capacity; `keep-current`, as the
 * verifier (and the planner) has it, a region already over capacity may keep what the
 * question's workloads run there now, but not grow: per region and resource, the limit is
 * the larger of the room left (capacity less `background`) and what they use there now.
 */
export type CapacityMode = 'strict' | 'keep-current';

/**
 * Every way to place `free` (each in any region but `lost`), the rest held where `at` says:
 * returns the first placement that keeps every enabled rule of the workloads in question,
 * every enabled edge between them, nothing in `lost`, and capacity (cpu and memory,
 * `background` already used), or undefined when none does.
 */
export function bruteForce(
  mesh: PromiseModel,
  opts: {
    readonly free: readonly number[];
    readonly at: Int32Array;
    readonly inQuestion: ReadonlySet<number>;
    readonly background?: { readonly cpu: Float64Array; readonly mem: Float64Array };
    readonly capacity: CapacityMode | false;
    readonly lost?: number;
    /** Only the placing is constrained: rules of free workloads, edges with a free end. */
    readonly freeOnly?: boolean;
    readonly enabled?: Enabled;
  },
): Int32Array | undefined {
  const R = mesh.fleet.regions.length;
  const on = opts.enabled ?? ALL;
  const place = Int32Array.from(opts.at);
  const members = [...opts.inQuestion].sort((a, b) => a - b);
  const limitCpu = new Float64Array(R);
  const limitMem = new Float64Array(R);
  const nowCpu = new Float64Array(R);
  const nowMem = new Float64Array(R);
  if (opts.capacity === 'keep-current') {
    for (const w of members) {
      const r = mesh.current[w]!;
      if (r < 0 || r === opts.lost) continue;
      bump(nowCpu, r, mesh.workloads[w]!.cpu);
      bump(nowMem, r, mesh.workloads[w]!.memoryGib);
    }
  }
  mesh.fleet.regions.forEach((reg, r) => {
    const keep = opts.capacity === 'keep-current';
    limitCpu[r] = Math.max(reg.capacity.cpu - (opts.background?.cpu[r] ?? 0), keep ? nowCpu[r]! : -Infinity);
    limitMem[r] = Math.max(reg.capacity.memoryGib - (opts.background?.mem[r] ?? 0), keep ? nowMem[r]! : -Infinity);
  });
  const free = new Set(opts.free);
  const ruled = (w: number): boolean => !opts.freeOnly || free.has(w);
  const allowed = (w: number, r: number): boolean =>
    r !== opts.lost &&
    (!ruled(w) || (mesh.rules[w] ?? []).every((rule) => !on.rule(rule.ref.id) || rule.allowed.has(r)));
  const ok = (): boolean => {
    for (const w of members) if (!allowed(w, place[w]!)) return false;
    for (const w of members) {
      for (const e of mesh.out[w] ?? []) {
        if (!opts.inQuestion.has(e.to) || !on.edge(e) || (opts.freeOnly && !free.has(e.from) && !free.has(e.to)))
          continue;
        if (!edgeHolds(mesh, e, place[w]!, place[e.to]!)) return false;
      }
    }
    if (opts.capacity) {
      const cpu = new Float64Array(R);
      const mem = new Float64Array(R);
      for (const w of members) {
        bump(cpu, place[w]!, mesh.workloads[w]!.cpu);
        bump(mem, place[w]!, mesh.workloads[w]!.memoryGib);
      }
      for (let r = 0; r < R; r++)
        if (on.capacity(r) && (cpu[r]! > limitCpu[r]! || mem[r]! > limitMem[r]!)) return false;
    }
    return true;
  };
  const go = (k: number): boolean => {
    if (k === opts.free.length) return ok();
    const w = opts.free[k]!;
    for (let r = 0; r < R; r++) {
      place[w] = r;
      if (go(k + 1)) return true;
    }
    return false;
  };
  return go(0) ? place : undefined;
}

/** Whether a full placement keeps every rule, edge and capacity (no background). */
export function placementHolds(mesh: PromiseModel, at: Int32Array, capacity: CapacityMode = 'keep-current'): boolean {
  const all = new Set(mesh.workloads.map((_w, i) => i));
  return bruteForce(mesh, { free: [], at, inQuestion: all, capacity }) !== undefined;
}

/** The spec, compactly, for a failure message. */
export function showFleet(b: BuiltFleet): string {
  return `--- fleet.yaml\n${b.texts.fleet}--- i.intent\n${b.texts.intents}\n--- inventory.yaml\n${b.texts.inventory}`;
}
