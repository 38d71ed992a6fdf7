import { describe, expect, it } from 'vitest';
import { decideMode, type HostFacts } from './host-facts.js';

const CAPABLE: HostFacts = {
  privileged: true,
  btf: true,
  cgroup2: true,
  toolchain: true,
  missingTools: [],
  loaderPresent: true,
};

const reasons = (f: Partial<HostFacts>): readonly string[] => {
  const m = decideMode({ ...CAPABLE, ...f });
  return m.mode === 'observe-only' ? m.reasons : [];
};

describe('decideMode', () => {
  it('enforces when everything is there', () => {
    expect(decideMode(CAPABLE)).toEqual({ mode: 'enforce' });
  });

  it('enforces with a prebuilt loader and no toolchain', () => {
    expect(decideMode({ ...CAPABLE, toolchain: false, missingTools: ['clang', 'bpftool'] })).toEqual({
      mode: 'enforce',
    });
  });

  it('enforces with a toolchain to build the loader that is not there yet', () => {
    expect(decideMode({ ...CAPABLE, loaderPresent: false })).toEqual({ mode: 'enforce' });
  });

  it('observes without privileges, and says which capabilities are needed', () => {
    expect(reasons({ privileged: false })).toEqual([
      expect.stringMatching(/^not privileged: .*CAP_SYS_ADMIN, or CAP_BPF with CAP_NET_ADMIN/),
    ]);
  });

  it('observes without kernel BTF', () => {
    expect(reasons({ btf: false })).toEqual([expect.stringMatching(/no BTF \(\/sys\/kernel\/btf\/vmlinux\)/)]);
  });

  it('observes without a cgroup v2 mount', () => {
    expect(reasons({ cgroup2: false })).toEqual([expect.stringMatching(/^no cgroup v2 mount found/)]);
  });

  it('observes with neither a loader nor a toolchain, naming the missing tools', () => {
    expect(reasons({ loaderPresent: false, toolchain: false, missingTools: ['clang', 'libbpf headers'] })).toEqual([
      expect.stringMatching(/^no loader built and no toolchain to build it \(missing: clang, libbpf headers;/),
    ]);
  });

  it('gives one reason per missing fact, all of them', () => {
    const all = reasons({
      privileged: false,
      btf: false,
      cgroup2: false,
      loaderPresent: false,
      toolchain: false,
      missingTools: ['make'],
    });
    expect(all).toHaveLength(4);
    expect(new Set(all).size).toBe(4);
    expect(all.map((r) => r.split(/[:(]/)[0]!.trim())).toEqual([
      'not privileged',
      'the kernel has no BTF',
      'no cgroup v2 mount found',
      'no loader built and no toolchain to build it',
    ]);
  });
});
