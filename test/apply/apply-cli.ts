/**
 * `shisa apply` as a child process whose progress the test reads as it comes: each NDJSON
 * line of `--json` is handed to `onEvent` the moment it arrives (to take a cluster down
 * mid-move, or to kill the process), and the whole run is returned at the end. The fakes
 * run in the test's process, so the CLI must never be run synchronously.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../clusters/example-clusters.js';

export interface ApplyEventLine {
  readonly type: string;
  readonly migration?: number;
  readonly workload?: string;
  readonly state?: string;
  readonly end?: string;
  readonly reason?: string;
  readonly [key: string]: unknown;
}

export interface Summary {
  readonly type: 'summary';
  readonly run?: number;
  readonly done: number;
  readonly rolled_back: number;
  readonly skipped: number;
  readonly stuck: number;
  readonly failed: number;
  readonly requests: number;
  readonly watches: number;
  readonly saved_g_per_h: number;
  readonly migrations: readonly {
    readonly id: number;
    readonly workload: string;
    readonly from: string;
    readonly to: string;
    readonly end: string;
    readonly reason?: string;
    readonly resumed_from?: string;
  }[];
}

export interface ApplyRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly events: readonly ApplyEventLine[];
  readonly summary: Summary | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningApply {
  readonly child: ChildProcess;
  readonly done: Promise<ApplyRun>;
}

/** Starts `node bin/shisa.js …args` with only PATH and HOME set. */
export function startShisa(
  home: string,
  args: readonly string[],
  onEvent: (e: ApplyEventLine) => void = () => {},
): RunningApply {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'shisa.js'), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: home },
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  const events: ApplyEventLine[] = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    pending += d.toString();
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      try {
        const e = JSON.parse(line) as ApplyEventLine;
        events.push(e);
        onEvent(e);
      } catch {
        // a line that is not an event: it stays in stdout for the test to show
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<ApplyRun>((resolve, reject) => {
    child.once('error', reject);
    child.on('close', (code, signal) => {
      const summary = events.find((e) => e.type === 'summary') as Summary | undefined;
      resolve({ code, signal, events, summary, stdout, stderr });
    });
  });
  return { child, done };
}

/** `shisa apply --json` on the world's fleet and kubeconfig, with `more` arguments. */
export function applyArgs(world: { fleet: string; kubeconfig: string }, ...more: string[]): string[] {
  return ['apply', '--config', world.fleet, '--kubeconfig', world.kubeconfig, '--json', ...more];
}
