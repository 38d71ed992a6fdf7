/**
 * `npm run bench:run`: the whole recorded run at scale. Generates a fleet of 100,000
 * workloads over 40 regions on disk (bench/generate-run-fleet.ts), then runs the built CLI
 * as a child process, as an operator would:
 *
 *   node bin/shisa.js validate --config <dir>/fleet.yaml
 *   node bin/shisa.js plan --config <dir>/fleet.yaml --data-dir <tmp> --at <generated instant>
 *
 * and prints the wall time and peak RSS of each against the targets (the recorded plan run:
 * at most 10 s and 500 MB). `npm run bench:run -- 20000` runs another size.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRunFleet } from './generate-run-fleet.js';

const TARGET = { seconds: 10, rssMb: 500 };
const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin', 'shisa.js');
const TIME = '/usr/bin/time';

interface Measured {
  readonly code: number | null;
  readonly seconds: number;
  /** Peak resident set size of the child, MB (10^6 bytes); undefined when it could not be read. */
  readonly rssMb?: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node bin/shisa.js …args` and measures it: wall time here, peak RSS from GNU time's
 * report when /usr/bin/time is there, else from the child's VmHWM in /proc, read until it exits.
 */
function measure(args: readonly string[]): Promise<Measured> {
  const viaTime = existsSync(TIME);
  const report = join(tmpdir(), `shisa-bench-time-${process.pid}-${Date.now()}`);
  const [cmd, argv] = viaTime
    ? [TIME, ['-v', '-o', report, process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let hwmKb = 0;
    const poll = viaTime
      ? undefined
      : setInterval(() => {
          hwmKb = Math.max(hwmKb, vmHwmKb(child.pid) ?? 0);
        }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      let rssKb: number | undefined = hwmKb || undefined;
      if (viaTime && existsSync(report)) {
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(report, 'utf8'));
        rssKb = m ? Number(m[1]) : undefined;
        rmSync(report, { force: true });
      }
      resolve({
        code,
        seconds,
        ...(rssKb !== undefined ? { rssMb: (rssKb * 1024) / 1e6 } : {}),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

function vmHwmKb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Per-stage times of the plan run (load, open store, snapshot, prove-intents, plan, prove-plan,
 * record, notify), seconds, by stage, as `shisa plan --timings` printed them.
 */
function planStageTimes(plan: Measured): ReadonlyMap<string, number> | undefined {
  // `shisa plan --timings` prints one line on stderr: `Stages      load 0.41 s, open store 0.62 s, …; total …`.
  const line = /^Stages +(.*); total [\d.]+ s$/m.exec(plan.stderr)?.[1];
  if (!line) return undefined;
  return new Map(
    line.split(', ').map((part) => {
      const m = /^(.*) ([\d.]+) s$/.exec(part);
      return [m?.[1] ?? part, Number(m?.[2])] as const;
    }),
  );
}

const fmt = (m: Measured): string =>
  `${m.seconds.toFixed(2).padStart(7)} s  ${m.rssMb === undefined ? '    ?' : m.rssMb.toFixed(0).padStart(5)} MB  exit ${m.code}`;

async function main(): Promise<void> {
  const workloads = Number(process.argv[2] ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'shisa-bench-run-'));
  try {
    const generatedAt = process.hrtime.bigint();
    const fleet = await writeRunFleet(join(dir, 'fleet'), workloads, 1);
    const genSeconds = Number(process.hrtime.bigint() - generatedAt) / 1e9;
    console.log(`shisa run benchmark (Node ${process.versions.node}, ${process.arch})`);
    console.log(
      `fleet: ${fleet.workloads.toLocaleString('en-US')} workloads, ${fleet.regions} regions, ` +
        `inventory ${(fleet.inventoryBytes / 1e6).toFixed(1)} MB (generated in ${genSeconds.toFixed(1)} s)\n`,
    );
    const validate = await measure(['validate', '--config', fleet.fleetFile]);
    console.log(`validate ${fmt(validate)}`);
    const dataDir = join(dir, 'data');
    const plan = await measure([
      'plan',
      '--config',
      fleet.fleetFile,
      '--data-dir',
      dataDir,
      '--at',
      fleet.at,
      '--timings',
    ]);
    console.log(`plan     ${fmt(plan)}`);
    const stages = planStageTimes(plan);
    if (stages) for (const [stage, s] of stages) console.log(`  ${stage.padEnd(12)} ${s.toFixed(2).padStart(7)} s`);
    // How the plan's proof went (`Proof  55 obligations proven … (0 by Z3, …)`); when it is
    // unprovable (exit 3), the obligations that failed, as the plan printed them.
    const proof = plan.stdout.slice(Math.max(0, plan.stdout.search(/^Proof {2,}/m)));
    if (/^Proof {2,}/.test(proof))
      console.log(plan.code === 3 ? `\n${proof.slice(0, 4000)}` : `\n${proof.split('\n')[0] ?? ''}`);
    const ok = (m: Measured): boolean =>
      m.code === 0 && m.seconds <= TARGET.seconds && m.rssMb !== undefined && m.rssMb <= TARGET.rssMb;
    console.log(
      `\ntarget for the recorded plan run: exit 0, <= ${TARGET.seconds} s and <= ${TARGET.rssMb} MB peak RSS: ` +
        `${ok(plan) ? 'met' : 'NOT met'}`,
    );
    for (const [name, m] of [
      ['validate', validate],
      ['plan', plan],
    ] as const) {
      if (m.code !== 0 && m.code !== 3) console.log(`\n${name} stderr:\n${m.stderr.slice(-4000)}`);
    }
    if (!ok(plan)) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
