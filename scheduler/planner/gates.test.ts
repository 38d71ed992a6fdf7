/**
 * The planner's safety gates, each pinned by a snapshot in which that gate is the ONLY thing
 * keeping a workload from moving: every scenario has a control twin that differs in the one
 * fact the gate looks at, and the twin does move. Remove the gate and the scenario moves like
 * its twin, so the test fails (docs/safety-gates.md lists the gates; `npm run mutate` checks
 * that removing or weakening any of them fails a test here).
 *
 * Snapshots go through the real fleet, intent and inventory parsers and the real planner;
 * carbon signals are written as the planner receives them (fresh, stale or missing per zone),
 * or judged by the real staleness rule where its boundary is the point.
 */
import { describe, expect, it } from 'vitest';
import { CarbonError, fail, ok } from '../../regions/carbon/carbon-error.js';
import type { CarbonReading } from '../../regions/carbon/reading.js';
import { assess, type ZoneSignal } from '../../regions/carbon/staleness.js';
import { parseFleet } from '../../regions/fleet/parse-fleet.js';
import { SourceFile } from '../diagnostics/source-file.js';
import { loadIntentSource } from '../intent/index.js';
import { parseInventory } from '../inventory/parse-inventory.js';
import { WORKLOAD_FILTERS } from './filters.js';
import { plan, type Plan } from './plan.js';
import type { PlacementProblem } from './problem.js';
import { violation } from './problem.js';
import { buildPromiseModel } from '../promises/build-model.js';
import type { Snapshot } from './snapshot.js';

const NOW = Date.UTC(2026, 10, 22, 12);
const HOUR = 3_600_000;

type Signal =
  | { readonly status: 'fresh' | 'stale'; readonly intensity: number }
  | { readonly status: 'missing'; readonly intensity?: number }
  | undefined;

interface RegionSpec {
  readonly name: string;
  readonly zone: string;
  readonly cpu?: number;
  readonly memoryGib?: number;
}

interface Scenario {
  readonly regions: readonly RegionSpec[];
  /** The fleet's `policy:` mapping, as YAML flow content. */
  readonly policy?: string;
  readonly intents: string;
  /** Inventory entries, as YAML flow mappings. */
  readonly workloads: readonly string[];
  /** Per zone; a zone left out has no signal at all (missing). */
  readonly signals: Readonly<Record<string, Signal>>;
  /** Round-trip ms between every two regions (default 10: latency decides nothing). */
  readonly latencyMs?: number;
}

function reading(zone: string, intensity: number, datetime = NOW): CarbonReading {
  return {
    zone,
    intensity,
    datetime,
    isEstimated: false,
    emissionFactor: 'lifecycle',
    source: 'replay',
    granularity: 'hour',
  };
}

function signalFor(zone: string, s: Signal): ZoneSignal | undefined {
  if (!s) return undefined;
  if (s.status === 'fresh') return { zone, status: 'fresh', reading: reading(zone, s.intensity), ageMs: 0 };
  if (s.status === 'stale')
    return {
      zone,
      status: 'stale',
      reading: reading(zone, s.intensity, NOW - 5 * HOUR),
      ageMs: 5 * HOUR,
      problem: { code: 'CARBON_STALE', message: 'old' },
    };
  // A missing zone never carries a reading out of `assess`; one written with a reading here
  // checks that the planner trusts the status, not the presence of a number.
  return {
    zone,
    status: 'missing',
    ...(s.intensity !== undefined ? { reading: reading(zone, s.intensity) } : {}),
    problem: { code: 'CARBON_UNAVAILABLE', message: 'no answer' },
  };
}

