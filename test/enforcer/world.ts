import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A small real world for the enforcer tests: a cgroup v2 for the workload and one for an
 * outsider, and a network namespace joined by a veth pair standing for a remote region,
 * with TCP servers in it and nftables counting the SYNs that arrive. Connects are made
 * by bpf/build/connect-bench started inside a cgroup, so the kernel attributes them to it.
 */

const run = promisify(execFile);

export interface BenchResult {
  readonly count: number;
  readonly ok: number;
  readonly refused: number;
  readonly other: number;
  readonly last_errno: number;
  readonly connect_p50_ns: number;
  readonly connect_max_ns: number;
}

const TOOLS = ['ip', 'nft', 'clang', 'bpftool', 'make', 'cc'];

/** Whether the kernel suite runs: root, BTF and the tools. In CI a missing part fails the run. */
export function kernelSuiteAvailable(): boolean {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root');
  if (!existsSync('/sys/kernel/btf/vmlinux')) missing.push('kernel BTF');
  for (const t of TOOLS) {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
    } catch {
      missing.push(t);
    }
  }
  if (!existsSync('/usr/include/bpf/libbpf.h')) missing.push('libbpf-dev');
  if (missing.length === 0) return true;
  if (process.env.CI === 'true')
    throw new Error(`the eBPF enforcer suite must run in CI, but this machine lacks: ${missing.join(', ')}`);
  process.stderr.write(
    `\n*** SKIPPING the eBPF enforcer suite: missing ${missing.join(', ')} (CI installs clang llvm libbpf-dev bpftool iproute2 nftables and runs as root) ***\n\n`,
  );
  return false;
}

export class World {
  readonly id = `${process.pid % 100000}`;
  readonly ns = `shisa-t${this.id}`;
  readonly hostIf = `sht${this.id}a`;
  readonly remoteIf = `sht${this.id}b`;
  readonly hostIp = '10.231.0.1';
  readonly remoteIp = '10.231.0.2';
  readonly workloadCgroup: string;
  readonly outsiderCgroup: string;
  /** A cgroup below the workload's, as a pod's container cgroup sits below the pod's. */
  readonly nestedCgroup: string;
  private readonly mountedCgroup2?: string;
  private readonly servers = new Map<number, ChildProcess>();
  private readonly children = new Set<ChildProcess>();

  constructor(readonly benchPath: string) {
    const mounts = readFileSync('/proc/self/mounts', 'utf8');
    let root = /^\S+ (\S+) cgroup2 /m.exec(mounts)?.[1];
    if (!root) {
      root = `/tmp/shisa-cgroup2-${this.id}`;
      mkdirSync(root, { recursive: true });
      execFileSync('mount', ['-t', 'cgroup2', 'none', root]);
      this.mountedCgroup2 = root;
    }
    this.workloadCgroup = join(root, `shisa-test-${this.id}-web`);
    this.outsiderCgroup = join(root, `shisa-test-${this.id}-outsider`);
    this.nestedCgroup = join(this.workloadCgroup, 'container');
  }

  async setUp(): Promise<void> {
    for (const cg of [this.workloadCgroup, this.nestedCgroup, this.outsiderCgroup]) mkdirSync(cg, { recursive: true });
    await this.tearDownNetwork();
    const sh = async (cmd: string): Promise<void> => void (await run('sh', ['-c', cmd]));
    await sh(`ip netns add ${this.ns}`);
    await sh(`ip link add ${this.hostIf} type veth peer name ${this.remoteIf}`);
    await sh(`ip link set ${this.remoteIf} netns ${this.ns}`);
    await sh(`ip addr add ${this.hostIp}/30 dev ${this.hostIf} && ip link set ${this.hostIf} up`);
    await sh(
      `ip -n ${this.ns} addr add ${this.remoteIp}/30 dev ${this.remoteIf} && ip -n ${this.ns} link set ${this.remoteIf} up && ip -n ${this.ns} link set lo up`,
    );
    // Count SYNs per port as they arrive in the remote region; a set remembers which
    // connections already lost their first SYN when latency is injected.
    await this.nft(`
      table inet shisa_test {
        counter syn8080 {}
        counter syn8081 {}
        counter syn8082 {}
        set delayed { type ipv4_addr . inet_service; flags dynamic, timeout; timeout 60s; }
        chain delay { type filter hook input priority -10; policy accept; }
        chain input {
          type filter hook input priority 0; policy accept;
          tcp dport 8080 tcp flags & (syn | ack) == syn counter name syn8080
          tcp dport 8081 tcp flags & (syn | ack) == syn counter name syn8081
          tcp dport 8082 tcp flags & (syn | ack) == syn counter name syn8082
        }
      }`);
  }

