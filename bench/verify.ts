/**
 * `npm run bench:verify`: the Z3 verifier's three checks (1 intent model consistent, 2 the
 * plan safe with its make-before-break order, 3 single-region failure) on the example fleet
 * and on a generated fleet of 200 critical intents with a 500-move plan, against the target
 * of all three checks within 5 s. Plans come from the planner on static carbon signals.
 * Times are per check, the median of several runs of the compiled verifier; Z3's one-off
 * initialisation is timed apart. Then where the time goes: obligations grouped by kind.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { createCarbonSource } from '../regions/carbon/create-source.js';
import { readSignals } from '../regions/carbon/signals.js';
import { environmentFrom } from '../scheduler/config/environment.js';
import type { Plan } from '../scheduler/planner/plan.js';
import type { Snapshot } from '../scheduler/planner/snapshot.js';
import type { Obligation } from '../scheduler/verify/proof.js';
import type { VerifyReport } from '../scheduler/verify/verify.js';
import { loadWorkspace } from '../scheduler/workspace/load-workspace.js';
import { generateVerifyFleet } from './generate-verify-fleet.js';

// Timed is what ships: the compiled planner and verifier in dist/ (the script builds first).
const shipped = (path: string): Promise<unknown> => import(new URL(`../dist/${path}`, import.meta.url).href);
const { plan } = (await shipped('scheduler/planner/plan.js')) as typeof import('../scheduler/planner/plan.js');
const { buildPromiseModel } = (await shipped(
  'scheduler/promises/build-model.js',
)) as typeof import('../scheduler/promises/build-model.js');
const { verify, DEFAULT_TIMEOUT_MS } = (await shipped(
  'scheduler/verify/verify.js',
)) as typeof import('../scheduler/verify/verify.js');
const { openSmt, shutdownZ3 } = (await shipped('scheduler/verify/z3.js')) as typeof import('../scheduler/verify/z3.js');

const TARGET_MS = 5_000;
const RUNS = 3;
const SEED = 1;
const CHECKS = ['intents', 'plan', 'region-loss'] as const;
const LABEL: Readonly<Record<(typeof CHECKS)[number], string>> = {
  intents: 'check 1 intents',
  plan: 'check 2 plan',
  'region-loss': 'check 3 region loss',
};
const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ms = (x: number): string => (x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US'));

interface Measured {
  readonly label: string;
  readonly size: string;
  readonly plan: Plan;
  readonly planMs: number;
  readonly meshMs: number;
  readonly reports: readonly VerifyReport[];
  /** Per run: the three checks' times added up. */
  readonly totals: readonly number[];
  /** The run whose total is the median, for the breakdown. */
  readonly typical: VerifyReport;
}

async function measure(label: string, size: string, snapshot: Snapshot): Promise<Measured> {
  let t = performance.now();
  const p = plan(snapshot);
  const planMs = performance.now() - t;
  t = performance.now();
  const mesh = buildPromiseModel(snapshot.fleet, snapshot.intents, snapshot.workloads);
  const meshMs = performance.now() - t;
  const reports: VerifyReport[] = [];
  for (let k = 0; k < RUNS; k++)
    reports.push(
      await verify(mesh, snapshot.intents, { timeoutMs: DEFAULT_TIMEOUT_MS, checks: CHECKS, moves: p.moves }),
    );
  const totals = reports.map((r) => CHECKS.reduce((a, c) => a + (r.ms[c] ?? 0), 0));
  const typical = reports[totals.indexOf(median(totals))] as VerifyReport;
  // The verdicts are a function of the input: every run must agree.
  const verdicts = (r: VerifyReport) => r.obligations.map((o) => `${o.name}=${o.verdict}`).join('\n');
  if (reports.some((r) => verdicts(r) !== verdicts(reports[0] as VerifyReport)))
    console.log(`  note: ${label}: the runs disagree on some verdict`);
  return { label, size, plan: p, planMs, meshMs, reports, totals, typical };
}

function counts(r: VerifyReport, check?: string): string {
  const os = r.obligations.filter((o) => check === undefined || o.check === check);
  const n = (v: Obligation['verdict']) => os.filter((o) => o.verdict === v).length;
  return `${n('proven')} / ${n('unprovable')} / ${n('warning')}`;
}

