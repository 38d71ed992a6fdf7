/**
 * Generated fleets for the planner benchmark: 40 real grid zones on five continents with
 * their 2024 intensities, teams with realistic intents (compliance classes, residency,
 * latency to a pinned service of their own, minimum savings), mixed workload sizes, a few
 * workloads in cooldown, and capacity that binds in the clean regions. Built through the
 * real fleet, intent and inventory parsers. Deterministic for a given size and seed.
 */
import { StaticCarbonSource } from '../regions/carbon/static-source.js';
import { assess, type ZoneSignal } from '../regions/carbon/staleness.js';
import { parseFleet } from '../regions/fleet/parse-fleet.js';
import { SourceFile } from '../scheduler/diagnostics/source-file.js';
import { loadIntentSource } from '../scheduler/intent/index.js';
import type { Workload } from '../scheduler/inventory/model.js';
import type { Snapshot } from '../scheduler/planner/snapshot.js';

export type Area = 'EU' | 'NA' | 'APAC' | 'SA' | 'AF';
/** 40 real grid zones on five continents: [zone, country, area]. */
export const ZONES: readonly [string, string, Area][] = [
  ['SE-SE1', 'SE', 'EU'],
  ['SE-SE3', 'SE', 'EU'],
  ['NO-NO1', 'NO', 'EU'],
  ['FI', 'FI', 'EU'],
  ['FR', 'FR', 'EU'],
  ['DE', 'DE', 'EU'],
  ['NL', 'NL', 'EU'],
  ['BE', 'BE', 'EU'],
  ['GB', 'GB', 'EU'],
  ['IE', 'IE', 'EU'],
  ['ES', 'ES', 'EU'],
  ['IT-NO', 'IT', 'EU'],
  ['CH', 'CH', 'EU'],
  ['AT', 'AT', 'EU'],
  ['PL', 'PL', 'EU'],
  ['DK-DK1', 'DK', 'EU'],
  ['CA-QC', 'CA', 'NA'],
  ['CA-ON', 'CA', 'NA'],
  ['US-NW-PACW', 'US', 'NA'],
  ['US-CAL-CISO', 'US', 'NA'],
  ['US-MIDA-PJM', 'US', 'NA'],
  ['US-TEX-ERCO', 'US', 'NA'],
  ['US-NY-NYIS', 'US', 'NA'],
  ['US-CENT-SWPP', 'US', 'NA'],
  ['US-NW-BPAT', 'US', 'NA'],
  ['US-NE-ISNE', 'US', 'NA'],
  ['JP-TK', 'JP', 'APAC'],
  ['JP-KN', 'JP', 'APAC'],
  ['KR', 'KR', 'APAC'],
  ['TW', 'TW', 'APAC'],
  ['SG', 'SG', 'APAC'],
  ['HK', 'HK', 'APAC'],
  ['IN-WE', 'IN', 'APAC'],
  ['IN-NO', 'IN', 'APAC'],
  ['AU-NSW', 'AU', 'APAC'],
  ['AU-VIC', 'AU', 'APAC'],
  ['NZ', 'NZ', 'APAC'],
  ['BR-CS', 'BR', 'SA'],
  ['CL-SEN', 'CL', 'SA'],
  ['ZA', 'ZA', 'AF'],
];
/** Typical round trips between areas, ms. */
export const BETWEEN: Readonly<Record<string, number>> = {
  'EU|NA': 95,
  'EU|APAC': 210,
  'EU|SA': 200,
  'EU|AF': 160,
  'NA|APAC': 150,
  'NA|SA': 140,
  'NA|AF': 230,
  'APAC|SA': 300,
  'APAC|AF': 250,
  'SA|AF': 280,
};
const EU = ['SE', 'NO', 'FI', 'FR', 'DE', 'NL', 'BE', 'IE', 'ES', 'IT', 'AT', 'PL', 'DK'];
const SIZES: readonly [number, number][] = [
  [1, 2],
  [1, 4],
  [2, 4],
  [2, 8],
  [4, 8],
  [4, 16],
  [8, 32],
  [16, 64],
  [32, 128],
];

