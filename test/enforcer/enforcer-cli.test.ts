import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnforcerStatus } from '../../enforcer/status.js';
import { runEnforcer } from './agent-process.js';

/**
 * `shisa enforcer` where it cannot load programs, and with bad files. Runs without root:
 * as root, the agent is started with every capability dropped (setpriv), so it meets the
 * same "not privileged" node an unprivileged user would.
 */

const ROOT = join(import.meta.dirname, '..', '..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shisa-enforcer-cli-'));
  cpSync(join(import.meta.dirname, 'fixture'), dir, { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, lines: readonly string[]): string {
  const p = join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

describe('shisa enforcer without privileges', () => {
  it('runs observe-only, says why on start and on /status, and stops cleanly on SIGTERM', async () => {
    const config = write('enforcer.yaml', [
      'version: 1',
      'node: plain-node',
      'fleet: fleet.yaml',
      'listen: 127.0.0.1:0',
      'workloads:',
      '  - { name: shop/web, cgroup: /nonexistent/cgroup }',
      'destinations:',
      '  shop/db: ["10.231.0.2:8080"]',
    ]);
    const unprivileged =
      process.getuid?.() === 0
        ? ['setpriv', '--bounding-set=-all', '--inh-caps=-all', process.execPath]
        : [process.execPath];
    const child = spawn(
      unprivileged[0]!,
      [...unprivileged.slice(1), join(ROOT, 'bin', 'shisa.js'), 'enforcer', '--config', config],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    child.stderr.on('data', (d) => (log += d));
    child.stdout.on('data', (d) => (log += d));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const started = Date.now();
    while (!/serving (http:\S+?)\/status/.test(log) && Date.now() - started < 20_000)
      await new Promise((r) => setTimeout(r, 50));
    const url = /serving (http:\S+?)\/status/.exec(log)?.[1];
    expect(url, log).toBeDefined();

    expect(log).toMatch(/OBSERVE-ONLY: nothing is enforced on this node/);
    expect(log).toMatch(/not privileged: loading eBPF programs needs CAP_SYS_ADMIN/);
    const status = (await (await fetch(`${url}/status`)).json()) as EnforcerStatus;
    expect(status.mode).toBe('observe-only');
    expect(status.observeOnlyReasons.join('\n')).toMatch(/not privileged/);
    expect(status.loader.running).toBe(false);
    expect(status.workloads).toEqual([
      {
        name: 'shop/web',
        attached: false,
        problem: '/nonexistent/cgroup is not a cgroup v2 directory (no cgroup.procs)',
      },
    ]);
    expect(status.verdicts).toEqual([
      expect.objectContaining({
        dependency: 'shop/db',
        state: 'unknown',
        reason: 'observe-only: the kernel probes are not loaded',
      }),
    ]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('shisa_enforcer_observe_only{node="plain-node"} 1');
    expect(metrics).toContain(
      'shisa_latency_verdict{node="plain-node",intent="web",workload="shop/web",dependency="shop/db",percentile="p99"} -1',
    );
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/status`, { method: 'POST' })).status).toBe(405);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(log).toMatch(/SIGTERM: stopping; nothing was loaded/);
    expect(log).not.toMatch(/\n\s+at /); // no stack trace
  }, 30_000);
});

describe('shisa enforcer with bad input', () => {
  it('exits 2 with file:line:col for an invalid enforcer file, loading nothing', async () => {
    const config = write('bad.yaml', [
      'version: 1',
      'node: n1',
      'fleet: fleet.yaml',
      'workloads:',
      '  - { name: shop/web, cgroup: relative/path }',
      'destinations:',
      '  shop/db: ["db.internal:5432"]',
      'pol_interval: 1s',
    ]);
    const r = await runEnforcer(['--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.yaml:8:1');
    expect(r.stderr).toMatch(/did you mean "poll_interval"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('exits 2 when a workload is not in the fleet inventory, pointing at the enforcer file', async () => {
    const config = write('unknown.yaml', [
      'version: 1',
      'node: n1',
      'fleet: fleet.yaml',
      'listen: 127.0.0.1:0',
      'workloads:',
      '  - { name: shop/nope, cgroup: /sys/fs/cgroup/x }',
    ]);
    const r = await runEnforcer(['--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown\.yaml:6:\d+/);
    expect(r.stderr).toContain('workload "shop/nope" is not in the fleet\'s inventory');
  });

  it('exits 2 for a missing file', async () => {
    const r = await runEnforcer(['--config', join(dir, 'missing.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing\.yaml/);
  });
});
