/**
 * Many shisa processes on one embedded database folder, as people and cron really overlap
 * them: plans, history and audit verify started together in changing orders, some killed
 * with SIGKILL at any moment — while the database is being created, while a plan records,
 * while a reader reads. The embedded database is one process's: each process either has it
 * alone or says who has it (exit 4). Afterwards every run a plan reported recorded is there,
 * the audit log is intact and the next plan records.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const ROUNDS = 8;
const dir = mkdtempSync(join(tmpdir(), 'shisa-overlap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  readonly what: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A deterministic PRNG (mulberry32), so a failing interleaving can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The pid the folder lock names as its holder, if any. */
function holderPid(): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'shisa.lock'), 'utf8')) as { pid?: number }).pid;
  } catch {
    return undefined;
  }
}

interface Started {
  readonly pid: () => number | undefined;
  kill(): void;
  readonly outcome: Promise<Outcome>;
}

/** Starts a shisa command after `delayMs`. */
function start(what: string, args: string[], delayMs: number): Started {
  let child: ReturnType<typeof spawn> | undefined;
  const outcome = new Promise<Outcome>((done) => {
    setTimeout(() => {
      const c = spawn(
        process.execPath,
        [join(ROOT, 'bin', 'shisa.js'), ...args, '--config', 'regions/examples/fleet.yaml', '--data-dir', dir],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = c;
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const guard = setTimeout(() => c.kill('SIGKILL'), 120_000);
      c.on('close', (code, signal) => {
        clearTimeout(guard);
        done({ what, code, signal, stdout, stderr });
      });
    }, delayMs);
  });
  return { pid: () => child?.pid, kill: () => child?.kill('SIGKILL'), outcome };
}

/**
 * After `ms`, kills with SIGKILL whichever of `procs` then has the database open (the lock
 * names it), or the next one to open it: the kill lands while a process works on the store.
 */
function killHolder(procs: readonly Started[], ms: number, over: Promise<unknown>): void {
  let finished = false;
  void over.then(() => (finished = true));
  setTimeout(function look() {
    if (finished) return;
    const holder = holderPid();
    const victim = procs.find((p) => p.pid() !== undefined && p.pid() === holder);
    if (victim) victim.kill();
    else setTimeout(look, 10);
  }, ms);
}

const recordedIn = (o: Outcome): number[] =>
  [...(o.stdout + o.stderr).matchAll(/^Recorded as run (\d+) in /gm)].map((m) => Number(m[1]));

describe('concurrent CLI processes on one embedded database', () => {
  it(`never lose a recorded run and never leave the store unusable (${ROUNDS} rounds of plans, history and audit verify, some killed with SIGKILL)`, async () => {
    const random = prng(20261202);
    const recorded = new Set<number>();
    const tally = { recorded: 0, busy: 0, killed: 0, read: 0 };
    let lastRoundMs = 2500;
    for (let round = 0; round < ROUNDS; round++) {
      const jobs: [string, string[]][] = [
        ['plan', ['plan', '--at', `2026-11-22T${String(round).padStart(2, '0')}:00Z`]],
        ['plan', ['plan', '--at', `2026-11-22T${String(round).padStart(2, '0')}:30Z`, '--json']],
        ['history', ['history', '--json']],
        ['audit', ['audit', 'verify']],
      ];
      // Round 0 kills whoever first creates the database, early; every other later round
      // kills whoever has the database open at a random moment. The moments fall within a
      // round's work, as long as the last round took (a fixed span was often after the round
      // was over once the CLI got faster, and then nothing was killed).
      const began = Date.now();
      const procs = jobs.map(([what, args]) => start(what, args, Math.floor(random() * 800)));
      const all = Promise.all(procs.map((p) => p.outcome));
      if (round === 0 || round % 2 === 1)
        killHolder(procs, round === 0 ? random() * 1500 : random() * 0.8 * lastRoundMs, all);
      const outcomes = await all;
      lastRoundMs = Date.now() - began;
      for (const o of outcomes) {
        for (const id of recordedIn(o)) recorded.add(id);
        if (o.signal === 'SIGKILL') {
          tally.killed++;
          continue;
        }
        expect(o.stderr, `${o.what} in round ${round}`).not.toMatch(/internal error|\n\s+at .*:\d+:\d+/);
        if (o.code === 4) {
          // Busy is an answer that says who has the database, never a silent success.
          tally.busy++;
          expect(o.stderr).toMatch(
            /is in use by pid \d+ on \S+ \(shisa (plan|history|audit verify) --config regions\/examples\/fleet\.yaml( \[rebalancing\])?, since /,
          );
          continue;
        }
        expect(o.code, `${o.what} in round ${round}: ${o.stderr}`).toBe(0);
        if (o.what === 'plan') {
          tally.recorded++;
          expect(recordedIn(o)).toHaveLength(1);
        } else tally.read++;
        if (o.what === 'audit') expect(o.stdout).toMatch(/^Audit log intact: /);
      }
    }
    // Every run a plan said it recorded is there, the log is intact, and the next plan records.
    const history = await start('history', ['history', '--json'], 0).outcome;
    expect(history.code, history.stderr).toBe(0);
    const ids = (JSON.parse(history.stdout) as { runs: { id: number }[] }).runs.map((r) => r.id);
    for (const id of recorded) expect(ids).toContain(id);
    const audit = await start('audit', ['audit', 'verify'], 0).outcome;
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    const next = await start('plan', ['plan', '--at', '2026-11-23T00:00Z'], 0).outcome;
    expect(next.code, next.stderr).toBe(0);
    expect(recordedIn(next)).toHaveLength(1);
    expect(tally.recorded).toBeGreaterThanOrEqual(ROUNDS / 2);
    // A kill lands unless the round's processes were all done by its time.
    expect(tally.killed).toBeGreaterThanOrEqual(3);
    process.stdout.write(`embedded overlap: ${JSON.stringify({ ...tally, runs: ids.length })}\n`);
  }, 600_000);
});