/** The typical round trip between two different areas, ms, whichever order they come in. */
export function betweenAreas(a: Area, b: Area): number {
  return BETWEEN[`${a}|${b}`] ?? BETWEEN[`${b}|${a}`] ?? 200;
}

/** Each region's 2024 yearly average intensity (the embedded static source), by region name. */
export async function staticIntensities(
  regions: readonly { readonly name: string; readonly zone: string }[],
  now: number,
): Promise<Map<string, number>> {
  const static2024 = new StaticCarbonSource(2024);
  const intensity = new Map<string, number>();
  for (const r of regions) {
    const reading = await static2024.latest(r.zone, now);
    if (!reading.ok) throw reading.error;
    intensity.set(r.name, reading.value.intensity);
  }
  return intensity;
}

export interface GeneratedFleet {
  readonly snapshot: Snapshot;
  readonly workloads: number;
  readonly regions: number;
}

/** A generated fleet as the files a user would write: the fleet file (without file references), intents, workloads. */
export interface FleetTexts {
  /** regions, latency_ms and policy; no `intents:` or `inventory:` keys. */
  readonly fleetYaml: string;
  /** Every team's intents, one file's text. */
  readonly intentText: string;
  /** The inventory's workloads (spans point nowhere: they were never read from a file). */
  readonly workloads: readonly Workload[];
  readonly regions: readonly { readonly name: string; readonly zone: string }[];
  /** Each region's static 2024 intensity, by region name. */
  readonly intensity: ReadonlyMap<string, number>;
  /** The instant the fleet is generated for (cooldowns count back from it), epoch ms. */
  readonly now: number;
}

export async function generateFleet(workloadCount: number, seed = 1): Promise<GeneratedFleet> {
  const { fleetYaml, intentText, workloads, regions, intensity, now } = await generateFleetTexts(workloadCount, seed);
  const fleet = parseFleet(new SourceFile('generated-fleet.yaml', fleetYaml), '/', (p) => p);
  if (!fleet.fleet)
    throw new Error(`generated fleet is invalid: ${fleet.diagnostics.map((d) => d.message).join('; ')}`);
  const intents = loadIntentSource(new SourceFile('generated.intent', intentText));
  if (intents.diagnostics.some((d) => d.severity === 'error'))
    throw new Error(intents.diagnostics.map((d) => d.message).join('; '));
  const signals = freshSignals(regions, intensity, now);
  return {
    snapshot: { fleet: fleet.fleet, intents: intents.intents, workloads: [...workloads], signals, now },
    workloads: workloads.length,
    regions: regions.length,
  };
}

export interface FleetTextOptions {
  /**
   * Whether the fleet keeps its intents where it runs now, as a fleet shisa has been running
   * does (shisa moves workloads to cleaner regions; it does not repair violations): a critical
   * team's workloads run in its home region, whose compliance and residency allow it; a
   * flexible team's run in regions its compliance and residency allow, within its latency
   * bound of its pinned service; capacity covers what runs. The current placement is then a
   * model of "all intents are jointly satisfiable". Off (the planner benchmark's fleets),
   * workloads run anywhere near, which the planner takes but a recorded run's proof refuses.
   */
  readonly consistent?: boolean;
}

