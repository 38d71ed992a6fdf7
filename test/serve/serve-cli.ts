/**
 * `shisa serve` as a child process: its JSON log lines handed to `onLine` as they come (to
 * act the moment a migration reaches `verifying`, or to kill it), the whole log kept. The
 * fakes run in the test's process, so the CLI must never be run synchronously.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../clusters/example-clusters.js';

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly event?: string;
  readonly [key: string]: unknown;
}

export interface RunningServe {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  /** stderr, and stdout lines that are not JSON. */
  readonly other: string[];
  /** Resolves with the first log line `match` accepts (rejects after `timeoutMs`). */
  waitFor(match: (l: LogLine) => boolean, timeoutMs?: number, what?: string): Promise<LogLine>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node bin/shisa.js serve …args` with PATH, HOME and `env` only. */
export function startServe(
  home: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  onLine: (l: LogLine) => void = () => {},
): RunningServe {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'shisa.js'), 'serve', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: home, ...env },
  });
  const lines: LogLine[] = [];
  const other: string[] = [];
  const waiters = new Set<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  let pending = '';
  child.stdout.on('data', (d: Buffer) => {
    pending += d.toString();
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const text = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        other.push(text);
        continue;
      }
      lines.push(line);
      onLine(line);
      for (const w of [...waiters])
        if (w.match(line)) {
          waiters.delete(w);
          w.resolve(line);
        }
    }
  });
  child.stderr.on('data', (d: Buffer) => other.push(d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (match: (l: LogLine) => boolean, timeoutMs = 60_000, what = 'a log line') => {
    const seen = lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      const w = { match, resolve: (l: LogLine) => (clearTimeout(timer), resolve(l)) };
      const timer = setTimeout(() => {
        waiters.delete(w);
        const tail = lines.slice(-15).map((l) => `${l.event ?? ''} ${l.msg}`);
        reject(
          new Error(`no ${what} within ${timeoutMs} ms; last lines:\n${[...tail, ...other.slice(-5)].join('\n')}`),
        );
      }, timeoutMs);
      waiters.add(w);
      void exited.then(() => {
        if (!waiters.has(w)) return;
        waiters.delete(w);
        clearTimeout(timer);
        reject(new Error(`shisa serve exited before ${what}; ${[...other.slice(-10)].join('\n')}`));
      });
    });
  };
  return { child, lines, other, waitFor, exited };
}

/** The arguments `shisa serve` runs a world with: its fleet and kubeconfig, any free port, and `more`. */
export function serveArgs(world: { fleet: string; kubeconfig: string }, ...more: string[]): string[] {
  return ['--config', world.fleet, '--kubeconfig', world.kubeconfig, '--listen', '127.0.0.1:0', ...more];
}

/** Kills (SIGKILL) every child still running: what a failed test leaves behind. */
export function killAll(children: readonly RunningServe[]): void {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
}

/** Polls `probe` every 100 ms until it gives a value (not undefined or false). */
export async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = probe();
    if (got !== undefined && got !== false) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
