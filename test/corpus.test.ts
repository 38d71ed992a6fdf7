/**
 * The malformed-input corpus: every file under test/corpus/cases/ (plus a few multi-megabyte
 * cases generated into a temporary folder) is fed to the BUILT command line,
 * `shisa validate <case>`, and must be refused cleanly: exit code 2, nothing on stdout,
 * located `file:line:col: error[code]: message` diagnostics on stderr, no stack trace, and
 * exactly the text of its golden file under test/corpus/golden/. The `--json` form of each
 * case must be a parseable report with ok=false and located diagnostics.
 *
 * Needs `npm run build` first (`npm test` does it). Goldens: `npx vitest run test/corpus.test.ts -u`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEET_RANGES } from '../regions/fleet/ranges.js';
import { INVENTORY_RANGES } from '../scheduler/inventory/parse-inventory.js';
import { CONSTRAINTS } from '../scheduler/intent/catalogue.js';
import { besidesNotEnforced } from './not-enforced.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin', 'shisa.js');
const BUILT_MAIN = join(ROOT, 'dist', 'scheduler', 'cli', 'main.js');
const CORPUS = join(ROOT, 'test', 'corpus');
const CASES_DIR = join(CORPUS, 'cases');
const GOLDEN_DIR = join(CORPUS, 'golden');

/** Stand-ins for what differs between machines and runs, so goldens are stable. */
const TMP_PLACEHOLDER = '<TMPDIR>';
const PID_PLACEHOLDER = '(node:<PID>)';

/** The CLI starts in ~0.2 s and is CPU-bound; a few at a time keep 2 cores busy without thrashing. */
const CONCURRENCY = Math.max(2, Math.min(4, availableParallelism()));
const SPAWN_TIMEOUT_MS = 30_000;
const MB5 = 5 * 1024 * 1024;

const LOCATED_LINE = /^[^:\n]+:\d+:\d+: (error|warning)\[[a-z-]+\/[a-z0-9-]+\]: /m;
const STACK_TRACE = /\n\s+at .*\(.*:\d+:\d+\)/;

interface Case {
  /** File name of the case, e.g. `07-unknown-top-level-key.yaml`. */
  readonly name: string;
  /** Golden file name without folder, e.g. `07-unknown-top-level-key.txt`. */
  readonly golden: string;
  /** The path given to `shisa validate`: relative to the repo root, or absolute for generated cases. */
  arg?: string;
  /** Generated cases write their files into `dir` and return the path to validate. */
  readonly generate?: (dir: string) => string;
}

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

const goldenName = (file: string): string => file.replace(/\.(yaml|intent)$/, '') + '.txt';

/** Case names: a number (two or three digits; 97 and 98 are the generated cases) and a slug. */
const CASE_NAME = /^\d{2,3}-[a-z0-9-]+\.(yaml|intent)$/;

const committed: Case[] = readdirSync(CASES_DIR)
  .filter((f) => CASE_NAME.test(f))
  .sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || (a < b ? -1 : 1))
  .map((name) => ({ name, golden: goldenName(name), arg: `test/corpus/cases/${name}` }));

const generated: Case[] = [
  {
    // 5 MiB of junk lines in an intent file: refused by size before it is lexed.
    name: '97-generated-5mb-junk.intent',
    golden: goldenName('97-generated-5mb-junk.intent'),
    generate: (dir) => {
      const line = '@@ ;; not an intent ~~ }} \u0001 "unterminated ]] ((\n';
      const file = join(dir, '97-generated-5mb-junk.intent');
      writeFileSync(file, 'intent "junk" {\n' + line.repeat(Math.ceil(MB5 / line.length)));
      return file;
    },
  },
  {
    // A 5 MiB fleet file of thousands of (valid) regions: refused by size.
    name: '98-generated-5mb-fleet.yaml',
    golden: goldenName('98-generated-5mb-fleet.yaml'),
    generate: (dir) => {
      const parts = ['# generated: 5 MiB of regions\nregions:\n'];
      let size = parts[0]?.length ?? 0;
      for (let i = 0; size < MB5; i++) {
        const r = `  - { name: region-${i}, zone: JP-TK, country: JP, cluster: gke-${i}, capacity: { cpu: 64, memory_gib: 256 } }\n`;
        parts.push(r);
        size += r.length;
      }
      const file = join(dir, '98-generated-5mb-fleet.yaml');
      writeFileSync(file, parts.join(''));
      return file;
    },
  },
];

