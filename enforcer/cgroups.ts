import { access } from 'node:fs/promises';
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
  for (const qos of ['burstable', 'besteffort'])
    out.push(join(root, 'kubepods.slice', `kubepods-${qos}.slice`, `kubepods-${qos}-pod${under}.slice`));
  out.push(join(root, 'kubepods', `pod${podUid}`));
  for (const qos of ['burstable', 'besteffort']) out.push(join(root, 'kubepods', qos, `pod${podUid}`));
  return out;
}

/** The cgroup v2 directory of a workload on this node, or why it cannot be found. */
export async function resolveCgroup(w: NodeWorkload, root: string): Promise<CgroupResolution> {
  const candidates = 'path' in w.cgroup ? [w.cgroup.path] : podCgroupCandidates(root, w.cgroup.podUid);
  for (const c of candidates) {
    if ((await cgroupKind(c)) === 'v2') return { path: c };
  }
  if ('path' in w.cgroup) {
    const kind = await cgroupKind(w.cgroup.path);
    return {
      problem:
        kind === 'v1'
          ? `${w.cgroup.path} is a cgroup v1 directory; the programs attach to cgroup v2`
          : `${w.cgroup.path} is not a cgroup v2 directory (no cgroup.procs)`,
    };
  }
  return {
    problem: `no cgroup for pod ${w.cgroup.podUid} under ${root} (looked in ${candidates.length} places kubelet uses)`,
  };
}

/** cgroup v1 directories have cgroup.procs too; only v2 has cgroup.controllers. */
async function cgroupKind(path: string): Promise<'v2' | 'v1' | undefined> {
  const has = async (f: string): Promise<boolean> =>
    access(join(path, f)).then(
      () => true,
      () => false,
    );
  if (!(await has('cgroup.procs'))) return undefined;
  return (await has('cgroup.controllers')) ? 'v2' : 'v1';
}