/** Obligations of one kind: names with the intent and region taken out. */
function kindOf(o: Obligation): string {
  const name = o.name.replace(/"[^"]*"/g, '"…"').replace(/losing \S+/, 'losing R');
  return `${o.check === 'intents' ? '1' : o.check === 'plan' ? '2' : '3'} ${o.verdict.padEnd(10)} ${name}`;
}

function breakdown(m: Measured): string[] {
  const groups = new Map<string, { n: number; ms: number; max: number }>();
  for (const o of m.typical.obligations) {
    const g = groups.get(kindOf(o)) ?? { n: 0, ms: 0, max: 0 };
    g.n++;
    g.ms += o.ms;
    g.max = Math.max(g.max, o.ms);
    groups.set(kindOf(o), g);
  }
  const total = m.typical.obligations.reduce((a, o) => a + o.ms, 0);
  const lines = [
    `${m.label}: obligations by kind (the median run; check, verdict, obligation)`,
    `  ${'count'.padStart(5)}${'total ms'.padStart(10)}${'share'.padStart(7)}${'mean ms'.padStart(9)}${'max ms'.padStart(8)}  kind`,
  ];
  for (const [k, g] of [...groups].sort((a, b) => b[1].ms - a[1].ms)) {
    lines.push(
      `  ${String(g.n).padStart(5)}${ms(g.ms).padStart(10)}${`${((g.ms / total) * 100).toFixed(0)}%`.padStart(7)}${ms(g.ms / g.n).padStart(9)}${ms(g.max).padStart(8)}  ${k}`,
    );
  }
  // Time a check spends outside its obligations' own clocks (questions asked for several at once, set-up).
  const outside = CHECKS.map((c) => {
    const inside = m.typical.obligations.filter((o) => o.check === c).reduce((a, o) => a + o.ms, 0);
    return `${LABEL[c]} ${ms(m.typical.ms[c] ?? 0)} ms, ${ms(Math.max(0, (m.typical.ms[c] ?? 0) - inside))} of it in no obligation`;
  });
  lines.push(`  per check: ${outside.join('; ')}`);
  lines.push('  slowest single obligations:');
  for (const o of [...m.typical.obligations].sort((a, b) => b.ms - a.ms).slice(0, 5))
    lines.push(`  ${ms(o.ms).padStart(15)}  ${o.check}: ${o.name}${o.detail ? ` — ${o.detail}` : ''}`);
  return lines;
}

