/**
 * A library of contradictory fleets, each in fixtures/<name>/, and what `shisa verify` says
 * about them: exit 3, an Unprovable State whose core names exactly the constraints that
 * conflict (file:line:col and text), the whole report as a golden file (golden/<name>.txt,
 * timings masked) and the JSON form (golden/<name>.json, `ms` fields zeroed).
 *
 * The CLI runs in-process, one fixture at a time (the process has one Z3 context, which each
 * run shuts down at its end). To rewrite the goldens after a deliberate change:
 * `npx vitest run test/verify -u`, then read every changed golden and check its cores by hand.
 *
 * Some fixtures were written to show verifier bugs, since fixed; they stay as regressions
 * (`regression` says what was wrong). One fleet is consistent and must be proven (exit 0).
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../scheduler/cli/main.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

interface Case {
  readonly name: string;
  /** What the fixture shows. */
  readonly about: string;
  /** The one obligation that is unprovable. */
  readonly obligation: string;
  /** Its core, as `path-in-fixture:line:col  text`, in report order (file, line, col). */
  readonly core: readonly string[];
  /** A verifier bug this fixture once showed (now fixed). */
  readonly regression?: string;
}

const JOINT = 'all intents are jointly satisfiable';

const CASES: readonly Case[] = [
  {
    name: 'tokyo-db-eu-residency',
    about: 'within 10 ms of a database pinned to Tokyo, and resident in the EU',
    obligation: JOINT,
    core: [
      'intents/orders-db.intent:4:10  intent "orders-db": target nodes(region-tokyo-01)',
      'intents/shop-api.intent:4:3  intent "shop-api": network_latency max 10 ms to data/orders-db',
      'intents/shop-api.intent:5:3  intent "shop-api": residency allow DE, FR, IE, NL',
    ],
  },
  {
    name: 'tokyo-db-eu-residency-inventory-dep',
    about: 'the same, with the dependency also listed in the inventory',
    obligation: JOINT,
    core: [
      'intents/orders-db.intent:4:10  intent "orders-db": target nodes(region-tokyo-01)',
      'intents/shop-api.intent:4:3  intent "shop-api": network_latency max 10 ms to data/orders-db',
      'intents/shop-api.intent:5:3  intent "shop-api": residency allow DE, FR, IE, NL',
    ],
    regression: "the inventory depends_on was in the core, though the bound's `to` declares the dependency by itself",
  },
  {
    name: 'over-pinned-region',
    about: 'two critical intents pin 40 cpu to a 32-cpu region',
    obligation: JOINT,
    core: [
      'fleet.yaml:5:11  region-tokyo-01 capacity 32 cpu, 256 GiB',
      'intents/payments.intent:3:10  intent "payments-ledger": target nodes(region-tokyo-01)',
      'intents/risk.intent:3:10  intent "risk-engine": target nodes(region-tokyo-01)',
    ],
    regression:
      'region-loss warnings named the capacity of the lost region (still counting what ran there) instead of its loss',
  },
  {
    name: 'dependency-cycle',
    about: 'a → b (inventory) → c (intent depends_on) → a (inventory), and an assertion of no cycles',
    obligation: 'intent "mesh-a": assert!(!has_cyclic_dependencies(current_mesh))',
    core: [
      'intents/mesh.intent:3:5  intent "mesh-a": assert!(!has_cyclic_dependencies(current_mesh))',
      'intents/mesh.intent:8:14  intent "mesh-b": depends_on("mesh/c")',
      'inventory.yaml:2:98  mesh/a depends on mesh/b',
      'inventory.yaml:4:98  mesh/c depends on mesh/a',
    ],
  },
  {
    name: 'target-lacks-compliance',
    about: 'an intent pins its workloads to a region without the certification it requires',
    obligation: JOINT,
    core: [
      'intents/card-vault.intent:5:3  intent "card-vault": compliance PCI-DSS-4',
      'intents/card-vault.intent:6:10  intent "card-vault": target nodes(region-osaka-01)',
    ],
  },
  {
    name: 'critical-runs-without-compliance',
    about: "a critical intent requires a certification its workload's current region lacks",
    obligation: 'critical intent "payments-ledger" holds where it runs',
    core: [
      'intents/payments.intent:3:3  intent "payments-ledger": compliance FISC-2025',
      'inventory.yaml:3:13  payments/ledger-writer runs in region-osaka-01',
    ],
    regression:
      'the region-loss warning named the violation that exists now, not the loss (the lost region was deleted from the core first)',
  },
  {
    name: 'critical-shared-workload',
    about:
      'a critical workload breaks a flexible intent that also covers it; two critical intents, so they are asked alone',
    obligation: 'critical intent "payments-api" holds where it runs',
    core: [
      'intents/payments.intent:12:3  intent "fisc-audit": compliance FISC-2025',
      'inventory.yaml:3:13  payments/api runs in region-osaka-01',
    ],
  },
  {
    name: 'latency-assertion-fails',
    about: 'latency_within_bounds over the current mesh, 69 ms against a 20 ms bound',
    obligation: 'intent "web-api": assert!(latency_within_bounds(current_mesh))',
    core: [
      'intents/web.intent:8:3  intent "web-api": network_latency max 20 ms',
      'intents/web.intent:10:5  intent "web-api": assert!(latency_within_bounds(current_mesh))',
      'inventory.yaml:2:13  data/orders-db runs in region-tokyo-01',
      'inventory.yaml:3:13  web/api runs in region-singapore-01',
      'inventory.yaml:3:104  web/api depends on data/orders-db',
    ],
    regression: 'the core left out the inventory line through which the bound (without `to`) applies',
  },
  {
    name: 'dependency-unreachable',
    about: 'dependencies_reachable over the current mesh, across a pair with no latency figure',
    obligation: 'intent "web-api": assert!(dependencies_reachable(current_mesh))',
    core: [
      'intents/web.intent:7:14  intent "web-api": depends_on("data/orders-db")',
      'intents/web.intent:9:5  intent "web-api": assert!(dependencies_reachable(current_mesh))',
      'inventory.yaml:2:13  data/orders-db runs in region-tokyo-01',
      'inventory.yaml:3:13  web/api runs in region-saopaulo-01',
    ],
  },
  {
    name: 'region-loss-capacity',
    about: 'survives_region_loss fails: the only other compliant region lacks the capacity',
    obligation: 'intent "payments-ledger": assert!(survives_region_loss(current_mesh))',
    core: [
      'fleet.yaml:7:11  region-tokyo-01 is lost',
      'fleet.yaml:13:11  region-tokyo-02 capacity 32 cpu, 256 GiB',
      'intents/payments.intent:3:3  intent "payments-ledger": compliance FISC-2025',
      'intents/payments.intent:5:5  intent "payments-ledger": assert!(survives_region_loss(current_mesh))',
      'inventory.yaml:3:13  payments/ledger-replica runs in region-tokyo-02',
    ],
  },
  {
    name: 'conjunction-both-fail',
    about: 'both halves of an && assertion fail; either alone refutes it',
    obligation:
      'intent "mesh-a": assert!(!has_cyclic_dependencies(current_mesh) && dependencies_reachable(current_mesh))',
    core: [
      'intents/mesh.intent:4:5  intent "mesh-a": assert!(!has_cyclic_dependencies(current_mesh) && dependencies_reachable(current_mesh))',
      'inventory.yaml:2:101  mesh/a depends on mesh/b',
      'inventory.yaml:3:101  mesh/b depends on mesh/a',
    ],
    regression: 'a failed && named the reasons of both halves; the first failing half is enough',
  },
];

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface JsonRef {
  kind: string;
  text: string;
  file: string;
  line: number;
  col: number;
}