  private async nft(script: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const p = spawn('ip', ['netns', 'exec', this.ns, 'nft', '-f', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`nft failed: ${out}`))));
      p.stdin.end(script);
    });
  }

  /** SYNs that reached the remote end on a port. */
  async synCount(port: number): Promise<number> {
    const { stdout } = await run('ip', [
      'netns',
      'exec',
      this.ns,
      'nft',
      'list',
      'counter',
      'inet',
      'shisa_test',
      `syn${port}`,
    ]);
    return Number(/packets (\d+)/.exec(stdout)?.[1] ?? NaN);
  }

  /** Drops the first SYN of every connection to `port`: the retransmission comes ~1 s later. */
  async delayFirstSyn(port: number): Promise<void> {
    await this.nft(
      `add rule inet shisa_test delay tcp dport ${port} tcp flags & (syn | ack) == syn ip saddr . tcp sport != @delayed update @delayed { ip saddr . tcp sport } drop`,
    );
  }

  async removeDelay(): Promise<void> {
    await this.nft('flush chain inet shisa_test delay');
  }

  /** A TCP server in the remote region that accepts and closes. */
  async listen(port: number): Promise<void> {
    const p = spawn(
      'ip',
      [
        'netns',
        'exec',
        this.ns,
        process.execPath,
        '-e',
        `require('net').createServer((s) => s.destroy()).listen({ port: ${port}, host: '${this.remoteIp}', backlog: 4096 }, () => console.log('up'))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    this.servers.set(port, p);
    await new Promise<void>((resolve, reject) => {
      p.stdout.once('data', () => resolve());
      p.once('exit', (code) => reject(new Error(`server on ${port} exited with ${code}`)));
    });
  }

  async stopListening(port: number): Promise<void> {
    const p = this.servers.get(port);
    if (!p) return;
    this.servers.delete(port);
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  }

  /** COUNT sequential connects from inside `cgroup` to the remote region. */
  connect(cgroup: string, port: number, count = 1): Promise<BenchResult> {
    return new Promise((resolve, reject) => {
      const p = spawn(
        'sh',
        ['-c', `echo $$ > ${cgroup}/cgroup.procs && exec ${this.benchPath} ${this.remoteIp} ${port} ${count}`],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      this.children.add(p);
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (code) => {
        this.children.delete(p);
        if (code !== 0) return reject(new Error(`connect-bench exited with ${code}: ${err}`));
        resolve(JSON.parse(out) as BenchResult);
      });
    });
  }

  async tearDown(): Promise<void> {
    for (const p of this.children) p.kill('SIGKILL');
    for (const port of [...this.servers.keys()]) await this.stopListening(port);
    await this.tearDownNetwork();
    for (const cg of [this.nestedCgroup, this.workloadCgroup, this.outsiderCgroup]) {
      try {
        rmdirSync(cg);
      } catch {
        // still has a process in it or already gone; nothing else to do
      }
    }
    if (this.mountedCgroup2) execFileSync('umount', [this.mountedCgroup2]);
  }

  private async tearDownNetwork(): Promise<void> {
    await run('sh', ['-c', `ip netns del ${this.ns} 2>/dev/null; ip link del ${this.hostIf} 2>/dev/null; true`]);
  }
}
