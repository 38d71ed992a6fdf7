/**
 * A generated fleet for the verifier benchmark: 40 real grid zones on five continents,
 * 200 critical services and flexible teams that call them, built through the real fleet and
 * intent parsers. Deterministic for a given seed.
 *
 * Each critical service (`svcK/db`, `svcK/api`, sometimes `svcK/worker`) is pinned by its
 * intent to one region or to two nearby ones, with a compliance level and a residency list
 * both of its regions satisfy, a latency bound to its own database, sometimes a call to an
 * older service, and `validate_state` assertions on some. Flexible teams call one service
 * each, within a latency bound, and follow the cleanest electricity with a migration budget
 * of 500; clean regions are nearly full, so the plan's moves compete for room and the
 * make-before-break order matters.
 *
 * Consistent by construction: every workload runs now where all its intents allow it, every
 * bound holds now, and every region has room for what runs in it, so the current placement
 * witnesses joint satisfiability. Single points of failure are intended: a service pinned to
 * one region (or calling one that is) cannot survive losing it — warnings, not errors.
 */
import { parseFleet } from '../regions/fleet/parse-fleet.js';
import { SourceFile } from '../scheduler/diagnostics/source-file.js';
import { loadIntentSource } from '../scheduler/intent/index.js';
import type { Workload } from '../scheduler/inventory/model.js';
import type { Snapshot } from '../scheduler/planner/snapshot.js';
import { betweenAreas, freshSignals, staticIntensities, ZONES, type Area } from './generate-fleet.js';

const EU = ['AT', 'BE', 'DE', 'DK', 'ES', 'FI', 'FR', 'IE', 'IT', 'NL', 'NO', 'PL', 'SE'];
const FLEX_SIZES: readonly [number, number][] = [
  [1, 2],
  [1, 4],
  [2, 4],
  [2, 8],
  [4, 8],
  [4, 16],
  [8, 32],
  [16, 64],
];

export interface VerifyFleetOptions {
  readonly criticalIntents: number;
  readonly teams: number;
  readonly flexibleWorkloads: number;
  readonly budget: number;
}

export const DEFAULT_VERIFY_FLEET: VerifyFleetOptions = {
  criticalIntents: 200,
  teams: 60,
  flexibleWorkloads: 3_000,
  budget: 500,
};

export interface GeneratedVerifyFleet {
  readonly snapshot: Snapshot;
  readonly regions: number;
  readonly workloads: number;
  readonly criticalIntents: number;
  readonly flexibleIntents: number;
  readonly criticalWorkloads: number;
  /** Critical intents pinned to one region / two regions. */
  readonly pinnedOne: number;
  readonly pinnedTwo: number;
  readonly assertions: number;
}