/** The texts and workloads of a generated fleet; deterministic for a given size, seed and options. */
export async function generateFleetTexts(
  workloadCount: number,
  seed = 1,
  options: FleetTextOptions = {},
): Promise<FleetTexts> {
  let s = seed;
  const rnd = (): number => (s = (s * 48271) % 2147483647) / 2147483647;
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T;
  const now = Date.UTC(2026, 10, 22, 12);
  const regions = ZONES.map(([zone, country, area], i) => ({
    name: `r${String(i).padStart(2, '0')}-${zone.toLowerCase()}`,
    zone,
    country,
    area,
  }));
  const byArea = (a: Area) => regions.filter((r) => r.area === a);

  // Teams: each has a pinned service in a home region and a fleet of workloads near it.
  const certs = (r: (typeof regions)[number]): string[] => [
    'ISO-27001',
    ...(r.area === 'EU' || r.area === 'NA' || r.country === 'SG' ? ['PCI-DSS-4'] : []),
    ...(r.country === 'JP' ? ['FISC-2025'] : []),
  ];
  const teams = Array.from({ length: 40 }, (_, k) => {
    const home = pick(regions);
    const roll = rnd();
    const residency = roll < 0.3 && home.area === 'EU' ? 'eu' : roll < 0.45 ? 'area' : 'none';
    const compliance =
      home.country === 'JP' && rnd() < 0.5
        ? 'FISC-2025'
        : rnd() < 0.3
          ? 'PCI-DSS-4'
          : rnd() < 0.5
            ? 'ISO-27001'
            : undefined;
    const flexible = rnd() < 0.8;
    const heldAtHome = compliance === undefined || certs(home).includes(compliance);
    const allowedAtHome = residency !== 'eu' || EU.includes(home.country);
    return {
      k,
      home,
      residency: options.consistent && !allowedAtHome ? 'area' : residency,
      compliance: options.consistent && !heldAtHome ? 'ISO-27001' : compliance,
      flexible,
      maxMs: pick([40, 80, 150, 250]),
      minSaving: pick([5, 10, 15, 20]),
    };
  });

  // Round trips between regions (i < j), ms. A consistent fleet draws them before placing its
  // workloads, to place each within its team's latency bound; the planner benchmark's fleets
  // draw them afterwards, as they always have (the same fleet for the same size and seed).
  const drawLatencies = (): number[][] =>
    regions.map((a, i) =>
      regions.map((b, j) =>
        j <= i ? 0 : a.area === b.area ? int(5, 45) : betweenAreas(a.area, b.area) + int(-20, 20),
      ),
    );
  const early = options.consistent ? drawLatencies() : undefined;
  const latencyBetween = (m: readonly number[][], a: number, b: number): number =>
    a === b ? 0 : (m[Math.min(a, b)]?.[Math.max(a, b)] as number);
  // Where a team's workloads may run and keep its intent: the regions holding its compliance
  // level that its residency allows, within its latency bound of its pinned service.
  const allowedFor = (t: (typeof teams)[number], m: readonly number[][]): (typeof regions)[number][] => {
    const countries = t.residency === 'eu' ? EU : t.residency === 'area' ? areaCountries(t.home.area) : undefined;
    const home = regions.indexOf(t.home);
    return regions.filter(
      (r, i) =>
        (t.compliance === undefined || certs(r).includes(t.compliance)) &&
        (countries === undefined || countries.includes(r.country)) &&
        latencyBetween(m, i, home) <= t.maxMs,
    );
  };
  const areaCountries = (a: Area): string[] => [...new Set(byArea(a).map((r) => r.country))];
  const allowed = early ? new Map(teams.map((t) => [t.k, allowedFor(t, early)])) : undefined;

  // In a consistent fleet a critical team's workloads run in its home region, a flexible
  // team's where they were drawn if its intent allows that, else in an allowed region near
  // it (drawn among them, so they spread), else at home.
  const consistentRegion = (
    t: (typeof teams)[number],
    drawn: (typeof regions)[number],
    near: readonly (typeof regions)[number][],
    ok: readonly (typeof regions)[number][],
  ): string => {
    if (!t.flexible) return t.home.name;
    if (ok.includes(drawn)) return drawn.name;
    const nearOk = ok.filter((r) => near.includes(r));
    return pick(nearOk.length > 0 ? nearOk : ok).name;
  };

  const workloads: Workload[] = [];
  const span = new SourceFile('generated', '').span(0);
  const services = teams.map((t) => `svc${t.k}/api`);
  for (const t of teams)
    workloads.push({
      name: `svc${t.k}/api`,
      region: t.home.name,
      cpu: 16,
      memoryGib: 64,
      intent: `svc-${t.k}`,
      dependsOn: [],
      span,
    });
  for (let j = workloads.length; j < workloadCount; j++) {
    const t = pick(teams);
    const near = rnd() < 0.8 ? byArea(t.home.area) : regions;
    const [cpu, mem] = pick(SIZES);
    const drawn = pick(near);
    workloads.push({
      name: `team${t.k}/w${j}`,
      region: allowed ? consistentRegion(t, drawn, near, allowed.get(t.k) ?? [t.home]) : drawn.name,
      cpu,
      memoryGib: mem,
      intent: `team-${t.k}`,
      dependsOn: [{ value: services[t.k] as string, span }],
      ...(rnd() < 0.05 ? { lastMovedAt: now - int(0, 5) * 3_600_000 } : {}),
      span,
    });
  }
  // Capacity binds: clean regions are small next to demand, dirty ones have room.
  const demand = new Map<string, number>();
  for (const w of workloads) demand.set(w.region, (demand.get(w.region) ?? 0) + w.cpu);
  const total = workloads.reduce((a, w) => a + w.cpu, 0);
  const intensity = await staticIntensities(regions, now);
  const latency = early ?? drawLatencies();
  const fleetYaml = [
    'regions:',
    ...regions.map((r) => {
      const clean = (intensity.get(r.name) as number) < 150;
      const cpu = Math.ceil((demand.get(r.name) ?? 0) + total * (clean ? 0.004 : 0.02) + 64);
      return `  - { name: ${r.name}, zone: ${r.zone}, country: ${r.country}, compliance: [${certs(r).join(', ')}], cluster: k-${r.name}, capacity: { cpu: ${cpu}, memory_gib: ${cpu * 6} } }`;
    }),
    'latency_ms:',
    ...regions.map((a, i) => {
      const row = regions.slice(i + 1).map((b, d) => `${b.name}: ${latency[i]?.[i + 1 + d] as number}`);
      return row.length ? `  ${a.name}: { ${row.join(', ')} }` : `  ${a.name}: { ${a.name}: 1 }`;
    }),
    `policy: { migration_budget: ${Math.ceil(workloadCount * 0.05)}, min_saving: 10%, cooldown: 6h }`,
  ].join('\n');
  const intentText = teams
    .flatMap((t) => {
      const allow = t.residency === 'eu' ? EU : t.residency === 'area' ? areaCountries(t.home.area) : undefined;
      const team = [
        `intent "team-${t.k}" {`,
        `  placement(${t.flexible ? 'flexible' : 'critical'})`,
        ...(t.compliance ? [`  constraint compliance { level: "${t.compliance}" }`] : []),
        ...(allow ? [`  constraint residency { allow: [${allow.map((c) => `"${c}"`).join(', ')}] }`] : []),
        `  constraint network_latency { max: ${t.maxMs}ms, to: "svc${t.k}/api" }`,
        `  constraint carbon { min_saving: ${t.minSaving}% }`,
        '}',
      ];
      const svc = [`intent "svc-${t.k}" {`, '  placement(critical)', '}'];
      return [...team, ...svc];
    })
    .join('\n');
  return { fleetYaml, intentText, workloads, regions, intensity, now };
}

/** A fresh static reading per region's zone at `now`, from the generated intensities. */
export function freshSignals(
  regions: readonly { readonly name: string; readonly zone: string }[],
  intensity: ReadonlyMap<string, number>,
  now: number,
): Map<string, ZoneSignal> {
  const signals = new Map<string, ZoneSignal>();
  for (const r of regions) {
    const reading = {
      zone: r.zone,
      intensity: intensity.get(r.name) as number,
      datetime: now,
      isEstimated: true,
      emissionFactor: 'lifecycle' as const,
      source: 'static' as const,
      granularity: 'year' as const,
    };
    signals.set(r.zone, assess(r.zone, { ok: true, value: reading }, now, 7_200_000));
  }
  return signals;
}