interface JsonObligation {
  check: string;
  name: string;
  verdict: 'proven' | 'unprovable' | 'warning';
  ms: number;
  detail?: string;
  unprovable_state?: { code: string; reason: string; message: string; core: JsonRef[] };
}

interface JsonReport {
  fleet: string;
  proven: boolean;
  obligations: JsonObligation[];
  ms: Record<string, number>;
  counts: { proven: number; unprovable: number; warnings: number };
}

async function shisaVerify(name: string, ...extra: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(['verify', '--config', `test/verify/fixtures/${name}/fleet.yaml`, ...extra], {
    cwd: ROOT,
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
  });
  return { code, stdout, stderr };
}

/**
 * Masks the timings of the text report, and only those: check titles `(123 ms)`, the time
 * column of each obligation (kept 8 wide, as the report pads it) and the total. Constraint
 * texts such as "network_latency max 10 ms" are left alone.
 */
function maskTimings(text: string): string {
  return text
    .replace(/^(Check .+) \(\d+(?:\.\d+)? ms\)$/gmu, '$1 (N ms)')
    .replace(
      /^ {2}(✓ proven {4}|✗ unprovable|! warning {3}) +\d+(?:\.\d+)? ms(?= {2})/gmu,
      (_m, mark: string) => `  ${mark} ${'N ms'.padStart(8)}`,
    )
    .replace(/ in \d+(?:\.\d+)? ms\.( |$)/gmu, ' in N ms.$1');
}

/** The JSON report with every `ms` field zeroed (keys kept). */
function maskJson(report: JsonReport): JsonReport {
  return {
    ...report,
    obligations: report.obligations.map((o) => ({ ...o, ms: 0 })),
    ms: Object.fromEntries(Object.keys(report.ms).map((k) => [k, 0])),
  };
}

const refLine = (fixture: string, r: JsonRef): string =>
  `${relative(`test/verify/fixtures/${fixture}`, r.file)}:${r.line}:${r.col}  ${r.text}`;

