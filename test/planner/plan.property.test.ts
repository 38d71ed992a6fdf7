/**
 * The whole planner (filters, optimiser, explanations) on random snapshots built through the
 * real parsers: every hard constraint holds in every plan, and no move touches a stale
 * zone, a critical workload or a workload in cooldown.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ZoneSignal } from '../../regions/carbon/staleness.js';
import { parseFleet } from '../../regions/fleet/parse-fleet.js';
import { SourceFile } from '../../scheduler/diagnostics/source-file.js';
import { loadIntentSource } from '../../scheduler/intent/index.js';
import { parseInventory } from '../../scheduler/inventory/parse-inventory.js';
import { plan } from '../../scheduler/planner/plan.js';
import { planToJson } from '../../scheduler/planner/plan-json.js';
import { buildPromiseModel } from '../../scheduler/promises/build-model.js';
import type { Snapshot } from '../../scheduler/planner/snapshot.js';

const NOW = Date.UTC(2026, 10, 22, 12);
const ZONES = ['JP-TK', 'KR', 'SE-SE1', 'FR', 'US-CAL-CISO', 'NP'];
const COUNTRIES = ['JP', 'KR', 'SE', 'FR', 'US', 'NP'];

function snapshotFrom(seed: number): Snapshot {
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
  const usage = new Map<string, number>();
  for (const w of workloads) usage.set(w.region, (usage.get(w.region) ?? 0) + w.cpu);
  const fleetYaml = [
    'regions:',
    ...regions.map(
      (r) =>
        `  - { name: ${r.name}, zone: ${r.zone}, country: ${r.country}, compliance: [${r.compliance.join(', ')}], cluster: c-${r.name}, capacity: { cpu: ${(usage.get(r.name) ?? 0) + int(1, 16)}, memory_gib: ${int(40, 400)} } }`,
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
  ].join('\n');
  const parsed = parseFleet(new SourceFile('fleet.yaml', fleetYaml), '/', (p) => p);
  if (!parsed.fleet) throw new Error(`bad generated fleet: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
  const intentText = [0, 1, 2, 3]
    .map((k) => {
      const lines = [
        `intent "i${k}" {`,
        `  workloads("ns${k}/*")`,
        `  placement(${rnd() < 0.75 ? 'flexible' : 'critical'})`,
      ];
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
      if (rnd() < 0.5) lines.push(`  constraint network_latency { max: ${int(10, 150)}ms }`);
      if (rnd() < 0.4)
        lines.push(`  constraint carbon { max_intensity: ${int(50, 500)}gCO2eq/kWh, min_saving: ${int(0, 40)}% }`);
      lines.push('}');
      return lines.join('\n');
    })
    .join('\n');
  const intents = loadIntentSource(new SourceFile('i.intent', intentText));
  if (intents.diagnostics.some((d) => d.severity === 'error'))
    throw new Error(`bad generated intents: ${intents.diagnostics.map((d) => d.message).join('; ')}`);
  const invYaml = [
    'workloads:',
    ...workloads.map((w) => {
      const deps = workloads.filter((o) => o.name !== w.name && rnd() < 0.08).map((o) => o.name);
      const moved = rnd() < 0.15 ? `, last_moved: "${new Date(NOW - int(0, 12) * 3_600_000).toISOString()}"` : '';
      return `  - { name: ${w.name}, region: ${w.region}, cpu: ${w.cpu}, memory_gib: ${w.mem}${deps.length ? `, depends_on: [${deps.join(', ')}]` : ''}${moved} }`;
    }),
  ].join('\n');
  const inv = nWorkloads === 0 ? { workloads: [] } : parseInventory(new SourceFile('inv.yaml', invYaml));
  if (!inv.workloads) throw new Error('bad generated inventory');
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
  return { fleet: parsed.fleet, intents: intents.intents, workloads: inv.workloads, signals, now: NOW };
}

describe('plans on random snapshots', () => {
  it('keep every hard constraint and never touch stale zones, critical workloads or workloads in cooldown (1,500 snapshots)', () => {
    let moves = 0;
    let cooling = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 2 }), (seed) => {
        const snap = snapshotFrom(seed);
        const p = plan(snap);
        moves += p.moves.length;
        cooling += p.kept.filter((k) => k.reason === 'cooldown').length;
        const { fleet } = snap;
        const model = buildPromiseModel(fleet, snap.intents, snap.workloads);
        const promises = new Map(snap.workloads.map((w, i) => [w.name, model.terms[i]!]));
        const edges = model.edges.map((e) => ({
          from: snap.workloads[e.from]!.name,
          to: snap.workloads[e.to]!.name,
          maxMs: e.maxMs,
        }));
        const before = new Map(snap.workloads.map((w) => [w.name, w.region]));
        const after = new Map(before);
        for (const m of p.moves) after.set(m.workload, m.to);
        const zoneOf = (region: string) => fleet.regionsByName.get(region)!.zone;
        const fresh = (region: string) => snap.signals.get(zoneOf(region))?.status === 'fresh';
        const intensity = (region: string) => snap.signals.get(zoneOf(region))?.reading?.intensity as number;

        expect(p.moves.length).toBeLessThanOrEqual(fleet.policy.migrationBudget);
        for (const m of p.moves) {
          const w = snap.workloads.find((x) => x.name === m.workload)!;
          const pr = promises.get(m.workload)!;
          const to = fleet.regionsByName.get(m.to)!;
          expect(pr.placement, `${m.workload} is critical`).toBe('flexible');
          expect(
            w.lastMovedAt === undefined || w.lastMovedAt + fleet.policy.cooldownMs <= snap.now,
            `${m.workload} in cooldown`,
          ).toBe(true);
          expect(fresh(m.from) && fresh(m.to), `${m.workload} moved from or to a zone without fresh data`).toBe(true);
          const toIndex = fleet.regions.indexOf(to);
          expect(
            pr.rules.every((r) => r.allowed.has(toIndex)),
            `${m.workload} broke a region rule`,
          ).toBe(true);
          expect(pr.maxIntensity === undefined || intensity(m.to) <= pr.maxIntensity).toBe(true);
          const minSaving = pr.minSavingPercent ?? fleet.policy.minSavingPercent;
          expect(intensity(m.to)).toBeLessThan(intensity(m.from));
          expect(((intensity(m.from) - intensity(m.to)) / intensity(m.from)) * 100).toBeGreaterThanOrEqual(
            minSaving - 1e-9,
          );
          expect(m.savingGPerH).toBeGreaterThan(0);
        }
        for (const r of fleet.regions) {
          const use = (placement: Map<string, string>, key: 'cpu' | 'memoryGib') =>
            snap.workloads.filter((w) => placement.get(w.name) === r.name).reduce((s, w) => s + w[key], 0);
          expect(use(after, 'cpu')).toBeLessThanOrEqual(Math.max(r.capacity.cpu, use(before, 'cpu')) + 1e-9);
          expect(use(after, 'memoryGib')).toBeLessThanOrEqual(
            Math.max(r.capacity.memoryGib, use(before, 'memoryGib')) + 1e-9,
          );
        }
        for (const e of edges) {
          const was = fleet.latency.get(before.get(e.from)!, before.get(e.to)!);
          if (was === undefined) continue;
          const now = fleet.latency.get(after.get(e.from)!, after.get(e.to)!);
          expect(now, `${e.from} → ${e.to} unreachable after the plan`).toBeDefined();
          expect(now!).toBeLessThanOrEqual(Math.max(e.maxMs, was));
        }
        expect(p.emissions.after).toBeLessThanOrEqual(p.emissions.before + 1e-9);
        expect(p.lowerBound).toBeLessThanOrEqual(p.objective + 1e-9);
        const kept = new Set(p.kept.map((k) => k.workload));
        for (const name of promises.keys())
          if (promises.get(name)!.placement === 'flexible')
            expect(kept.has(name) || p.moves.some((m) => m.workload === name)).toBe(true);
        // Determinism: the same snapshot gives the same bytes.
        const extra = { fleet: 'f', carbonSource: 'replay', carbon: [] };
        expect(JSON.stringify(planToJson(plan(snap), extra))).toBe(JSON.stringify(planToJson(p, extra)));
      }),
      { numRuns: 1_500 },
    );
    // The property must have had something to check.
    expect(moves).toBeGreaterThan(1_000);
    expect(cooling).toBeGreaterThan(50);
  });
});
