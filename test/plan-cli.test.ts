/** `shisa plan` through the built binary, on the example fleet with the embedded defaults. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** What these tests read of `shisa plan --json`. */
interface PlanJson {
  readonly carbon_source: string;
  readonly carbon: readonly unknown[];
  readonly moves: readonly {
    readonly workload: string;
    readonly from: string;
    readonly to: string;
    readonly saving_g_per_h: number;
  }[];
  readonly emissions_g_per_h: { readonly before: number; readonly after: number };
  readonly objective_g_per_h: number;
  readonly lower_bound_g_per_h: number;
  readonly baseline: { readonly greedy_after_g_per_h: number };
  readonly kept: readonly { readonly reason: string }[];
  readonly verification: {
    readonly proven: boolean;
    readonly applicable: boolean;
    readonly order: readonly (readonly string[])[];
    readonly counts: { readonly unprovable: number };
    readonly obligations: readonly { readonly check: string }[];
  };
}

const planJson = (text: string): PlanJson => JSON.parse(text) as PlanJson;

const shisa = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/shisa.js', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('shisa plan', () => {
  it('plans the example fleet offline: moves with savings, totals, bound and gap, reasons, timing', () => {
    const r = shisa('plan', '--config', 'regions/examples/fleet.yaml', '--at', '2026-11-22T12:00Z', '--no-record');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Plan for tokyo-fintech at 2026-11-22 12:00 UTC \(carbon: static, 14 of 16 zones fresh\)$/m,
    );
    expect(r.stdout).toMatch(/^Moves: 20 of a budget of 20$/m);
    expect(r.stdout).toMatch(/^ {2}\S+\/\S+ +region-\S+ +→ region-\S+ +−[\d.]+ gCO2eq\/h$/m);
    expect(r.stdout).toMatch(/^Emissions +[\d,.]+ → [\d,.]+ gCO2eq\/h \(−[\d.]+%\)/m);
    expect(r.stdout).toMatch(/^Bound +[\d,.]+ gCO2eq\/h; gap [\d.]+%/m);
    expect(r.stdout).toMatch(/^Kept +.*critical 52/m);
    expect(r.stdout).toMatch(/^Planned in [\d.]+ ms\. Nothing is applied/m);
    expect(r.stdout).toMatch(
      /^Proof +\d+ obligations proven in [\d.]+ s \(\d+ by Z3, \d+ by a checked placement, \d+ evaluated\): the intents are consistent and the plan is safe$/m,
    );
    expect(r.stdout).toMatch(/^Order +20 moves in \d+ batch(es)?; /m);
  });

  it('gives the plan as JSON, byte for byte the same for the same snapshot', () => {
    const a = shisa(
      'plan',
      '--config',
      'regions/examples/fleet.yaml',
      '--at',
      '2026-11-22T12:00Z',
      '--json',
      '--no-record',
    );
    const b = shisa(
      'plan',
      '--config',
      'regions/examples/fleet.yaml',
      '--at',
      '2026-11-22T12:00Z',
      '--json',
      '--no-record',
    );
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const p = planJson(a.stdout);
    expect(Object.keys(p)).toEqual([
      'at',
      'fleet',
      'carbon_source',
      'moves',
      'emissions_g_per_h',
      'objective_g_per_h',
      'lower_bound_g_per_h',
      'gap',
      'optimality',
      'baseline',
      'budget',
      'kept',
      'kept_by_reason',
      'carbon',
      'unknown_emissions',
      'verification',
    ]);
    expect(p.verification.proven).toBe(true);
    expect(p.verification.applicable).toBe(true);
    expect(p.verification.counts.unprovable).toBe(0);
    expect(p.verification.obligations.map((o) => o.check)).toContain('plan');
    // The safe order covers every move exactly once.
    expect(p.verification.order.flat().sort()).toEqual(p.moves.map((m) => m.workload).sort());
    expect(p.moves).toHaveLength(20);
    expect(Object.keys(p.moves[0] ?? {})).toEqual(['workload', 'from', 'to', 'saving_g_per_h']);
    const saved = p.moves.reduce((s, m) => s + m.saving_g_per_h, 0);
    expect(p.emissions_g_per_h.before - p.emissions_g_per_h.after).toBeCloseTo(saved, 2);
    expect(p.lower_bound_g_per_h).toBeLessThanOrEqual(p.objective_g_per_h);
    expect(p.emissions_g_per_h.after).toBeLessThanOrEqual(p.baseline.greedy_after_g_per_h);
    expect(p.kept.length + p.moves.length).toBe(248);
    expect(p.kept[0]).toHaveProperty('reason');
  });

  it('replays recorded carbon data at an hour', () => {
    const r = shisa(
      'plan',
      '--config',
      'regions/examples/fleet.yaml',
      '--carbon',
      'replay',
      '--at',
      '2022-06-01T12:00Z',
      '--json',
      '--no-record',
    );
    expect(r.code).toBe(0);
    const p = planJson(r.stdout);
    expect(p.carbon_source).toBe('replay');
    // The shipped traces cover two of the example's zones (ES, US-CAL-CISO); the other 14
    // are missing, and nothing moves into or out of them.
    expect(p.carbon).toHaveLength(14);
    for (const m of p.moves)
      expect(['region-madrid-01', 'region-losangeles-01']).toEqual(expect.arrayContaining([m.from, m.to]));
  });

  it('exits 2 on bad input', () => {
    expect(shisa('plan').code).toBe(2);
    expect(shisa('plan', '--config', 'nope.yaml').code).toBe(2);
    expect(shisa('plan', '--config', 'regions/examples/fleet.yaml', '--at', 'noon').code).toBe(2);
  });

  it('records each run in the embedded database, which shisa history lists and shows, with an intact audit log', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shisa-store-'));
    try {
      const data = ['--config', 'regions/examples/fleet.yaml', '--data-dir', dir];
      const first = shisa('plan', ...data, '--at', '2026-11-22T12:00Z');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^Recorded as run 1 in /m);
      const second = shisa('plan', ...data, '--at', '2026-11-22T13:00Z', '--json');
      expect(second.code).toBe(0);
      expect(second.stderr).toMatch(/^Recorded as run 2 in /m);
      expect(() => JSON.parse(second.stdout) as unknown).not.toThrow();
      const list = shisa('history', ...data, '--json');
      expect(list.code).toBe(0);
      const { runs } = JSON.parse(list.stdout) as { runs: readonly { id: number }[] };
      expect(runs.map((r) => r.id)).toEqual([2, 1]);
      expect(runs[1]).toMatchObject({
        trigger: 'manual',
        verdict: 'proven',
        status: 'planned',
        fleet: 'regions/examples/fleet.yaml',
        carbon_source: 'static',
      });
      const one = JSON.parse(shisa('history', '1', ...data, '--json').stdout) as { moves: unknown[]; kept: unknown[] };
      expect(one.moves).toHaveLength(20);
      expect(one.kept.length).toBeGreaterThan(200);
      expect(shisa('history', ...data).stdout).toMatch(/^ +1 +2026-11-22 12:00:00 +manual +proven +planned /m);
      const audit = shisa('audit', 'verify', ...data);
      expect(audit.code).toBe(0);
      // Per run: its own entry and one per decision about a workload of an audited intent
      // (compliance { audit: true } in batch.intent and data-platform.intent: 30 decisions).
      expect(audit.stdout).toMatch(/^Audit log intact: 62 entries/m);
      expect(shisa('history', '9', ...data).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