describe('maskTimings', () => {
  it('masks times but not quantities in constraint texts', () => {
    const text = [
      'Check 1 — the intent model is consistent (2182 ms)',
      '  ✓ proven       972 ms  critical intent "a" holds where it runs — 1 workload',
      '  ✗ unprovable   0.4 ms  all intents are jointly satisfiable — no placement',
      '        x.intent:4:3  intent "shop-api": network_latency max 10 ms to data/orders-db',
      '  ! warning     10345 ms  intent "b" survives losing r',
      '',
      '1 proven, 1 unprovable, 1 warning in 12.5 ms. Unprovable State: nothing moves until it is resolved.',
    ].join('\n');
    expect(maskTimings(text)).toBe(
      [
        'Check 1 — the intent model is consistent (N ms)',
        '  ✓ proven         N ms  critical intent "a" holds where it runs — 1 workload',
        '  ✗ unprovable     N ms  all intents are jointly satisfiable — no placement',
        '        x.intent:4:3  intent "shop-api": network_latency max 10 ms to data/orders-db',
        '  ! warning        N ms  intent "b" survives losing r',
        '',
        '1 proven, 1 unprovable, 1 warning in N ms. Unprovable State: nothing moves until it is resolved.',
      ].join('\n'),
    );
  });
});

describe.each(CASES)('shisa verify on fixtures/$name', (c) => {
  let text: Run;
  let json: Run;
  let report: JsonReport;

  beforeAll(async () => {
    // One at a time: the CLI shuts the process's Z3 down at the end of each run.
    text = await shisaVerify(c.name);
    json = await shisaVerify(c.name, '--json');
    report = JSON.parse(json.stdout) as JsonReport;
  });

  const unprovable = (): JsonObligation[] => report.obligations.filter((o) => o.verdict === 'unprovable');

  it('is valid input (shisa validate exits 0, no warnings)', async () => {
    let stdout = '';
    let stderr = '';
    const code = await main(['validate', `test/verify/fixtures/${c.name}/fleet.yaml`], {
      cwd: ROOT,
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`valid (fleet "${c.name}")`);
  });

  it(`exits 3 with the golden report (${c.about})`, async () => {
    expect(text.stderr).toBe('');
    expect(text.code).toBe(3);
    const masked = maskTimings(text.stdout);
    expect(masked).not.toMatch(/ \d+(?:\.\d+)? ms {2}/u); // every time column masked
    await expect(masked).toMatchFileSnapshot(`./golden/${c.name}.txt`);
  });

  it('gives the same verdict as JSON, stable apart from its ms fields', async () => {
    expect(json.stderr).toBe('');
    expect(json.code).toBe(3);
    expect(report.fleet).toBe(`test/verify/fixtures/${c.name}/fleet.yaml`);
    expect(report.proven).toBe(false);
    expect(report.counts.unprovable).toBe(unprovable().length);
    for (const o of report.obligations) expect(typeof o.ms).toBe('number');
    await expect(JSON.stringify(maskJson(report), null, 2) + '\n').toMatchFileSnapshot(`./golden/${c.name}.json`);
  });

  it(`names exactly one unprovable obligation, and exactly its core${c.regression ? ` (regression: ${c.regression})` : ''}`, () => {
    const failed = unprovable();
    expect(failed.map((o) => o.name)).toEqual([c.obligation]);
    const state = failed[0]!.unprovable_state!;
    expect(state.code).toBe('UNPROVABLE_STATE');
    expect(state.reason).toBe('unsat');
    expect(state.core.map((r) => refLine(c.name, r))).toEqual(c.core);
    // Every location is a real line of a fixture file, and the text report names each too.
    for (const r of state.core) {
      expect(r.file.startsWith(`test/verify/fixtures/${c.name}/`), r.file).toBe(true);
      const line = readFileSync(resolve(ROOT, r.file), 'utf8').split('\n')[r.line - 1];
      expect(line, `${r.file}:${r.line}`).toBeDefined();
      expect(r.col, `${r.file}:${r.line}:${r.col}`).toBeLessThanOrEqual(line!.length);
      expect(text.stdout).toMatch(new RegExp(`${escape(`${r.file}:${r.line}:${r.col}`)} +${escape(r.text)}$`, 'mu'));
    }
  });

  it('names the lost region in every region-loss warning (the loss is what the warning is about)', () => {
    const warnings = report.obligations.filter((o) => o.check === 'region-loss' && o.verdict === 'warning');
    for (const w of warnings)
      expect(
        w.unprovable_state!.core.map((r) => r.kind),
        w.name,
      ).toContain('region-lost');
  });
});

describe('shisa verify on a consistent fleet with a region already over capacity', () => {
  it('proves it: a region over capacity now (from workloads outside a question) may keep them, and others may still move away from a lost region', async () => {
    const r = await shisaVerify('region-loss-over-capacity-elsewhere', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.proven).toBe(true);
    expect(
      report.obligations.find((o) => o.name === 'intent "web-api": assert!(survives_region_loss(current_mesh))')
        ?.verdict,
    ).toBe('proven');
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}
