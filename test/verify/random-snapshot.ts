/**
 * Random planner snapshots built through the real parsers: the generator of
 * test/planner/plan.property.test.ts, with intent dependencies (`depends_on(...)`,
 * `network_latency { to: ... }`) and `validate_state` assertions over the planned mesh
 * added, so plans have dependency bounds to keep and the verifier has assertions to check.
 */
import type { ZoneSignal } from '../../regions/carbon/staleness.js';
import { parseFleet } from '../../regions/fleet/parse-fleet.js';
import { SourceFile } from '../../scheduler/diagnostics/source-file.js';
import { loadIntentSource } from '../../scheduler/intent/index.js';
import { parseInventory } from '../../scheduler/inventory/parse-inventory.js';
import type { Snapshot } from '../../scheduler/planner/snapshot.js';
import { buildPromiseModel } from '../../scheduler/promises/build-model.js';
import { edgeHolds } from './random-fleet.js';

export const NOW = Date.UTC(2026, 10, 22, 12);
const ZONES = ['JP-TK', 'KR', 'SE-SE1', 'FR', 'US-CAL-CISO', 'NP'];
const COUNTRIES = ['JP', 'KR', 'SE', 'FR', 'US', 'NP'];

export interface GeneratedSnapshot {
  readonly snapshot: Snapshot;
  readonly sources: ReadonlyMap<string, SourceFile>;
}

