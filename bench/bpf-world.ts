/**
 * What `npm run bench:bpf` runs against: the shisa-loader speaking NDJSON, a cgroup v2 for the
 * workload, a loopback listener, and connect-bench processes started inside that cgroup.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export type Json = Record<string, unknown>;

/** One line of connect-bench (bpf/bench/connect_bench.c). */
export interface BenchRun {
  count: number;
  ok: number;
  refused: number;
  other: number;
  last_errno: number;
  total_ns: number;
  per_pair_ns: number;
  connect_p50_ns: number;
  connect_p99_ns: number;
  connect_max_ns: number;
}

export type ProgStats = Record<string, { runs: number; run_cnt: number; run_time_ns: number }>;

/** The loader: one reply line per request (matched by id), event lines have no id. */
export class Loader {
  readonly events: Json[] = [];
  readonly ready: Promise<Json>;
  private readonly proc: ChildProcess;
  private readonly pending = new Map<number, { resolve: (r: Json) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  exited = false;

  constructor(bin: string, pinDir: string) {
    // Own process group, so a Ctrl-C reaches only us and we can still uninstall.
    this.proc = spawn(bin, ['--pin-dir', pinDir], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
    let onReady: (j: Json) => void = () => {};
    let onFail: (e: Error) => void = () => {};
    this.ready = new Promise((res, rej) => ((onReady = res), (onFail = rej)));
    this.proc.on('error', (e) => ((this.exited = true), onFail(new Error(`loader: ${e.message}`))));
    this.proc.stdin!.on('error', () => {}); // a dead loader: its exit rejects what is pending
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      let msg: Json;
      try {
        msg = JSON.parse(line) as Json;
      } catch {
        return console.error(`loader said: ${line}`);
      }
      if (msg.event === 'ready') onReady(msg);
      else if (msg.event === 'fatal') onFail(new Error(`loader: ${String(msg.code)}: ${String(msg.message)}`));
      else if (msg.event !== undefined) this.events.push(msg);
      const waiter = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
      if (!waiter) return;
      this.pending.delete(msg.id as number);
      if (msg.ok === true) waiter.resolve(msg);
      else waiter.reject(new Error(`loader ${String(msg.code)}: ${String(msg.message)}`));
    });
    this.proc.on('exit', (code, signal) => {
      this.exited = true;
      const e = new Error(`loader exited (${signal ?? code})`);
      onFail(e);
      for (const w of this.pending.values()) w.reject(e);
      this.pending.clear();
    });
  }

  request(op: string, args: Json = {}): Promise<Json> {
    if (this.exited) return Promise.reject(new Error(`loader is gone (op ${op})`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  async stats(): Promise<ProgStats> {
    const r = (await this.request('stats')) as {
      programs: { name: string; runs: number; run_cnt: number; run_time_ns: number }[];
    };
    return Object.fromEntries(
      r.programs.map((p) => [p.name, { runs: p.runs, run_cnt: p.run_cnt, run_time_ns: p.run_time_ns }]),
    );
  }

  /** `uninstall` (detach all, remove pins; the loader then exits) and wait for the exit. */
  async uninstall(timeoutMs = 5_000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((res) => this.proc.once('exit', res));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>(
      (_, rej) => (timer = setTimeout(() => rej(new Error('loader did not answer uninstall')), timeoutMs)),
    );
    try {
      await Promise.race([this.request('uninstall').then(() => gone), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (!this.exited) this.proc.kill('SIGKILL');
  }
}

/** An existing cgroup2 mount, else one mounted on a temporary folder (`mounted`: unmount it after). */
export function cgroup2Root(): { root: string; mounted: boolean } {
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const [, dir, type] = line.split(' ');
    if (type === 'cgroup2' && dir) return { root: dir, mounted: false };
  }
  const root = mkdtempSync(join(tmpdir(), 'shisa-cgroup2-'));
  execFileSync('mount', ['-t', 'cgroup2', 'none', root]);
  return { root, mounted: true };
}

export function makeCgroup(root: string, name: string): string {
  const path = join(root, name);
  mkdirSync(path);
  return path;
}

/** rmdir a cgroup; its processes may take a moment to be released after they exit. */
export async function removeCgroup(path: string): Promise<void> {
  for (let k = 0; ; k++) {
    try {
      rmdirSync(path);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || k >= 50) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** A loopback listener that accepts and drops every connection, counting them. */
export async function startListener(): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  let accepted = 0;
  const server = createServer((sock) => {
    accepted++;
    sock.on('error', () => {});
    sock.destroy();
  });
  // Backlog 4096 (= net.core.somaxconn here): the accept queue must never fill, or a SYN is
  // dropped and that connect waits a second for its retransmission.
  await new Promise<void>((res, rej) =>
    server.once('error', rej).listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, res),
  );
  const port = (server.address() as { port: number }).port;
  return { port, accepted: () => accepted, close: () => new Promise((res) => server.close(() => res())) };
}

export const running = new Set<ChildProcess>();

/** Runs one connect-bench and parses the JSON line it prints. */
function runBench<T>(cmd: string, args: readonly string[], what: string): Promise<T> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running.delete(child);
      if (code === 0) resolve(JSON.parse(out) as T);
      else reject(new Error(`${what} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

/** connect-bench ADDR PORT COUNT, moved into `cgroup` before it execs. */
export function connectBench(bin: string, cgroup: string, port: number, count: number): Promise<BenchRun> {
  const script = 'echo $$ > "$1/cgroup.procs" && exec "$2" 127.0.0.1 "$3" "$4"';
  return runBench('sh', ['-c', script, 'sh', cgroup, bin, String(port), String(count)], 'connect-bench');
}

/** connect-bench --self-listen: its own listener, opened before it joins `cgroup`. */
export function selfListenBench(bin: string, cgroup: string, count: number): Promise<BenchRun & { port: number }> {
  return runBench(bin, ['--self-listen', cgroup, String(count)], 'connect-bench --self-listen');
}

/** TcpExt ListenOverflows of this network namespace: SYNs a full accept queue dropped. */
export function listenOverflows(): number {
  const [names, values] = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  return Number(values?.split(' ')[names?.split(' ').indexOf('ListenOverflows') ?? -1] ?? 0);
}

/** Half the ephemeral port range: a destination gets its ports in strides of two. */
export function ephemeralStride(): number {
  const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  return Math.floor(((hi ?? 60999) - (lo ?? 32768) + 1) / 2);
}
