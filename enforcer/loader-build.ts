import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LoaderError } from './loader-error.js';

export interface LoaderBuild {
  readonly path: string;
  /** True when this call ran make. */
  readonly built: boolean;
}

/**
 * Finds the loader binary, building it with make when it is missing or older than any
 * source in bpf/. The build compiles the eBPF programs against this kernel's BTF, so it
 * happens on the node, not at package time.
 */
export async function ensureLoader(bpfDir: string, buildDir: string, canBuild: boolean): Promise<LoaderBuild> {
  const path = join(buildDir, 'shisa-loader');
  const built = await mtime(path);
  if (built !== undefined && (!canBuild || built >= (await newestSource(bpfDir)))) return { path, built: false };
  if (!canBuild) throw new LoaderError('LOADER_BUILD_FAILED', `no loader at ${path} and no toolchain to build one`);
  await new Promise<void>((resolve, reject) => {
    execFile(
      'make',
      ['-C', bpfDir, `BUILD=${buildDir}`],
      { timeout: 300_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (!err) return resolve();
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n');
        reject(new LoaderError('LOADER_BUILD_FAILED', `make -C ${bpfDir} failed:\n${tail}`));
      },
    );
  });
  return { path, built: true };
}

async function mtime(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const sub of [dir, join(dir, 'bench')]) {
    let names: string[];
    try {
      names = await readdir(sub);
    } catch {
      continue;
    }
    for (const n of names)
      if (/\.(c|h)$|^Makefile$/.test(n)) newest = Math.max(newest, (await mtime(join(sub, n))) ?? 0);
  }
  return newest;
}
