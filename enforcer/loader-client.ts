import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { LoaderError } from './loader-error.js';
import type { BreakerEvent, Op, ReadyEvent, Replies } from './loader-protocol.js';

export interface LoaderStartOptions {
  readonly path: string;
  readonly pinDir: string;
  /** Enable the kernel's run-time statistics (bpf_enable_stats) while the loader runs. */
  readonly kernelStats?: boolean;
  readonly onEvent: (e: BreakerEvent) => void;
  /** A line the loader (or libbpf) wrote to stderr. */
  readonly onLog: (line: string) => void;
  /** The process ended without being asked to (crash, kill). */
  readonly onExit: (code: number | null, signal: NodeJS.Signals | null) => void;
  readonly startTimeoutMs?: number;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The agent's end of the loader process: starts it, waits for "ready", and turns the
 * NDJSON stream into promise-returning requests and event callbacks. A loader that exits
 * fails every pending request with LOADER_EXITED; its pinned state stays in the kernel.
 */
export class LoaderClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closing = false;
  private exited = false;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly ready: ReadyEvent,
  ) {}

  static start(options: LoaderStartOptions): Promise<LoaderClient> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        options.path,
        ['--pin-dir', options.pinDir, ...(options.kernelStats ? ['--kernel-stats'] : [])],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let client: LoaderClient | undefined;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new LoaderError(
            'LOADER_TIMEOUT',
            `the loader did not report ready within ${options.startTimeoutMs ?? 15000} ms`,
          ),
        );
      }, options.startTimeoutMs ?? 15000);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new LoaderError('LOADER_EXITED', `cannot start the loader ${options.path}: ${err.message}`));
      });
      child.stdin.on('error', () => undefined); // EPIPE after the loader exits; 'exit' reports it
      createInterface({ input: child.stderr }).on('line', (l) => options.onLog(l));
      createInterface({ input: child.stdout }).on('line', (line) => {
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(line) as Record<string, unknown>;
        } catch {
          options.onLog(`loader wrote a line that is not JSON: ${line.slice(0, 200)}`);
          return;
        }
        if (!client) {
          clearTimeout(timer);
          if (msg['event'] === 'ready') {
            client = new LoaderClient(child, msg as unknown as ReadyEvent);
            resolve(client);
          } else {
            reject(new LoaderError(field(msg, 'code', 'LOADER_EXITED'), field(msg, 'message', line)));
          }
          return;
        }
        client.receive(msg, options);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (!client) {
          reject(
            new LoaderError(
              'LOADER_EXITED',
              `the loader exited before it was ready (${signal ?? `exit code ${code}`})`,
            ),
          );
          return;
        }
        client.exited = true;
        client.failAll(new LoaderError('LOADER_EXITED', `the loader exited (${signal ?? `exit code ${code}`})`));
        if (!client.closing) options.onExit(code, signal);
      });
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  request<O extends Op>(
    op: O,
    args: Record<string, string | number | boolean> = {},
    timeoutMs = 10_000,
  ): Promise<Replies[O]> {
    if (this.exited) return Promise.reject(new LoaderError('LOADER_EXITED', 'the loader is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new LoaderError('LOADER_TIMEOUT', `the loader did not answer "${op}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.child.stdin.write(JSON.stringify({ id, op, ...args }) + '\n');
    });
  }

  /** Asks the loader to exit (pins stay) and waits for it; kills it after `graceMs`. */
  async close(graceMs = 3000): Promise<void> {
    if (this.exited) return;
    this.closing = true;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  private receive(msg: Record<string, unknown>, options: LoaderStartOptions): void {
    if (msg['event'] === 'breaker') {
      options.onEvent(msg as unknown as BreakerEvent);
      return;
    }
    const id = typeof msg['id'] === 'number' ? msg['id'] : 0;
    const p = this.pending.get(id);
    if (!p) {
      if (msg['ok'] === false) options.onLog(`loader: ${field(msg, 'code', '?')}: ${field(msg, 'message', '?')}`);
      return;
    }
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (msg['ok'] === true) p.resolve(msg);
    else p.reject(new LoaderError(field(msg, 'code', 'LOADER_ERROR'), field(msg, 'message', 'request failed')));
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }
}

/** A text field of a loader message; anything else (missing, or not text) reads as `fallback` or as JSON. */
function field(msg: Record<string, unknown>, key: string, fallback: string): string {
  const v = msg[key];
  if (v === undefined || v === null) return fallback;
  return typeof v === 'string' ? v : JSON.stringify(v);
}