const CASES: readonly Case[] = [...committed, ...generated];

/** Strings that must never appear in any output of a case (secrets pasted into the file); keyed without NN-. */
const SECRETS: Readonly<Record<string, readonly string[]>> = {
  'notify-webhook-url-not-env-name.yaml': ['hooks.slack.com/services', 'T0CORPUS1', 'corpusSecretXyZ123abc'],
  'token-env-holding-token.yaml': ['corpusTok3nZz9QwErTy0123456789'],
  'notify-misspelt-webhook-key-with-url.yaml': [
    'hooks.slack.com/services',
    'corpusLeakXyZ789def',
    'corpusTok3nLeak0987654321',
  ],
};

/** Cases with several independent errors: every listed line must get a diagnostic; keyed without NN-. */
const LINES_REPORTED: Readonly<Record<string, readonly number[]>> = {
  'wrong-types-several.yaml': [6, 10, 12],
  'intent-several-errors.intent': [2, 3, 4, 5, 6, 7, 8, 9, 13, 14, 16],
};

/** A case's name without its number, so tables survive renumbering. */
const slug = (name: string): string => name.replace(/^\d+-/, '');

/** Empty, binary and non-UTF-8 cases cannot start with a comment without changing what they test. */
function commentWouldChangeCase(bytes: Buffer): boolean {
  if (bytes.length === 0 || bytes.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
}

let tmp = '';
let tmpAliases: string[] = [];
const results = new Map<string, { text: Run; json: Run }>();

function run(args: readonly string[], timeoutMs = SPAWN_TIMEOUT_MS): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** Runs `jobs` with at most `limit` in flight. */
async function pool(jobs: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++];
      if (job) await job();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}

function normalise(text: string): string {
  let out = text;
  for (const alias of tmpAliases) out = out.split(alias).join(TMP_PLACEHOLDER);
  return out.replace(/\(node:\d+\)/g, PID_PLACEHOLDER);
}

beforeAll(
  async () => {
    if (!existsSync(BUILT_MAIN)) {
      throw new Error(
        `the corpus test runs the built CLI, but ${BUILT_MAIN} is missing: run \`npm run build\` first (\`npm test\` builds before testing)`,
      );
    }
    const made = mkdtempSync(join(tmpdir(), 'shisa-corpus-'));
    tmp = realpathSync(made);
    tmpAliases = [...new Set([tmp, made])].sort((a, b) => b.length - a.length);
    for (const c of generated) c.arg = c.generate?.(tmp);

    // The generated (5 MiB) cases first, so a slow one does not end up alone at the tail.
    const ordered = [...generated, ...committed];
    const jobs = ordered.flatMap((c) => {
      const arg = c.arg as string;
      const entry: { text?: Run; json?: Run } = {};
      const done = (): void => {
        if (entry.text && entry.json) results.set(c.name, { text: entry.text, json: entry.json });
      };
      return [
        async () => {
          entry.text = await run(['validate', arg]);
          done();
        },
        async () => {
          entry.json = await run(['validate', '--json', arg]);
          done();
        },
      ];
    });
    await pool(jobs, CONCURRENCY);
    // Two runs per case, about a second each on a busy 2-core machine: the budget grows with the corpus.
  },
  Math.max(180_000, (CASES.length * 2 * 3_000) / CONCURRENCY),
);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function resultOf(name: string): { text: Run; json: Run } {
  const r = results.get(name);
  if (!r) throw new Error(`no result for case ${name} (did the setup fail?)`);
  return r;
}

