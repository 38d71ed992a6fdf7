import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { EnforcerStatus } from '../../enforcer/status.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** `shisa enforcer` as a real process, with its log lines and HTTP endpoint. */
export class AgentProcess {
  readonly log: string[] = [];
  url = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  private constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, [join(ROOT, 'bin', 'shisa.js'), 'enforcer', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    const take = (d: Buffer): void => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      this.log.push(...lines);
    };
    this.child.stdout!.on('data', take);
    this.child.stderr!.on('data', take);
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
  }

  /** Starts the agent and waits for the line that says where it serves. */
  static async start(args: readonly string[], timeoutMs = 120_000): Promise<AgentProcess> {
    const a = new AgentProcess(args);
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      const line = a.log.find((l) => l.includes('serving http://'));
      if (line) {
        a.url = /serving (http:\/\/\S+?)\/status/.exec(line)![1]!;
        return a;
      }
      const code = await Promise.race([a.exited, new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 100))]);
      if (code !== 'waiting') throw new Error(`shisa enforcer exited with ${code}:\n${a.log.join('\n')}`);
    }
    a.child.kill('SIGKILL');
    throw new Error(`shisa enforcer did not start within ${timeoutMs} ms:\n${a.log.join('\n')}`);
  }

  async status(): Promise<EnforcerStatus> {
    const res = await fetch(`${this.url}/status`);
    return (await res.json()) as EnforcerStatus;
  }

  async metrics(): Promise<string> {
    return (await fetch(`${this.url}/metrics`)).text();
  }

  /** Polls /status until `pred` holds; fails with the last status and the log. */
  async waitFor(pred: (s: EnforcerStatus) => boolean, what: string, timeoutMs = 15_000): Promise<EnforcerStatus> {
    const started = Date.now();
    let last: EnforcerStatus | undefined;
    while (Date.now() - started < timeoutMs) {
      last = await this.status();
      if (pred(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `timed out waiting for ${what}; last status:\n${JSON.stringify(last, null, 2)}\nlog:\n${this.log.join('\n')}`,
    );
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}

/** Runs `shisa enforcer …` to completion (e.g. --uninstall). */
export function runEnforcer(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'shisa.js'), 'enforcer', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