async function main(): Promise<void> {
  console.log(
    `shisa verifier benchmark (Node ${process.versions.node}, ${process.arch}, ${cpus().length} CPUs; Z3 timeout ${DEFAULT_TIMEOUT_MS} ms per obligation)\n`,
  );

  // Z3 (WebAssembly) starts once per process, on the first question: timed here, apart.
  let t = performance.now();
  const first = await openSmt('(declare-const x Int)\n(assert (> x 0))', DEFAULT_TIMEOUT_MS, 'fast');
  await first.check([]);
  first.release();
  const initMs = performance.now() - t;
  // The floor under every obligation: one trivial question, fresh solver, asked and released.
  const trips: number[] = [];
  for (let k = 0; k < 30; k++) {
    t = performance.now();
    const s = await openSmt('(declare-const x Int)\n(assert (> x 0))', DEFAULT_TIMEOUT_MS, 'fast');
    await s.check([]);
    s.release();
    trips.push(performance.now() - t);
  }

  // The example fleet, planned on the static carbon signal it names.
  const loaded = await loadWorkspace(resolve(ROOT, 'regions/examples/fleet.yaml'), { cwd: ROOT });
  if (!loaded.workspace) throw new Error(`example fleet: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
  const ws = loaded.workspace;
  const now = Date.UTC(2026, 10, 22, 12);
  const created = await createCarbonSource(ws.fleet.carbon, 'static', { env: environmentFrom({}), now: () => now });
  if (!created.source) throw new Error(`example fleet carbon: ${created.diagnostics.map((d) => d.message).join('; ')}`);
  const signals = await readSignals(
    created.source,
    ws.fleet.regions.map((r) => r.zone),
    now,
    ws.fleet.carbon.maxStalenessMs,
  );
  const example = await measure(
    'example',
    `${ws.fleet.regions.length} regions, ${ws.workloads.length} workloads, ${ws.intents.length} intents (${ws.intents.filter((i) => i.placement === 'critical').length} critical)`,
    {
      fleet: ws.fleet,
      intents: ws.intents,
      workloads: ws.workloads,
      signals: new Map(signals.map((s) => [s.zone, s])),
      now,
    },
  );

  const g = await generateVerifyFleet(SEED);
  const generated = await measure(
    `generated (seed ${SEED})`,
    `${g.regions} regions, ${g.workloads.toLocaleString('en-US')} workloads (${g.criticalWorkloads} critical), ${g.criticalIntents} critical intents (${g.pinnedOne} pinned to one region, ${g.pinnedTwo} to two) + ${g.flexibleIntents} flexible, ${g.assertions} assertions`,
    g.snapshot,
  );

  const fleets = [example, generated];
  const W = 24;
  const row = (name: string, cells: readonly string[]): string =>
    `${name.padEnd(34)}${cells.map((c) => c.padStart(W)).join('')}`;
  console.log(
    `Z3 init (once per process, not counted below): ${ms(initMs)} ms; one trivial question (fresh solver): median ${ms(median(trips))} ms of ${trips.length}\n`,
  );
  for (const f of fleets) console.log(`${f.label}: ${f.size}`);
  console.log('');
  console.log(
    row(
      '',
      fleets.map((f) => f.label),
    ),
  );
  console.log(
    row(
      'plan: moves / budget',
      fleets.map((f) => `${f.plan.moves.length} / ${f.plan.budget}`),
    ),
  );
  console.log(
    row(
      'planner ms (compiled)',
      fleets.map((f) => ms(f.planMs)),
    ),
  );
  console.log(
    row(
      'migration order: batches',
      fleets.map((f) => String(f.typical.plan?.order.batches.length ?? '-')),
    ),
  );
  console.log(
    row(
      "  plan's own order safe?",
      fleets.map((f) => (f.typical.plan?.order.naiveSafe ? 'yes' : 'no, reordered')),
    ),
  );
  console.log(
    row(
      '  moves left with no safe order',
      fleets.map((f) => String(f.typical.plan?.order.stuck.length ?? '-')),
    ),
  );
  console.log(
    row(
      'buildPromiseModel ms',
      fleets.map((f) => ms(f.meshMs)),
    ),
  );
  console.log(row(`verify ms (median of ${RUNS})`, []));
  for (const c of CHECKS)
    console.log(
      row(
        `  ${LABEL[c]}`,
        fleets.map((f) => ms(median(f.reports.map((r) => r.ms[c] ?? 0)))),
      ),
    );
  console.log(
    row(
      '  total, checks 1-3',
      fleets.map((f) => ms(median(f.totals))),
    ),
  );
  console.log(
    row(
      '  runs (total)',
      fleets.map((f) => f.totals.map((x) => ms(x)).join(', ')),
    ),
  );
  console.log(row('obligations proven/unprov./warn.', []));
  for (const c of CHECKS)
    console.log(
      row(
        `  ${LABEL[c]}`,
        fleets.map((f) => counts(f.typical, c)),
      ),
    );
  console.log(
    row(
      '  all',
      fleets.map((f) => counts(f.typical)),
    ),
  );
  // How each was decided: Z3's search, a checked placement, the rules alone, or evaluation.
  const by = (f: (typeof fleets)[number]) =>
    ['z3', 'model', 'rules', 'evaluated']
      .map((m) => f.typical.obligations.filter((o) => o.method === m).length)
      .join(' / ');
  console.log(row('decided by z3/model/rules/evaluated', fleets.map(by)));
  console.log(
    row(
      `within ${TARGET_MS / 1000} s (checks 1-3)?`,
      fleets.map((f) => (median(f.totals) <= TARGET_MS ? 'yes' : `NO (${(median(f.totals) / TARGET_MS).toFixed(1)}×)`)),
    ),
  );
  console.log(
    row(
      `  with Z3 init?`,
      fleets.map((f) => (median(f.totals) + initMs <= TARGET_MS ? 'yes' : 'no')),
    ),
  );

  for (const f of fleets) {
    console.log('');
    for (const line of breakdown(f)) console.log(line);
  }
  for (const f of fleets) {
    for (const u of f.typical.unprovable) {
      process.exitCode = 1;
      console.log(`\n${f.label}: UNPROVABLE ${u.obligation}: ${u.message}`);
      for (const c of u.core) console.log(`    ${c.span.file}:${c.span.line}:${c.span.col}  ${c.text}`);
    }
  }
  await shutdownZ3();
}

await main();