/** `regionOf` overrides where workloads run (by name); everything else comes from the seed alone. */
export function snapshotFrom(seed: number, regionOf?: ReadonlyMap<string, string>): GeneratedSnapshot {
  let s = seed;
  const rnd = (): number => (s = (s * 48271) % 2147483647) / 2147483647;
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T;
  const nRegions = int(2, 6);
  const regions = Array.from({ length: nRegions }, (_, i) => ({
    name: `r${i}`,
    zone: ZONES[i] as string,
    country: COUNTRIES[i] as string,
    compliance: rnd() < 0.5 ? ['A'] : ['A', 'B'],
  }));
  const nWorkloads = int(0, 24);
  const workloads = Array.from({ length: nWorkloads }, (_, j) => ({
    name: `ns${int(0, 3)}/w${j}`,
    region: pick(regions).name,
    cpu: int(1, 8),
    mem: int(1, 16),
  }));
  for (const w of workloads) w.region = regionOf?.get(w.name) ?? w.region;
  const usage = new Map<string, number>();
  for (const w of workloads) usage.set(w.region, (usage.get(w.region) ?? 0) + w.cpu);
  const memUsage = new Map<string, number>();
  for (const w of workloads) memUsage.set(w.region, (memUsage.get(w.region) ?? 0) + w.mem);
  const fleetYaml = [
    'regions:',
    ...regions.map(
      (r) =>
        `  - { name: ${r.name}, zone: ${r.zone}, country: ${r.country}, compliance: [${r.compliance.join(', ')}], cluster: c-${r.name}, capacity: { cpu: ${(usage.get(r.name) ?? 0) + int(1, 16)}, memory_gib: ${(memUsage.get(r.name) ?? 0) + int(1, 60)} } }`,
    ),
    'latency_ms:',
    ...regions.flatMap((a, i) => {
      const row = regions
        .slice(i + 1)
        .filter(() => rnd() < 0.8)
        .map((b) => `${b.name}: ${int(5, 200)}`);
      return row.length ? [`  ${a.name}: { ${row.join(', ')} }`] : [];
    }),
    `  r${nRegions - 1}: { r${nRegions - 1}: 1 }`,
    `policy: { migration_budget: ${int(0, 8)}, min_saving: ${int(0, 30)}%, cooldown: 6h }`,
    '',
  ].join('\n');
  const fleetSource = new SourceFile('fleet.yaml', fleetYaml);
  const parsed = parseFleet(fleetSource, '/', (p) => p);
  if (!parsed.fleet) throw new Error(`bad generated fleet: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
  const intentText = [0, 1, 2, 3]
    .map((k) => {
      const lines = [
        `intent "i${k}" {`,
        `  workloads("ns${k}/*")`,
        `  placement(${rnd() < 0.75 ? 'flexible' : 'critical'})`,
      ];
      if (rnd() < 0.25) lines.push(`  depends_on("ns${int(0, 3)}/*")`);
      if (rnd() < 0.4) lines.push(`  constraint compliance { level: "${pick(['A', 'B'])}" }`);
      if (rnd() < 0.3)
        lines.push(
          `  constraint residency { allow: [${
            COUNTRIES.filter(() => rnd() < 0.6)
              .map((c) => `"${c}"`)
              .join(', ') || '"JP"'
          }] }`,
        );
      if (rnd() < 0.2)
        lines.push(
          `  target nodes(${
            regions
              .filter(() => rnd() < 0.6)
              .map((r) => `"${r.name}"`)
              .join(', ') || '"r0"'
          }) {\n  }`,
        );
      if (rnd() < 0.25)
        lines.push(
          `  constraint network_latency { max: ${int(10, 150)}ms, to: "ns${int(0, 3)}/w${int(0, Math.max(0, nWorkloads - 1))}" }`,
        );
      if (rnd() < 0.5) lines.push(`  constraint network_latency { max: ${int(10, 150)}ms }`);
      if (rnd() < 0.4)
        lines.push(`  constraint carbon { max_intensity: ${int(50, 500)}gCO2eq/kWh, min_saving: ${int(0, 40)}% }`);
      if (rnd() < 0.3)
        lines.push(
          '  validate_state() {',
          `    assert!(${pick(['latency_within_bounds(planned_mesh)', 'dependencies_reachable(planned_mesh)', 'latency_within_bounds(planned_mesh) && dependencies_reachable(planned_mesh)'])})`,
          '  }',
        );
      lines.push('}');
      return lines.join('\n');
    })
    .join('\n');
  const intentSource = new SourceFile('i.intent', intentText);
  const intents = loadIntentSource(intentSource);
  if (intents.diagnostics.some((d) => d.severity === 'error'))
    throw new Error(`bad generated intents: ${intents.diagnostics.map((d) => d.message).join('; ')}`);
  const invYaml = [
    'workloads:',
    ...workloads.map((w) => {
      const deps = workloads.filter((o) => o.name !== w.name && rnd() < 0.08).map((o) => o.name);
      const moved = rnd() < 0.15 ? `, last_moved: "${new Date(NOW - int(0, 12) * 3_600_000).toISOString()}"` : '';
      return `  - { name: ${w.name}, region: ${w.region}, cpu: ${w.cpu}, memory_gib: ${w.mem}${deps.length ? `, depends_on: [${deps.join(', ')}]` : ''}${moved} }`;
    }),
    '',
  ].join('\n');
  const invSource = new SourceFile('inventory.yaml', invYaml);
  const inv = nWorkloads === 0 ? { workloads: [] } : parseInventory(invSource);
  if (!inv.workloads)
    throw new Error(
      `bad generated inventory: ${'diagnostics' in inv ? inv.diagnostics.map((d) => d.message).join('; ') : ''}`,
    );
  const signals = new Map<string, ZoneSignal>();
  for (const r of regions) {
    const roll = rnd();
    const intensity = int(10, 600);
    const reading = {
      zone: r.zone,
      intensity,
      datetime: NOW,
      isEstimated: false,
      emissionFactor: 'lifecycle' as const,
      source: 'replay' as const,
      granularity: 'hour' as const,
    };
    if (roll < 0.75) signals.set(r.zone, { zone: r.zone, status: 'fresh', reading, ageMs: 0 });
    else if (roll < 0.9)
      signals.set(r.zone, {
        zone: r.zone,
        status: 'stale',
        reading: { ...reading, datetime: NOW - 5 * 3_600_000 },
        ageMs: 5 * 3_600_000,
      });
  }
  return {
    snapshot: { fleet: parsed.fleet, intents: intents.intents, workloads: inv.workloads, signals, now: NOW },
    sources: new Map([
      ['fleet.yaml', fleetSource],
      ['i.intent', intentSource],
      ['inventory.yaml', invSource],
    ]),
  };
}

/**
 * The snapshot of `seed` with its workloads moved, greedily, to regions that keep their
 * rules and their dependencies on the workloads placed before them (capacity follows, as
 * the generator sizes regions from what runs there): most such snapshots start from a
 * state that keeps every intent, which is what plan safety is about.
 */
export function repairedSnapshotFrom(seed: number): GeneratedSnapshot {
  const first = snapshotFrom(seed);
  const { fleet, intents, workloads } = first.snapshot;
  const mesh = buildPromiseModel(fleet, intents, workloads);
  const R = fleet.regions.length;
  const at = Int32Array.from(mesh.current);
  const placed = new Set<number>();
  const incoming = workloads.map(() => [] as number[]);
  for (const e of mesh.edges) incoming[e.to]!.push(mesh.edges.indexOf(e));
  workloads.forEach((_w, i) => {
    const allowed = (r: number) => (mesh.rules[i] ?? []).every((rule) => rule.allowed.has(r));
    const near = (r: number) =>
      (mesh.out[i] ?? []).every((e) => !placed.has(e.to) || edgeHolds(mesh, e, r, at[e.to]!)) &&
      incoming[i]!.every(
        (k) => !placed.has(mesh.edges[k]!.from) || edgeHolds(mesh, mesh.edges[k]!, at[mesh.edges[k]!.from]!, r),
      );
    const order = [at[i]!, ...Array.from({ length: R }, (_v, r) => r)];
    const r = order.find((r) => allowed(r) && near(r)) ?? order.find(allowed);
    if (r !== undefined) at[i] = r;
    placed.add(i);
  });
  return snapshotFrom(seed, new Map(workloads.map((w, i) => [w.name, fleet.regions[at[i]!]!.name])));
}
