import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Span } from '../scheduler/diagnostics/source-file.js';
import { podCgroupCandidates, resolveCgroup } from './cgroups.js';
import type { NodeWorkload } from './config.js';

const UID = '3f1c2a9e-5b7d-4e21-9c0a-1d2e3f4a5b6c';
const UID_ = '3f1c2a9e_5b7d_4e21_9c0a_1d2e3f4a5b6c';
const SPAN: Span = { file: 'enforcer.yaml', start: 0, end: 0, line: 1, col: 1 };

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempRoot = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'shisa-cgroups-'));
  dirs.push(dir);
  return dir;
};

/** A directory that looks like a cgroup v2 (cgroup.procs and cgroup.controllers), or a v1 one (cgroup.procs only). */
function fakeCgroup(path: string, version: 1 | 2 = 2): string {
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'cgroup.procs'), '');
  if (version === 2) writeFileSync(join(path, 'cgroup.controllers'), 'cpu memory pids\n');
  return path;
}

const byPath = (path: string): NodeWorkload => ({ name: 'shop/web', cgroup: { path }, span: SPAN });
const byPod = (podUid: string): NodeWorkload => ({ name: 'shop/web', cgroup: { podUid }, span: SPAN });

describe('podCgroupCandidates', () => {
  it('lists the systemd and cgroupfs layouts for every QoS class', () => {
    expect(podCgroupCandidates('/sys/fs/cgroup', UID)).toEqual([
      `/sys/fs/cgroup/kubepods.slice/kubepods-pod${UID_}.slice`,
      `/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice`,
      `/sys/fs/cgroup/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice`,
      `/sys/fs/cgroup/kubepods/pod${UID}`,
      `/sys/fs/cgroup/kubepods/burstable/pod${UID}`,
      `/sys/fs/cgroup/kubepods/besteffort/pod${UID}`,
    ]);
  });

  it('writes the uid with underscores for systemd only', () => {
    const c = podCgroupCandidates('/r', UID);
    expect(c.filter((p) => p.includes('.slice')).every((p) => p.includes(UID_) && !p.includes(UID))).toBe(true);
    expect(c.filter((p) => !p.includes('.slice')).every((p) => p.endsWith(`pod${UID}`))).toBe(true);
  });
});

describe('resolveCgroup', () => {
  it('accepts a configured path that is a cgroup v2 directory', async () => {
    const cg = fakeCgroup(join(tempRoot(), 'web'));
    expect(await resolveCgroup(byPath(cg), '/unused')).toEqual({ path: cg });
  });

  it('refuses a configured path that is not a cgroup v2 directory, saying why', async () => {
    const root = tempRoot();
    const plain = join(root, 'plain');
    mkdirSync(plain);
    const v1 = fakeCgroup(join(root, 'v1'), 1);
    for (const path of [plain, join(root, 'missing')]) {
      expect(await resolveCgroup(byPath(path), root)).toEqual({
        problem: `${path} is not a cgroup v2 directory (no cgroup.procs)`,
      });
    }
    expect(await resolveCgroup(byPath(v1), root)).toEqual({
      problem: `${v1} is a cgroup v1 directory; the programs attach to cgroup v2`,
    });
  });

  it('finds a pod’s cgroup in the systemd layout', async () => {
    const root = tempRoot();
    const cg = fakeCgroup(
      join(root, 'kubepods.slice', 'kubepods-burstable.slice', `kubepods-burstable-pod${UID_}.slice`),
    );
    expect(await resolveCgroup(byPod(UID), root)).toEqual({ path: cg });
  });

  it('finds a pod’s cgroup in the cgroupfs layout', async () => {
    const root = tempRoot();
    const cg = fakeCgroup(join(root, 'kubepods', 'besteffort', `pod${UID}`));
    expect(await resolveCgroup(byPod(UID), root)).toEqual({ path: cg });
  });

  it('skips a candidate that only imitates cgroup v1', async () => {
    const root = tempRoot();
    fakeCgroup(join(root, 'kubepods.slice', `kubepods-pod${UID_}.slice`), 1);
    const v2 = fakeCgroup(join(root, 'kubepods', `pod${UID}`));
    expect(await resolveCgroup(byPod(UID), root)).toEqual({ path: v2 });
  });

  it('says where it looked when a pod has no cgroup on this node', async () => {
    const root = tempRoot();
    fakeCgroup(join(root, 'kubepods', 'burstable', 'pod00000000-0000-0000-0000-000000000000'));
    expect(await resolveCgroup(byPod(UID), root)).toEqual({
      problem: `no cgroup for pod ${UID} under ${root} (looked in 6 places kubelet uses)`,
    });
  });
});
