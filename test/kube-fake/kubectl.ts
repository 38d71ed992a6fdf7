// Runs real kubectl against fake clusters: the independent judge of the fake's fidelity.
// Each run gets the test's kubeconfig and its own --cache-dir (kubectl caches discovery per
// host:port, and ports are reused between tests), and a timeout so a hang fails the test.

import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKubeconfig, type KubeconfigEntry } from '../fakes/kube/fake-cluster.js';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Whether `kubectl` runs here at all (`kubectl version --client`). */
export function kubectlAvailable(): boolean {
  const r = spawnSync('kubectl', ['version', '--client'], { timeout: 20_000, encoding: 'utf8' });
  return r.status === 0;
}

export class Kubectl {
  private constructor(
    readonly dir: string,
    readonly kubeconfig: string,
  ) {}

  static async create(entries: readonly KubeconfigEntry[]): Promise<Kubectl> {
    const dir = await mkdtemp(join(tmpdir(), 'kubectl-fake-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfig, entries);
    return new Kubectl(dir, kubeconfig);
  }

  /** Writes a manifest into the test's folder and returns its path. */
  async file(name: string, manifest: unknown): Promise<string> {
    const path = join(this.dir, name);
    await writeFile(path, JSON.stringify(manifest, null, 2));
    return path;
  }

  run(context: string, args: readonly string[], timeoutMs = 25_000): Promise<KubectlResult> {
    const cacheDir = join(this.dir, `cache-${Math.random().toString(36).slice(2)}`);
    const env = { ...process.env, KUBECONFIG: this.kubeconfig, HOME: this.dir };
    return new Promise((resolve) => {
      execFile(
        'kubectl',
        ['--kubeconfig', this.kubeconfig, '--context', context, '--cache-dir', cacheDir, ...args],
        { timeout: timeoutMs, env, encoding: 'utf8' },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
          resolve({ code, stdout, stderr: error?.killed ? `${stderr}\n[killed after ${timeoutMs} ms]` : stderr });
        },
      );
    });
  }

  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
