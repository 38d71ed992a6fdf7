/**
 * `shisa inventory` as an operator runs it, against fake clusters: bad kubeconfigs and
 * contexts are located input errors (exit 2), a cluster that refuses the token is reported
 * unknown without the token (exit 0), and plan reads the clusters through the same kubeconfig.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from '../fakes/kube/fake-cluster.js';
import { writeKubeconfig } from '../fakes/kube/kubeconfig.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'shisa-inventory-cli-'));
const fleet = join(dir, 'fleet.yaml');
const STACK = /\n\s+at .*:\d+:\d+/;
let tokyo: FakeCluster;
let osaka: FakeCluster;

/** Runs the built CLI without blocking this process, which serves the fakes. */
function shisa(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const c = spawn(process.execPath, [join(ROOT, 'bin', 'shisa.js'), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir },
    });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => done({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  tokyo = await startFakeCluster({ name: 'tokyo' });
  osaka = await startFakeCluster({ name: 'osaka' });
  writeFileSync(
    fleet,
    [
      'regions:',
      '  - { name: region-tokyo-01, zone: JP-TK, country: JP, cluster: kind-tokyo, capacity: { cpu: 64, memory_gib: 256 } }',
      '  - { name: region-osaka-01, zone: JP-KN, country: JP, cluster: kind-osaka, capacity: { cpu: 8, memory_gib: 32 } }',
      'inventory: { source: clusters }',
      '',
    ].join('\n'),
  );
  tokyo.seed([
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      status: { allocatable: { cpu: '32', memory: '128Gi' }, conditions: [{ type: 'Ready', status: 'True' }] },
    },
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([tokyo?.close(), osaka?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('shisa inventory', () => {
  it('reports a cluster that refuses the token as unknown, exit 0, and never prints the token', async () => {
    const kubeconfig = join(dir, 'refused');
    const wrong = 'eyJhbGciOiJSUzI1NiJ9.d3JvbmctdG9rZW4tZm9yLXRoZS10ZXN0.c2lnbmF0dXJl';
    await writeKubeconfig(kubeconfig, [
      { context: 'kind-tokyo', cluster: tokyo },
      { context: 'kind-osaka', cluster: osaka, token: wrong },
    ]);
    const r = await shisa('inventory', '--config', fleet, '--kubeconfig', kubeconfig);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Clusters {4}1 read, 1 unknown$/m);
    expect(r.stdout).toMatch(
      /region-osaka-01 +kind-osaka +unknown: CLUSTER_UNAUTHORIZED the server refused the credentials \(401 Unauthorized\)/,
    );
    expect(r.stdout).toMatch(/^Unknown {5}region-osaka-01: nothing moves into or out of it/m);
    for (const secret of [wrong, tokyo.token, osaka.token]) expect(r.stdout + r.stderr).not.toContain(secret);
    const json = await shisa('inventory', '--config', fleet, '--kubeconfig', kubeconfig, '--json');
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { clusters: { state: string; fault?: { code: string } }[] };
    expect(parsed.clusters.map((c) => [c.state, c.fault?.code])).toEqual([
      ['read', undefined],
      ['unknown', 'CLUSTER_UNAUTHORIZED'],
    ]);
  }, 60_000);

  it('locates a context no kubeconfig defines in the fleet file, and a missing kubeconfig, exit 2, no stack', async () => {
    const kubeconfig = join(dir, 'one-context');
    await writeKubeconfig(kubeconfig, [{ context: 'kind-tokyo', cluster: tokyo }]);
    const r = await shisa('inventory', '--config', fleet, '--kubeconfig', kubeconfig);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /fleet\.yaml:3:\d+: error\[kubeconfig\/unknown-context\]: region "region-osaka-01" names the kubeconfig context "kind-osaka"/,
    );
    expect(r.stderr).not.toMatch(STACK);
    const missing = await shisa('inventory', '--config', fleet, '--kubeconfig', join(dir, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /error\[kubeconfig\/not-found\]: cannot read the clusters: the file --kubeconfig names does not exist/,
    );
    const none = await shisa('inventory', '--config', fleet);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/there is no ~\/\.kube\/config/);
  }, 60_000);

  it('plan reads the clusters the same way: without a kubeconfig it is a located input error, exit 2', async () => {
    const r = await shisa('plan', '--config', fleet, '--no-record');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/error\[kubeconfig\/not-found\]: cannot read the clusters: there is no ~\/\.kube\/config/);
    expect(r.stderr).not.toMatch(STACK);
  }, 60_000);
});