export async function generateVerifyFleet(
  seed = 1,
  options: VerifyFleetOptions = DEFAULT_VERIFY_FLEET,
): Promise<GeneratedVerifyFleet> {
  let s = seed;
  const rnd = (): number => (s = (s * 48271) % 2147483647) / 2147483647;
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T;
  const now = Date.UTC(2026, 10, 22, 12);
  const regions = ZONES.map(([zone, country, area], i) => ({
    i,
    name: `r${String(i).padStart(2, '0')}-${zone.toLowerCase()}`,
    zone,
    country,
    area,
  }));
  type Region = (typeof regions)[number];
  const certs = (r: Region): string[] => [
    'ISO-27001',
    ...(r.area === 'EU' || r.area === 'NA' || r.country === 'SG' ? ['PCI-DSS-4'] : []),
    ...(r.country === 'JP' ? ['FISC-2025'] : []),
  ];

  // Latency first: placements below are chosen so that every bound holds now.
  const R = regions.length;
  const lat: number[][] = regions.map(() => new Array<number>(R).fill(0));
  for (let a = 0; a < R; a++) {
    for (let b = a + 1; b < R; b++) {
      const ra = regions[a] as Region;
      const rb = regions[b] as Region;
      const ms = ra.area === rb.area ? int(5, 45) : betweenAreas(ra.area, rb.area) + int(-20, 20);
      (lat[a] as number[])[b] = ms;
      (lat[b] as number[])[a] = ms;
    }
  }
  const latency = (a: Region, b: Region): number => (lat[a.i] as number[])[b.i] as number;

  interface Rules {
    readonly compliance?: string;
    readonly allow?: readonly string[];
    readonly deny?: readonly string[];
    readonly targets?: readonly Region[];
  }
  const allows = (rules: Rules, r: Region): boolean =>
    (!rules.compliance || certs(r).includes(rules.compliance)) &&
    (!rules.allow || rules.allow.includes(r.country)) &&
    !(rules.deny ?? []).includes(r.country) &&
    (!rules.targets || rules.targets.includes(r));
  const constraintLines = (rules: Rules): string[] => [
    ...(rules.compliance ? [`  constraint compliance { level: "${rules.compliance}", audit: true }`] : []),
    ...(rules.allow ? [`  constraint residency { allow: [${rules.allow.map((c) => `"${c}"`).join(', ')}] }`] : []),
    ...(rules.deny ? [`  constraint residency { deny: [${rules.deny.map((c) => `"${c}"`).join(', ')}] }`] : []),
  ];
  const areaCountries = (a: Area): string[] =>
    a === 'EU' ? EU.concat('GB', 'CH') : [...new Set(regions.filter((r) => r.area === a).map((r) => r.country))];

  const workloads: Workload[] = [];
  const span = new SourceFile('generated-inventory', '').span(0);
  const intentText: string[] = [];
  let assertions = 0;

  // Critical services: pinned to one region or two nearby ones.
  interface Service {
    readonly k: number;
    readonly targets: readonly Region[];
    readonly api: Region;
    /** Survives any single region's loss (two regions, and so does everything it calls). */
    readonly survives: boolean;
  }
  const services: Service[] = [];
  for (let k = 0; k < options.criticalIntents; k++) {
    const home = pick(regions);
    const near = regions.filter((r) => r !== home && r.area === home.area && latency(home, r) <= 30);
    const second = rnd() < 0.55 && near.length > 0 ? pick(near) : undefined;
    const targets = second ? [home, second] : [home];
    const common = certs(home).filter((c) => targets.every((t) => certs(t).includes(c)));
    const roll = rnd();
    const compliance =
      common.includes('FISC-2025') && roll < 0.7
        ? 'FISC-2025'
        : common.includes('PCI-DSS-4') && roll < 0.5
          ? 'PCI-DSS-4'
          : roll < 0.75
            ? 'ISO-27001'
            : undefined;
    const res = rnd();
    const rules: Rules = {
      ...(compliance ? { compliance } : {}),
      ...(res < 0.3
        ? { allow: areaCountries(home.area) }
        : res < 0.45
          ? { allow: [...new Set(targets.map((t) => t.country))] }
          : res < 0.55
            ? { deny: ['CN', 'RU'] }
            : {}),
      targets,
    };
    const dbToApi = second ? latency(home, second) : 0;
    const maxMs = second ? Math.ceil((dbToApi + pick([0, 5, 15])) / 5) * 5 : pick([2, 5, 10]);
    const api = second && rnd() < 0.5 ? second : home;
    const [dbCpu, apiCpu] = [pick([4, 8, 16]), pick([2, 4, 8])];
    // Calls an older service now and then: the dependency graph is a DAG (by construction).
    const calls = k > 0 && rnd() < 0.3 ? services[int(0, k - 1)] : undefined;
    workloads.push({
      name: `svc${k}/db`,
      region: home.name,
      cpu: dbCpu,
      memoryGib: dbCpu * 4,
      intent: `svc-${k}`,
      dependsOn: [],
      span,
    });
    workloads.push({
      name: `svc${k}/api`,
      region: api.name,
      cpu: apiCpu,
      memoryGib: apiCpu * 2,
      intent: `svc-${k}`,
      dependsOn: [{ value: `svc${k}/db`, span }, ...(calls ? [{ value: `svc${calls.k}/api`, span }] : [])],
      span,
    });
    if (rnd() < 0.5)
      workloads.push({
        name: `svc${k}/worker`,
        region: home.name,
        cpu: 2,
        memoryGib: 4,
        intent: `svc-${k}`,
        dependsOn: [{ value: `svc${k}/api`, span }],
        span,
      });
    const service: Service = { k, targets, api, survives: targets.length === 2 && (!calls || calls.survives) };
    services.push(service);

    const asserts: string[] = [];
    switch (k % 6) {
      case 0:
        asserts.push('assert!(!has_cyclic_dependencies(current_mesh))');
        break;
      case 1:
        asserts.push('assert!(!has_cyclic_dependencies(current_mesh) && dependencies_reachable(current_mesh))');
        break;
      case 2:
        asserts.push('assert!(latency_within_bounds(planned_mesh) && dependencies_reachable(planned_mesh))');
        break;
      case 3:
        if (service.survives) asserts.push('assert!(survives_region_loss(current_mesh))');
        else asserts.push('assert!(dependencies_reachable(current_mesh) || !has_cyclic_dependencies(current_mesh))');
        break;
      default:
        break;
    }
    assertions += asserts.length;
    intentText.push(
      `intent "svc-${k}" {`,
      `  workloads("svc${k}/*")`,
      '  placement(critical)',
      ...constraintLines(rules),
      `  constraint network_latency { max: ${maxMs}ms, to: "svc${k}/db", percentile: p99 }`,
      `  target nodes(${targets.map((t) => `"${t.name}"`).join(', ')}) {`,
      '    on_drift(action: "alert")',
      '  }',
      ...(asserts.length ? ['  validate_state() {', ...asserts.map((a) => `    ${a}`), '  }'] : []),
      '}',
    );
  }
  const criticalWorkloads = workloads.length;

  // Flexible teams, each calling one critical service within a latency bound.
  const teams = Array.from({ length: options.teams }, (_, j) => {
    const svc = pick(services);
    const area = svc.api.area;
    const maxMs = pick([40, 80, 150, 250]);
    const roll = rnd();
    const compliance =
      roll < 0.2 && (area === 'EU' || area === 'NA') ? 'PCI-DSS-4' : roll < 0.4 ? 'ISO-27001' : undefined;
    const res = rnd();
    const rules: Rules = {
      ...(compliance ? { compliance } : {}),
      ...(res < 0.3 ? { allow: areaCountries(area) } : res < 0.4 ? { deny: ['CN', 'RU'] } : {}),
    };
    const allowed = regions.filter((r) => allows(rules, r) && latency(r, svc.api) <= maxMs);
    const nearby = allowed.filter((r) => r.area === area);
    const assertion =
      j % 4 === 0
        ? 'assert!(!has_cyclic_dependencies(planned_mesh))'
        : j % 4 === 1
          ? 'assert!(latency_within_bounds(planned_mesh))'
          : undefined;
    if (assertion) assertions++;
    intentText.push(
      `intent "team-${j}" {`,
      '  placement(flexible)',
      ...constraintLines(rules),
      `  constraint network_latency { max: ${maxMs}ms, to: "svc${svc.k}/api" }`,
      `  constraint carbon { min_saving: ${pick([5, 10, 15, 20])}% }`,
      '  on_drift(action: "rollback")',
      ...(assertion ? ['  validate_state() {', `    ${assertion}`, '  }'] : []),
      '}',
    );
    return { j, svc, allowed: allowed.length ? allowed : [svc.api], nearby };
  });
  for (let n = 0; n < options.flexibleWorkloads; n++) {
    const t = pick(teams);
    const [cpu, mem] = pick(FLEX_SIZES);
    const at = t.nearby.length && rnd() < 0.8 ? pick(t.nearby) : pick(t.allowed);
    workloads.push({
      name: `team${t.j}/w${n}`,
      region: at.name,
      cpu,
      memoryGib: mem,
      intent: `team-${t.j}`,
      dependsOn: [{ value: `svc${t.svc.k}/api`, span }],
      ...(rnd() < 0.05 ? { lastMovedAt: now - int(0, 5) * 3_600_000 } : {}),
      span,
    });
  }

  // Capacity: everything fits now; clean regions have little room to spare, dirty ones more.
  const intensity = await staticIntensities(regions, now);
  const cpuUsed = new Map<string, number>();
  const memUsed = new Map<string, number>();
  for (const w of workloads) {
    cpuUsed.set(w.region, (cpuUsed.get(w.region) ?? 0) + w.cpu);
    memUsed.set(w.region, (memUsed.get(w.region) ?? 0) + w.memoryGib);
  }
  const total = workloads.reduce((a, w) => a + w.cpu, 0);
  const fleetYaml = [
    'regions:',
    ...regions.map((r) => {
      const clean = (intensity.get(r.name) as number) < 150;
      const cpu = Math.ceil((cpuUsed.get(r.name) ?? 0) + total * (clean ? 0.003 : 0.02) + 48);
      const mem = Math.max(cpu * 4, Math.ceil((memUsed.get(r.name) ?? 0) + 256));
      return `  - { name: ${r.name}, zone: ${r.zone}, country: ${r.country}, compliance: [${certs(r).join(', ')}], cluster: k-${r.name}, capacity: { cpu: ${cpu}, memory_gib: ${mem} } }`;
    }),
    'latency_ms:',
    ...regions.slice(0, -1).map(
      (a) =>
        `  ${a.name}: { ${regions
          .slice(a.i + 1)
          .map((b) => `${b.name}: ${latency(a, b)}`)
          .join(', ')} }`,
    ),
    `policy: { migration_budget: ${options.budget}, min_saving: 10%, cooldown: 6h }`,
  ].join('\n');
  const fleet = parseFleet(new SourceFile('generated-verify-fleet.yaml', fleetYaml), '/', (p) => p);
  if (!fleet.fleet)
    throw new Error(`generated fleet is invalid: ${fleet.diagnostics.map((d) => d.message).join('; ')}`);
  const intents = loadIntentSource(new SourceFile('generated-verify.intent', intentText.join('\n')));
  if (intents.diagnostics.some((d) => d.severity === 'error'))
    throw new Error(intents.diagnostics.map((d) => d.message).join('; '));
  const signals = freshSignals(regions, intensity, now);
  const pinnedTwo = services.filter((x) => x.targets.length === 2).length;
  return {
    snapshot: { fleet: fleet.fleet, intents: intents.intents, workloads, signals, now },
    regions: regions.length,
    workloads: workloads.length,
    criticalIntents: services.length,
    flexibleIntents: teams.length,
    criticalWorkloads,
    pinnedOne: services.length - pinnedTwo,
    pinnedTwo,
    assertions,
  };
}