describe('corpus of malformed input', () => {
  it('has enough cases, each starting with a comment that says what is wrong', () => {
    expect(committed.length).toBeGreaterThanOrEqual(48);
    const intents = committed.filter((c) => c.name.endsWith('.intent'));
    expect(intents.length).toBeGreaterThanOrEqual(20);
    for (const c of committed) {
      const bytes = readFileSync(join(CASES_DIR, c.name));
      if (commentWouldChangeCase(bytes)) continue;
      const head = bytes.subarray(0, 200).toString('latin1');
      expect(head, c.name).toMatch(c.name.endsWith('.intent') ? /^\/\/ \S/ : /^# \S/);
    }
    const slugs = new Set(CASES.map((c) => slug(c.name)));
    for (const key of [...Object.keys(SECRETS), ...Object.keys(LINES_REPORTED)])
      expect(slugs, `table entry ${key}`).toContain(key);
    const goldens = new Set(CASES.map((c) => c.golden));
    const orphans = existsSync(GOLDEN_DIR) ? readdirSync(GOLDEN_DIR).filter((f) => !goldens.has(f)) : [];
    expect(orphans, 'golden files without a case (renamed or deleted case?)').toEqual([]);
  });

  it('names every case file by the pattern, so none is silently skipped', () => {
    expect(readdirSync(CASES_DIR).filter((f) => !CASE_NAME.test(f))).toEqual([]);
    const numbers = CASES.map((c) => parseInt(c.name, 10));
    expect(new Set(numbers).size, 'case numbers are unique').toBe(numbers.length);
  });

  it('reports a CR-only case exactly as its LF twin, at the same lines and columns', async () => {
    const crOnly = committed.filter((c) => {
      const bytes = readFileSync(join(CASES_DIR, c.name));
      return !commentWouldChangeCase(bytes) && /\r(?!\n)/.test(bytes.toString('utf8'));
    });
    expect(crOnly.length).toBeGreaterThan(0);
    for (const c of crOnly) {
      const twin = join(tmp, `lf-${c.name}`);
      writeFileSync(twin, readFileSync(join(CASES_DIR, c.name), 'utf8').replace(/\r(?!\n)/g, '\n'));
      const r = await run(['validate', twin]);
      expect(r.code).toBe(2);
      expect(
        normalise(r.stderr).split(`${TMP_PLACEHOLDER}/lf-${c.name}`).join(`test/corpus/cases/${c.name}`),
        c.name,
      ).toBe(normalise(resultOf(c.name).text.stderr));
    }
  });

  it('support skeleton fleet is valid, so cross-reference cases fail only for their own reason', async () => {
    if (!existsSync(BUILT_MAIN)) throw new Error(`${BUILT_MAIN} is missing: run \`npm run build\` first`);
    const r = await run(['validate', 'test/corpus/support/fleet.yaml']);
    expect(besidesNotEnforced(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('test/corpus/support/fleet.yaml: valid');
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const { text, json } = resultOf(c.name);
      const stderr = normalise(text.stderr);

      expect(text.signal, 'killed (timeout?)').toBeNull();
      expect({ code: text.code, stdout: text.stdout }, stderr).toEqual({ code: 2, stdout: '' });
      expect(stderr).toMatch(LOCATED_LINE);
      expect(stderr).not.toMatch(STACK_TRACE);
      expect(stderr).not.toContain('internal error');

      for (const secret of SECRETS[slug(c.name)] ?? []) {
        expect(text.stderr, 'secret echoed on stderr').not.toContain(secret);
        expect(json.stdout, 'secret echoed in --json').not.toContain(secret);
        expect(json.stderr, 'secret echoed on stderr with --json').not.toContain(secret);
      }

      expect(json.signal, 'killed (timeout?)').toBeNull();
      expect(json.code, json.stderr).toBe(2);
      expect(json.stderr).not.toMatch(STACK_TRACE);
      expect(json.stderr).not.toContain('internal error');
      let report: unknown;
      expect(
        () => (report = JSON.parse(json.stdout) as unknown),
        `--json output is not JSON:\n${json.stdout.slice(0, 500)}`,
      ).not.toThrow();
      const parsed = report as { ok?: unknown; diagnostics?: unknown };
      expect(parsed.ok).toBe(false);
      expect(Array.isArray(parsed.diagnostics)).toBe(true);
      const diagnostics = parsed.diagnostics as Record<string, unknown>[];
      expect(diagnostics.length).toBeGreaterThan(0);
      for (const d of diagnostics) {
        expect(typeof d.file === 'string' && d.file.length > 0, JSON.stringify(d)).toBe(true);
        expect(Number.isInteger(d.line) && (d.line as number) >= 1, JSON.stringify(d)).toBe(true);
        expect(Number.isInteger(d.col) && (d.col as number) >= 1, JSON.stringify(d)).toBe(true);
        expect(d.code, JSON.stringify(d)).toMatch(/^[a-z-]+\/[a-z0-9-]+$/);
        expect(typeof d.message === 'string' && d.message.length > 0, JSON.stringify(d)).toBe(true);
        expect(['error', 'warning']).toContain(d.severity);
      }
      expect(diagnostics.some((d) => d.severity === 'error')).toBe(true);
      // Both forms report the same findings: one located headline per JSON diagnostic.
      const headlines = stderr.match(new RegExp(LOCATED_LINE.source, 'gm')) ?? [];
      expect(headlines.length, 'headlines on stderr vs --json diagnostics').toBe(diagnostics.length);
      for (const line of LINES_REPORTED[slug(c.name)] ?? []) {
        expect(
          diagnostics.map((d) => d.line),
          `a diagnostic on line ${line}`,
        ).toContain(line);
      }

      await expect(stderr).toMatchFileSnapshot(`./corpus/golden/${c.golden}`);
    });
  }
});

/**
 * A fleet with every capacity, workload size, power figure, latency and duration at the
 * maximum its range allows, and more demand than the clean regions hold: what the boundary
 * accepts must plan and prove without an internal error (in particular, every number the
 * verifier hands Z3 is still an exact integer literal).
 */
function largestAllowed(dir: string): string {
  const F = FLEET_RANGES;
  const W = INVENTORY_RANGES;
  const ms = (n: number) => `${n}ms`;
  const zones = [
    ['dirty-a', 'PL', 'PL'],
    ['dirty-b', 'JP-TK', 'JP'],
    ['clean-a', 'FR', 'FR'],
    ['clean-b', 'CA-QC', 'CA'],
  ] as const;
  const cap = `{ cpu: ${F['regions[].capacity.cpu'].max}, memory_gib: ${F['regions[].capacity.memory_gib'].max} }`;
  const fleet = [
    'regions:',
    ...zones.map(
      ([name, zone, country]) =>
        `  - { name: ${name}, zone: ${zone}, country: ${country}, cluster: k-${name}, capacity: ${cap} }`,
    ),
    'latency_ms:',
    ...zones.slice(0, -1).map(
      ([a], i) =>
        `  ${a}: { ${zones
          .slice(i + 1)
          .map(([b]) => `${b}: ${F.latency_ms.max}`)
          .join(', ')} }`,
    ),
    'carbon:',
    `  max_staleness: ${ms(F['carbon.max_staleness'].max)}`,
    `  static: { year: ${F['carbon.static.year'].max} }`,
    `  electricitymaps: { timeout: ${ms(F['carbon.electricitymaps.timeout'].max)}, cache_ttl: ${ms(F['carbon.electricitymaps.cache_ttl'].max)}, retries: ${F['carbon.electricitymaps.retries'].max} }`,
    `power: { watts_per_cpu: ${F['power.watts_per_cpu'].max}, watts_per_gib: ${F['power.watts_per_gib'].max}, pue: ${F['power.pue'].max} }`,
    `policy: { migration_budget: ${F['policy.migration_budget'].max}, min_saving: 0%, cooldown: ${ms(F['policy.cooldown'].max)}, migration_cost_g_per_h: ${F['policy.migration_cost_g_per_h'].max} }`,
    'intents: [max.intent]',
    'inventory: inventory.yaml',
  ].join('\n');
  const cb = CONSTRAINTS.circuit_breaker!.keys;
  const top = (k: string) => (cb[k]!.value as { max: number }).max;
  const intents = `intent "max-critical" {
  workloads("crit/*")
  constraint network_latency { max: 60s, to: "crit/db" }
  constraint circuit_breaker { consecutive_failures: ${top('consecutive_failures')}, interval: ${top('interval')}ms, base_ejection: ${top('base_ejection')}ms, max_ejection: ${top('max_ejection')}ms }
  validate_state() {
    assert!(!has_cyclic_dependencies(current_mesh) && latency_within_bounds(current_mesh))
  }
}

intent "max-flexible" {
  workloads("flex/*")
  placement(flexible)
  depends_on("crit/db")
  constraint network_latency { max: 60s }
  constraint carbon { min_saving: 0%, max_intensity: 2500gCO2eq/kWh }
  validate_state() {
    assert!(latency_within_bounds(planned_mesh) && dependencies_reachable(planned_mesh))
  }
}
`;
  // 100 workloads of the largest size fill a region. All but five places are taken, so losing
  // a region leaves its critical workloads nowhere to go: a question only Z3 can answer, with
  // the largest sizes and capacities as its literals.
  const size = `cpu: ${W['workloads[].cpu'].max}, memory_gib: ${W['workloads[].memory_gib'].max}`;
  const latest = new Date(W['workloads[].last_moved'].max).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const perRegion = [100, 100, 100, 95];
  const workloads = ['workloads:', `  - { name: crit/db, region: dirty-a, ${size} }`];
  let k = 0;
  perRegion.forEach((count, r) => {
    for (let i = r === 0 ? 1 : 0; i < count; i++, k++) {
      const kind = k % 10 === 0 ? 'crit' : 'flex';
      const moved = k % 25 === 1 ? `, last_moved: "${latest}"` : '';
      workloads.push(`  - { name: ${kind}/w${k}, region: ${zones[r]![0]}, ${size}, depends_on: [crit/db]${moved} }`);
    }
  });
  writeFileSync(join(dir, 'fleet.yaml'), fleet + '\n');
  writeFileSync(join(dir, 'max.intent'), intents);
  writeFileSync(join(dir, 'inventory.yaml'), workloads.join('\n') + '\n');
  return join(dir, 'fleet.yaml');
}

describe('the largest allowed values', () => {
  it('validate, and plan and verify without an internal error (exit 0 or 3)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shisa-maxima-'));
    try {
      const fleet = largestAllowed(dir);
      const valid = await run(['validate', fleet]);
      expect(besidesNotEnforced(valid.stderr)).toBe('');
      expect(valid.code).toBe(0);
      const runs = [
        await run(['plan', '--config', fleet, '--no-record', '--json'], 120_000),
        await run(['plan', '--config', fleet, '--no-record', '--at', '9999-12-31T23:59Z'], 120_000),
        await run(['verify', '--config', fleet, '--json'], 120_000),
      ];
      for (const r of runs) {
        expect(r.signal, 'killed (timeout?)').toBeNull();
        expect([0, 3], r.stderr).toContain(r.code);
        expect(r.stderr).not.toContain('internal error');
        expect(r.stderr).not.toMatch(STACK_TRACE);
      }
      const plan = JSON.parse(runs[0]!.stdout) as {
        moves: unknown[];
        emissions_g_per_h: { before: number; after: number };
      };
      expect(plan.moves.length, 'moves into the clean regions').toBeGreaterThan(0);
      expect(
        Number.isFinite(plan.emissions_g_per_h.before) && plan.emissions_g_per_h.after < plan.emissions_g_per_h.before,
      ).toBe(true);
      // Z3 itself was asked (region loss with every place taken), so the big literals reached it.
      const verified = JSON.parse(runs[2]!.stdout) as { obligations: { method: string }[] };
      expect(verified.obligations.map((o) => o.method)).toContain('z3');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