function snapshot(s: Scenario, signals?: ReadonlyMap<string, ZoneSignal>): Snapshot {
  const names = s.regions.map((r) => r.name);
  const fleetYaml = [
    'version: 1',
    'regions:',
    ...s.regions.map(
      (r) =>
        `  - { name: ${r.name}, zone: ${r.zone}, country: JP, cluster: c-${r.name}, capacity: { cpu: ${r.cpu ?? 100}, memory_gib: ${r.memoryGib ?? 1000} } }`,
    ),
    'latency_ms:',
    ...names.flatMap((a, i) =>
      i < names.length - 1
        ? [
            `  ${a}: { ${names
              .slice(i + 1)
              .map((b) => `${b}: ${s.latencyMs ?? 10}`)
              .join(', ')} }`,
          ]
        : [],
    ),
    `policy: { ${s.policy ?? 'migration_budget: 10, min_saving: 0%, cooldown: 0ms'} }`,
  ].join('\n');
  const parsed = parseFleet(new SourceFile('fleet.yaml', fleetYaml), '/', (p) => p);
  if (!parsed.fleet) throw new Error(`bad fleet: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
  const intents = loadIntentSource(new SourceFile('gates.intent', s.intents));
  if (intents.diagnostics.some((d) => d.severity === 'error'))
    throw new Error(`bad intents: ${intents.diagnostics.map((d) => d.message).join('; ')}`);
  const inv = parseInventory(
    new SourceFile('inventory.yaml', ['workloads:', ...s.workloads.map((w) => `  - ${w}`)].join('\n')),
  );
  if (!inv.workloads) throw new Error(`bad inventory: ${inv.diagnostics.map((d) => d.message).join('; ')}`);
  const zones = new Map<string, ZoneSignal>();
  for (const [zone, sig] of Object.entries(s.signals)) {
    const z = signalFor(zone, sig);
    if (z) zones.set(zone, z);
  }
  return {
    fleet: parsed.fleet,
    intents: intents.intents,
    workloads: inv.workloads,
    signals: signals ?? zones,
    now: NOW,
  };
}

const movesOf = (p: Plan) => p.moves.map((m) => `${m.workload}: ${m.from} → ${m.to}`);
const keptOf = (p: Plan, workload: string) => p.kept.find((k) => k.workload === workload);

const FLEXIBLE = 'intent "batch" {\n  workloads("batch/*")\n  placement(flexible)\n}\n';
const DIRTY = { name: 'region-dirty', zone: 'JP-TK' } as const;
const CLEAN = { name: 'region-clean', zone: 'SE-SE1' } as const;
/** One flexible workload in a dirty region, a clean region with room, budget, no hysteresis. */
const BASE: Scenario = {
  regions: [DIRTY, CLEAN],
  intents: FLEXIBLE,
  workloads: ['{ name: batch/job, region: region-dirty, cpu: 4, memory_gib: 8 }'],
  signals: { 'JP-TK': { status: 'fresh', intensity: 500 }, 'SE-SE1': { status: 'fresh', intensity: 100 } },
};
const MOVES = ['batch/job: region-dirty → region-clean'];

describe('the control: with every gate open, the workload moves', () => {
  it('moves a flexible workload from the dirty region to the clean one', () => {
    const p = plan(snapshot(BASE));
    expect(movesOf(p)).toEqual(MOVES);
    expect(p.kept).toEqual([]);
  });
});

describe('gate: critical workloads, and workloads no intent covers, never move', () => {
  it('keeps a critical workload in place although a clean region has room and budget', () => {
    const p = plan(snapshot({ ...BASE, intents: FLEXIBLE.replace('flexible', 'critical') }));
    expect(movesOf(p)).toEqual([]);
    // Critical workloads are not analysed at all: they are counted, never explained as flexible.
    expect(p.keptByReason).toEqual({ critical: 1 });
    expect(p.kept).toEqual([]);
  });

  it('keeps a workload no intent covers in place (nothing moves without a promise that allows it)', () => {
    const p = plan(
      snapshot({ ...BASE, intents: 'intent "other" {\n  workloads("other/*")\n  placement(flexible)\n}\n' }),
    );
    expect(movesOf(p)).toEqual([]);
    expect(p.keptByReason).toEqual({ critical: 1 });
  });

  it('keeps a workload covered by a flexible and a critical intent in place: critical wins', () => {
    const p = plan(
      snapshot({
        ...BASE,
        intents: FLEXIBLE + 'intent "pinned" {\n  workloads("batch/job")\n  placement(critical)\n}\n',
      }),
    );
    expect(movesOf(p)).toEqual([]);
    expect(p.keptByReason).toEqual({ critical: 1 });
  });

  it('moves a workload covered by two flexible intents (the twin of the case above)', () => {
    expect(
      movesOf(
        plan(
          snapshot({
            ...BASE,
            intents: FLEXIBLE + 'intent "also" {\n  workloads("batch/job")\n  placement(flexible)\n}\n',
          }),
        ),
      ),
    ).toEqual(MOVES);
  });

  // The planner only analyses flexible workloads, so its `critical` workload filter is a
  // second line behind that: it must still refuse a critical one if it is ever asked.
  it('the critical workload filter itself refuses critical and uncovered workloads, and passes flexible ones', () => {
    const critical = WORKLOAD_FILTERS.find((f) => f.name === 'critical');
    if (!critical) throw new Error('no critical filter');
    const s = snapshot({
      ...BASE,
      intents:
        'intent "a" {\n  workloads("batch/*")\n  placement(critical)\n}\nintent "b" {\n  workloads("batch/*")\n  placement(flexible)\n}\n',
    });
    const w = s.workloads[0]!;
    const ctx = {
      now: NOW,
      cooldownMs: 0,
      held: () => undefined,
      unavailable: () => undefined,
      fresh: () => true,
      intensity: () => 1,
      latency: () => 1,
      fixedNeighbours: () => [],
    };
    const terms = (intents: typeof s.intents) => buildPromiseModel(s.fleet, intents, s.workloads).terms[0]!;
    expect(critical.reject({ workload: w, index: 0, terms: terms(s.intents) }, ctx)).toBe('critical under a, b');
    expect(critical.reject({ workload: w, index: 0, terms: terms([]) }, ctx)).toBe('covered by no intent');
    expect(critical.reject({ workload: w, index: 0, terms: terms(s.intents.slice(1)) }, ctx)).toBeUndefined();
  });
});

describe('gate: cooldown — a moved workload stays put at least policy.cooldown', () => {
  const cooling = (lastMoved: number, cooldown = '6h'): Plan =>
    plan(
      snapshot({
        ...BASE,
        policy: `migration_budget: 10, min_saving: 0%, cooldown: ${cooldown}`,
        workloads: [
          `{ name: batch/job, region: region-dirty, cpu: 4, memory_gib: 8, last_moved: "${new Date(lastMoved).toISOString()}" }`,
        ],
      }),
    );

  it('keeps a workload moved 1 ms less than the cooldown ago', () => {
    const p = cooling(NOW - 6 * HOUR + 1);
    expect(movesOf(p)).toEqual([]);
    expect(keptOf(p, 'batch/job')).toMatchObject({
      reason: 'cooldown',
      detail: 'moved at 2026-11-22T06:00:00.001Z, cooling down until 2026-11-22T12:00:00.001Z',
    });
  });

  it('keeps a workload moved just now', () => {
    expect(keptOf(cooling(NOW), 'batch/job')?.reason).toBe('cooldown');
  });

  it('lets it move exactly when the cooldown ends (the boundary: stays for [moved, moved + cooldown))', () => {
    expect(movesOf(cooling(NOW - 6 * HOUR))).toEqual(MOVES);
  });

  it('with cooldown 0 a workload moved in this very instant may move again', () => {
    expect(movesOf(cooling(NOW, '0ms'))).toEqual(MOVES);
  });
});

describe('gate: what the clusters say stays (held) never moves', () => {
  const held = (why: ReadonlyMap<string, string> | undefined): Plan =>
    plan({ ...snapshot(BASE), ...(why ? { held: why } : {}) });

  it('keeps a held workload in place although a clean region has room and budget, and says why', () => {
    const p = held(new Map([['batch/job', 'a StatefulSet: shisa never moves this kind']]));
    expect(movesOf(p)).toEqual([]);
    expect(keptOf(p, 'batch/job')).toMatchObject({
      reason: 'held',
      detail: 'a StatefulSet: shisa never moves this kind',
    });
  });

  it('its twin, held for another workload only (or with no held map), moves', () => {
    expect(movesOf(held(new Map([['batch/other', 'duplicate']])))).toEqual(MOVES);
    expect(movesOf(held(undefined))).toEqual(MOVES);
  });
});

describe('gate: nothing moves into a region whose cluster could not be read', () => {
  const unknown = (regions: ReadonlyMap<string, string>): Plan => plan({ ...snapshot(BASE), unavailable: regions });

  it('into an unknown region: it is the only clean one, yet nothing goes there', () => {
    const p = unknown(new Map([['region-clean', 'cluster c-region-clean could not be read: connection refused']]));
    expect(movesOf(p)).toEqual([]);
    expect(keptOf(p, 'batch/job')).toMatchObject({
      reason: 'region-unknown',
      detail: 'region-clean: cluster c-region-clean could not be read: connection refused',
    });
  });

  it('out of an unknown region: the workload stays', () => {
    const p = unknown(new Map([['region-dirty', 'cluster c-region-dirty could not be read: 401']]));
    expect(movesOf(p)).toEqual([]);
    expect(keptOf(p, 'batch/job')).toMatchObject({
      reason: 'region-unknown',
      detail: 'its region region-dirty is unknown: cluster c-region-dirty could not be read: 401',
    });
  });

  it('its twin, with another region unknown, moves', () => {
    expect(movesOf(unknown(new Map([['region-elsewhere', 'down']])))).toEqual(MOVES);
  });
});

describe('gate: nothing moves into or out of a stale or missing carbon zone', () => {
  const withSignals = (signals: Scenario['signals']) => plan(snapshot({ ...BASE, signals }));

  it('out of a stale zone: its (old) reading says dirty, yet the workload stays', () => {
    const p = withSignals({
      'JP-TK': { status: 'stale', intensity: 500 },
      'SE-SE1': { status: 'fresh', intensity: 100 },
    });
    expect(movesOf(p)).toEqual([]);
    expect(keptOf(p, 'batch/job')).toMatchObject({
      reason: 'carbon-data-here',
      detail: 'no fresh carbon reading for its current region region-dirty',
    });
  });

  it('out of a missing zone (no signal): the workload stays, for want of fresh data', () => {
    const p = withSignals({ 'SE-SE1': { status: 'fresh', intensity: 100 } });
    expect(movesOf(p)).toEqual([]);
    expect(keptOf(p, 'batch/job')).toMatchObject({
      reason: 'carbon-data-here',
      detail: 'no fresh carbon reading for its current region region-dirty',
    });
  });

  it('out of a zone marked missing even if a number came with it', () => {
    const p = withSignals({
      'JP-TK': { status: 'missing', intensity: 500 },
      'SE-SE1': { status: 'fresh', intensity: 100 },
    });
    expect(movesOf(p)).toEqual([]);
    expect(keptOf(p, 'batch/job')?.reason).toBe('carbon-data-here');
  });

  it('into a stale zone: its (old) reading says clean, yet nothing goes there', () => {
    const p = withSignals({
      'JP-TK': { status: 'fresh', intensity: 500 },
      'SE-SE1': { status: 'stale', intensity: 100 },
    });
    expect(movesOf(p)).toEqual([]);
    const kept = keptOf(p, 'batch/job');
    expect(kept).toMatchObject({ reason: 'carbon-data', detail: 'region-clean: no fresh carbon reading for SE-SE1' });
    expect(kept?.cleaner).toEqual([
      { region: 'region-clean', reason: 'carbon-data', detail: 'no fresh carbon reading for SE-SE1' },
    ]);
  });

  it('into a zone marked missing even if a number came with it', () => {
    const p = withSignals({
      'JP-TK': { status: 'fresh', intensity: 500 },
      'SE-SE1': { status: 'missing', intensity: 100 },
    });
    expect(movesOf(p)).toEqual([]);
    expect(keptOf(p, 'batch/job')?.reason).toBe('carbon-data');
  });

  it('into a missing zone (no signal): it is not even a candidate', () => {
    const p = withSignals({ 'JP-TK': { status: 'fresh', intensity: 500 } });
    expect(movesOf(p)).toEqual([]);
    expect(keptOf(p, 'batch/job')).toMatchObject({ reason: 'already-greenest', cleaner: [] });
  });

  it('moves to the next fresh region when the cleanest is stale', () => {
    const MID = { name: 'region-mid', zone: 'FR' };
    const p = plan(
      snapshot({
        ...BASE,
        regions: [DIRTY, CLEAN, MID],
        signals: {
          'JP-TK': { status: 'fresh', intensity: 500 },
          'SE-SE1': { status: 'stale', intensity: 100 },
          FR: { status: 'fresh', intensity: 300 },
        },
      }),
    );
    expect(movesOf(p)).toEqual(['batch/job: region-dirty → region-mid']);
  });

  // The staleness rule decides which zones are fresh; judged here by the real `assess`.
  describe('through the staleness rule (carbon.max_staleness 2h)', () => {
    const judged = (ageMs: number) =>
      new Map<string, ZoneSignal>([
        ['JP-TK', assess('JP-TK', ok(reading('JP-TK', 500)), NOW, 2 * HOUR)],
        ['SE-SE1', assess('SE-SE1', ok(reading('SE-SE1', 100, NOW - ageMs)), NOW, 2 * HOUR)],
      ]);

    it('a target reading exactly max_staleness old is still fresh: the workload moves', () => {
      expect(movesOf(plan(snapshot(BASE, judged(2 * HOUR))))).toEqual(MOVES);
    });

    it('1 ms older it is stale: nothing moves into it', () => {
      const p = plan(snapshot(BASE, judged(2 * HOUR + 1)));
      expect(movesOf(p)).toEqual([]);
      expect(keptOf(p, 'batch/job')?.reason).toBe('carbon-data');
    });

    it('a reading exactly max_staleness old where the workload runs still lets it move out; 1 ms older it stays', () => {
      const here = (ageMs: number) =>
        new Map<string, ZoneSignal>([
          ['JP-TK', assess('JP-TK', ok(reading('JP-TK', 500, NOW - ageMs)), NOW, 2 * HOUR)],
          ['SE-SE1', assess('SE-SE1', ok(reading('SE-SE1', 100)), NOW, 2 * HOUR)],
        ]);
      expect(movesOf(plan(snapshot(BASE, here(2 * HOUR))))).toEqual(MOVES);
      expect(keptOf(plan(snapshot(BASE, here(2 * HOUR + 1))), 'batch/job')?.reason).toBe('carbon-data-here');
    });

    it('a source that failed for the target zone makes it missing: nothing moves into it', () => {
      const signals = new Map<string, ZoneSignal>([
        ['JP-TK', assess('JP-TK', ok(reading('JP-TK', 500)), NOW, 2 * HOUR)],
        ['SE-SE1', assess('SE-SE1', fail(new CarbonError('CARBON_TIMEOUT', 'timed out', 'SE-SE1')), NOW, 2 * HOUR)],
      ]);
      expect(signals.get('SE-SE1')?.status).toBe('missing');
      expect(movesOf(plan(snapshot(BASE, signals)))).toEqual([]);
    });

    it('an implausible reading (above 2,500 gCO2eq/kWh) makes its zone missing: nothing moves out of it', () => {
      const signals = new Map<string, ZoneSignal>([
        ['JP-TK', assess('JP-TK', ok(reading('JP-TK', 2_600)), NOW, 2 * HOUR)],
        ['SE-SE1', assess('SE-SE1', ok(reading('SE-SE1', 100)), NOW, 2 * HOUR)],
      ]);
      expect(signals.get('JP-TK')?.status).toBe('missing');
      const p = plan(snapshot(BASE, signals));
      expect(movesOf(p)).toEqual([]);
      expect(keptOf(p, 'batch/job')?.reason).toBe('carbon-data-here');
    });
  });
});

describe('gate: the migration budget — at most policy.migration_budget moves per run', () => {
  const three: Scenario = {
    ...BASE,
    workloads: [
      '{ name: batch/big, region: region-dirty, cpu: 8, memory_gib: 8 }',
      '{ name: batch/mid, region: region-dirty, cpu: 4, memory_gib: 8 }',
      '{ name: batch/small, region: region-dirty, cpu: 2, memory_gib: 8 }',
    ],
  };
  const withBudget = (n: number) =>
    plan(snapshot({ ...three, policy: `migration_budget: ${n}, min_saving: 0%, cooldown: 0ms` }));

  it('with budget 2, three profitable moves: the two that save most are made, the third waits for budget', () => {
    const p = withBudget(2);
    expect(movesOf(p)).toEqual(['batch/big: region-dirty → region-clean', 'batch/mid: region-dirty → region-clean']);
    expect(keptOf(p, 'batch/small')).toMatchObject({
      reason: 'budget',
      detail: 'region-clean: the migration budget of this run is spent on moves that save more',
    });
  });

  it('with budget 3 all three move (the twin)', () => {
    expect(withBudget(3).moves).toHaveLength(3);
  });

  it('with budget 0 nothing moves', () => {
    const p = withBudget(0);
    expect(p.moves).toEqual([]);
    expect(p.keptByReason).toEqual({ budget: 3 });
  });
});

describe('gate: capacity — no region ends up over its cpu or memory', () => {
  const two = (clean: RegionSpec, extra: readonly string[] = []): Plan =>
    plan(
      snapshot({
        ...BASE,
        regions: [DIRTY, clean],
        workloads: [
          '{ name: batch/a, region: region-dirty, cpu: 8, memory_gib: 8 }',
          '{ name: batch/b, region: region-dirty, cpu: 4, memory_gib: 4 }',
          ...extra,
        ],
      }),
    );

  it('a region with cpu room for exactly one of two: the one that saves more goes, the other stays for capacity', () => {
    const p = two({ ...CLEAN, cpu: 8 });
    expect(movesOf(p)).toEqual(['batch/a: region-dirty → region-clean']);
    expect(keptOf(p, 'batch/b')?.reason).toBe('capacity');
  });

  it('memory binds like cpu', () => {
    const p = two({ ...CLEAN, memoryGib: 8 });
    expect(movesOf(p)).toEqual(['batch/a: region-dirty → region-clean']);
    expect(keptOf(p, 'batch/b')?.reason).toBe('capacity');
  });

  it('room for both (the twin): both go', () => {
    expect(two({ ...CLEAN, cpu: 12, memoryGib: 12 }).moves).toHaveLength(2);
  });

  it('what cannot move takes its room first: a critical workload already there leaves room for one', () => {
    const p = two({ ...CLEAN, cpu: 16 }, ['{ name: keep/db, region: region-clean, cpu: 8, memory_gib: 8 }']);
    expect(movesOf(p)).toEqual(['batch/a: region-dirty → region-clean']);
    // The objective counts what cannot move too (fleet totals), so it is the emissions after.
    expect(p.objective).toBeCloseTo(p.emissions.after, 9);
  });

  it('…and its memory too', () => {
    const p = two({ ...CLEAN, memoryGib: 16 }, ['{ name: keep/db, region: region-clean, cpu: 1, memory_gib: 8 }']);
    expect(movesOf(p)).toEqual(['batch/a: region-dirty → region-clean']);
    expect(keptOf(p, 'batch/b')?.reason).toBe('capacity');
  });

  it('a region already over capacity does not grow', () => {
    const p = two({ ...CLEAN, cpu: 8 }, ['{ name: keep/db, region: region-clean, cpu: 12, memory_gib: 8 }']);
    expect(movesOf(p)).toEqual([]);
    expect(keptOf(p, 'batch/b')?.reason).toBe('capacity');
  });

  it('a movable workload in a region already over capacity may stay where it is', () => {
    const MID = { name: 'region-mid', zone: 'FR', cpu: 4 };
    // batch/a (8 cpu) runs in region-mid (4 cpu): over capacity. The only cleaner region has
    // no room for it, so it stays; a plan that counted its own place against it would have
    // no feasible placement at all.
    const p = plan(
      snapshot({
        ...BASE,
        regions: [DIRTY, { ...CLEAN, cpu: 1 }, MID],
        workloads: ['{ name: batch/a, region: region-mid, cpu: 8, memory_gib: 8 }'],
        signals: { ...BASE.signals, FR: { status: 'fresh', intensity: 300 } },
      }),
    );
    expect(movesOf(p)).toEqual([]);
    expect(keptOf(p, 'batch/a')?.reason).toBe('capacity');
  });

  it('…over memory capacity likewise', () => {
    const MID = { name: 'region-mid', zone: 'FR', memoryGib: 4 };
    const p = plan(
      snapshot({
        ...BASE,
        regions: [DIRTY, { ...CLEAN, memoryGib: 1 }, MID],
        workloads: ['{ name: batch/a, region: region-mid, cpu: 1, memory_gib: 8 }'],
        signals: { ...BASE.signals, FR: { status: 'fresh', intensity: 300 } },
      }),
    );
    expect(movesOf(p)).toEqual([]);
    expect(keptOf(p, 'batch/a')?.reason).toBe('capacity');
  });
});

describe('gate: hysteresis — a move must save at least min_saving (`not-worth-it`)', () => {
  const saving = (there: number, policy: string, intents = FLEXIBLE) =>
    plan(
      snapshot({
        ...BASE,
        policy,
        intents,
        signals: { 'JP-TK': { status: 'fresh', intensity: 400 }, 'SE-SE1': { status: 'fresh', intensity: there } },
      }),
    );
  const POLICY_25 = 'migration_budget: 10, min_saving: 25%, cooldown: 0ms';
  const POLICY_0 = 'migration_budget: 10, min_saving: 0%, cooldown: 0ms';

  it('a move saving exactly the fleet minimum (400 → 300 gCO2eq/kWh is 25%) is made', () => {
    expect(movesOf(saving(300, POLICY_25))).toEqual(MOVES);
  });

  it('one saving just under it (400 → 301 is 24.75%) is not worth it', () => {
    const p = saving(301, POLICY_25);
    expect(movesOf(p)).toEqual([]);
    expect(keptOf(p, 'batch/job')).toMatchObject({
      reason: 'not-worth-it',
      detail: 'region-clean: saves 24.8%, less than the 25% minimum',
    });
  });

  it("an intent's min_saving replaces the fleet's for its workloads, stricter…", () => {
    const intents = FLEXIBLE.replace(
      'placement(flexible)',
      'placement(flexible)\n  constraint carbon { min_saving: 25% }',
    );
    expect(keptOf(saving(301, POLICY_0, intents), 'batch/job')?.reason).toBe('not-worth-it');
    expect(movesOf(saving(300, POLICY_0, intents))).toEqual(MOVES);
  });

  it('…or looser (docs/intent-language.md: it replaces the fleet-wide one for them)', () => {
    const intents = FLEXIBLE.replace(
      'placement(flexible)',
      'placement(flexible)\n  constraint carbon { min_saving: 10% }',
    );
    expect(movesOf(saving(301, POLICY_25, intents))).toEqual(MOVES);
  });

  it('with two intents setting it, the highest applies', () => {
    const intents =
      FLEXIBLE.replace('placement(flexible)', 'placement(flexible)\n  constraint carbon { min_saving: 10% }') +
      'intent "strict" {\n  workloads("batch/job")\n  placement(flexible)\n  constraint carbon { min_saving: 25% }\n}\n';
    expect(keptOf(saving(301, POLICY_0, intents), 'batch/job')?.reason).toBe('not-worth-it');
  });

  it('a workload in a zone at 0 gCO2eq/kWh has nothing cleaner to go to', () => {
    const q = plan(
      snapshot({
        ...BASE,
        signals: { 'JP-TK': { status: 'fresh', intensity: 0 }, 'SE-SE1': { status: 'fresh', intensity: 0 } },
      }),
    );
    expect(movesOf(q)).toEqual([]);
    expect(keptOf(q, 'batch/job')).toMatchObject({ reason: 'already-greenest', cleaner: [] });
  });

  it('with min_saving 0, a region exactly as clean is no move at all (every allowed region is strictly greener)', () => {
    const p = saving(400, POLICY_0);
    expect(movesOf(p)).toEqual([]);
    expect(keptOf(p, 'batch/job')).toMatchObject({ reason: 'already-greenest', cleaner: [] });
  });
});

describe('every filter verdict reaches the solver', () => {
  // batch/a is flexible but pinned where it runs, so it has no region it may use: it stays,
  // and it is fixed for the solver. batch/b must stay within 20 ms of it, and the clean region
  // is 50 ms away: the filters rule that region out for b, judged against where a stays.
  it('a workload with no region it may use is fixed, and its dependants are judged against where it stays', () => {
    const p = plan(
      snapshot({
        ...BASE,
        latencyMs: 50,
        intents:
          'intent "pinned" {\n  workloads("batch/a")\n  placement(flexible)\n  target nodes("region-dirty") {}\n}\n' +
          'intent "near" {\n  workloads("batch/b")\n  placement(flexible)\n  constraint network_latency { max: 20ms, to: "batch/a" }\n}\n',
        workloads: [
          '{ name: batch/a, region: region-dirty, cpu: 4, memory_gib: 8 }',
          '{ name: batch/b, region: region-dirty, cpu: 4, memory_gib: 8 }',
        ],
      }),
    );
    expect(movesOf(p)).toEqual([]);
    expect(keptOf(p, 'batch/a')?.reason).toBe('target');
    expect(keptOf(p, 'batch/b')).toMatchObject({
      reason: 'latency',
      detail: 'region-clean: batch/a in region-dirty would be 50 ms away (max 20)',
    });
  });
});

/**
 * `violation` is the last guard of every hard constraint: `solve` checks the final placement
 * with it and throws rather than return a plan that breaks one. A hand-made problem and
 * placements that break exactly one constraint each.
 */
describe('the last guard: violation() finds every broken hard constraint', () => {
  const problem: PlacementProblem = {
    regions: [
      { name: 'r0', cpu: 10, memoryGib: 10, intensity: 500 },
      { name: 'r1', cpu: 4, memoryGib: 4, intensity: 100 },
      { name: 'r2', cpu: 100, memoryGib: 100, intensity: 100 },
    ],
    movers: [
      {
        name: 'a',
        current: 0,
        cpu: 2,
        memoryGib: 2,
        allowed: Int32Array.from([0, 1, 2]),
        cost: Float64Array.from([5, 1, 1]),
      },
      {
        name: 'b',
        current: 0,
        cpu: 2,
        memoryGib: 2,
        allowed: Int32Array.from([0, 1, 2]),
        cost: Float64Array.from([5, 1, 1]),
      },
      {
        name: 'c',
        current: 0,
        cpu: 1,
        memoryGib: 3,
        allowed: Int32Array.from([0, 1]),
        cost: Float64Array.from([5, 1]),
      },
    ],
    budget: 2,
    // a and b depend on each other: at most 20 ms apart. r0–r1 exactly 20 ms, r0–r2 30 ms, r1–r2 unreachable.
    pairs: [{ a: 0, b: 1, maxMs: 20 }],
    latency: (x, y) => (x === y ? 0 : x + y === 1 ? 20 : x + y === 2 ? 30 : undefined),
    fixedEmissions: 0,
  };
  const at = (...r: number[]) => violation(problem, Int32Array.from(r));

  it('accepts a placement that fills a region exactly (cpu and memory) and spends exactly the budget', () => {
    expect(at(1, 1, 0)).toBeUndefined();
  });
  it('allows for rounding: a region overfilled by at most 1e-9 (sums of fractional cores) is full, not over', () => {
    const tight: PlacementProblem = {
      ...problem,
      movers: problem.movers.map((m, i) => (i === 0 ? { ...m, cpu: 4 + 1e-9, memoryGib: 4 + 1e-9 } : m)),
    };
    expect(violation(tight, Int32Array.from([1, 0, 0]))).toBeUndefined();
    const over: PlacementProblem = {
      ...problem,
      movers: problem.movers.map((m, i) => (i === 0 ? { ...m, cpu: 4 + 1e-8 } : m)),
    };
    expect(violation(over, Int32Array.from([1, 0, 0]))).toMatch(/^r1 over cpu capacity/);
  });
  it('refuses one move over the budget', () => {
    expect(at(2, 2, 1)).toBe('3 moves, budget 2');
  });
  it('refuses a region over cpu', () => {
    expect(violation({ ...problem, budget: 3 }, Int32Array.from([1, 1, 1]))).toBe('r1 over cpu capacity (5 > 4)');
  });
  it('refuses a region over memory (and only memory)', () => {
    expect(at(1, 0, 1)).toBe('r1 over memory capacity (5 > 4)');
  });
  it('refuses a region the mover may not use', () => {
    expect(at(0, 0, 2)).toBe('c placed in a region it may not use (r2)');
  });
  it('refuses a dependent pair too far apart, or unreachable', () => {
    expect(at(0, 1, 0)).toBeUndefined(); // exactly the bound
    expect(at(0, 2, 0)).toBe('a and b end up 30 ms apart (max 20)');
    expect(at(1, 2, 0)).toBe('a and b end up unreachable ms apart (max 20)');
  });
});
