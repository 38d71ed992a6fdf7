import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeWorkload } from './config.js';

export type CgroupResolution = { readonly path: string } | { readonly problem: string };

/**
 * Where kubelet puts a pod's cgroup under the cgroup v2 root, for both cgroup drivers
 * (systemd: kubepods.slice/…/kubepods-<qos>-pod<uid_with_underscores>.slice; cgroupfs:
 * kubepods/<qos>/pod<uid>) and the three QoS classes (guaranteed pods sit directly
 * under kubepods).
 */
export function podCgroupCandidates(root: string, podUid: string): string[] {
  const under = podUid.replace(/-/g, '_');
  const out: string[] = [join(root, 'kubepods.slice', `kubepods-pod${under}.slice`)];
  for (const qos of ['burstable', 'besteffort']) out.push(join(root, 'kubepods.slice', `kubepods-${qos}.slice`, `kubepods-${qos}-pod${under}.slice`));
  out.push(join(root, 'kubepods', `pod${podUid}`));
  for (const qos of ['burstable', 'besteffort']) out.push(join(root, 'kubepods', qos, `pod${podUid}`));
  return out;
}

/** The cgroup v2 directory of a workload on this node, or why it cannot be found. */
export async function resolveCgroup(w: NodeWorkload, root: string): Promise<CgroupResolution> {
  const candidates = 'path' in w.cgroup ? [w.cgroup.path] : podCgroupCandidates(root, w.cgroup.podUid);
  for (const c of candidates) {
    if (await isCgroupDir(c)) return { path: c };
  }
  return 'path' in w.cgroup
    ? { problem: `${w.cgroup.path} is not a cgroup v2 directory (no cgroup.procs)` }
    : { problem: `no cgroup for pod ${w.cgroup.podUid} under ${root} (looked in ${candidates.length} places kubelet uses)` };
}

async function isCgroupDir(path: string): Promise<boolean> {
  try {
    await access(join(path, 'cgroup.procs'));
    // cgroup v1 directories have cgroup.procs too; only v2 has cgroup.controllers.
    await readFile(join(path, 'cgroup.controllers'));
    return true;
  } catch {
    return false;
  }
}
