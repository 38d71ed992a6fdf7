import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';

/** What this node offers for loading eBPF programs, read once at start. */
export interface HostFacts {
  /** Effective capabilities: CAP_SYS_ADMIN, or CAP_BPF with CAP_NET_ADMIN. */
  readonly privileged: boolean;
  readonly btf: boolean;
  readonly cgroup2: boolean;
  /** clang, bpftool, make, cc and libbpf's headers: enough to build the loader here. */
  readonly toolchain: boolean;
  readonly missingTools: readonly string[];
  readonly loaderPresent: boolean;
}

export type Mode =
  { readonly mode: 'enforce' } | { readonly mode: 'observe-only'; readonly reasons: readonly string[] };

/**
 * Whether the agent can load the programs. Anything missing makes it observe-only: it
 * still serves /status and /metrics, with every verdict unknown, and says why.
 */
export function decideMode(f: HostFacts): Mode {
  const reasons: string[] = [];
  if (!f.privileged)
    reasons.push(
      'not privileged: loading eBPF programs needs CAP_SYS_ADMIN, or CAP_BPF with CAP_NET_ADMIN ' +
        '(run as root or grant them)',
    );
  if (!f.btf) reasons.push('the kernel has no BTF (/sys/kernel/btf/vmlinux): CO-RE programs cannot be loaded');
  if (!f.cgroup2)
    reasons.push('no cgroup v2 mount found: the programs attach to cgroup v2 (mount -t cgroup2 none /sys/fs/cgroup)');
  if (!f.loaderPresent && !f.toolchain)
    reasons.push(
      `no loader built and no toolchain to build it (missing: ${f.missingTools.join(', ')}; ` +
        'apt install clang llvm libbpf-dev bpftool make)',
    );
  return reasons.length ? { mode: 'observe-only', reasons } : { mode: 'enforce' };
}

const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;
const CAP_BPF = 39n;

export async function probeHost(loaderPath: string): Promise<HostFacts> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const capEff = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0'}`);
  const has = (bit: bigint): boolean => ((capEff >> bit) & 1n) === 1n;
  const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
  const tools = await Promise.all(
    ['clang', 'bpftool', 'make', 'cc'].map(async (t) => ((await onPath(t)) ? undefined : t)),
  );
  const headers = await exists('/usr/include/bpf/libbpf.h');
  const missingTools = [...tools.filter((t): t is string => t !== undefined), ...(headers ? [] : ['libbpf headers'])];
  return {
    privileged: has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_NET_ADMIN)),
    btf: await exists('/sys/kernel/btf/vmlinux'),
    cgroup2: /^\S+ \S+ cgroup2 /m.test(mounts),
    toolchain: missingTools.length === 0,
    missingTools,
    loaderPresent: await exists(loaderPath, constants.X_OK),
  };
}

async function exists(path: string, mode = constants.R_OK): Promise<boolean> {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}

function onPath(cmd: string): Promise<boolean> {
  return new Promise((resolve) => execFile('sh', ['-c', `command -v ${cmd}`], (err) => resolve(!err)));
}
