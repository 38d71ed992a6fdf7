import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sortDiagnostics } from '../scheduler/diagnostics/diagnostic.js';
import { renderDiagnostic } from '../scheduler/diagnostics/render.js';
import { loadEnforcerConfig } from './config.js';

const MINIMAL = `version: 1
node: gke-tokyo-01-pool-a-1
fleet: fleet.yaml
workloads:
  - { name: shop/web, cgroup: /sys/fs/cgroup/kubepods.slice/web }
`;

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'shisa-enforcer-config-'));
  dirs.push(dir);
  return dir;
};

/** Writes `text` as enforcer.yaml in a fresh temp folder and loads it from there. */
async function load(text: string) {
  const dir = tempDir();
  writeFileSync(join(dir, 'enforcer.yaml'), text);
  return { dir, ...(await loadEnforcerConfig('enforcer.yaml', dir)) };
}

/** The first line of each rendered diagnostic, in file order (as the CLI prints them): "file:line:col: severity[code]: message". */
const problems = async (text: string): Promise<string[]> => {
  const r = await load(text);
  expect(r.config).toBeUndefined();
  return sortDiagnostics(r.diagnostics).map((d) => renderDiagnostic(d).split('\n')[0]!);
};

describe('loadEnforcerConfig', () => {
  it('gives a frozen config with the documented defaults', async () => {
    const { dir, config, diagnostics } = await load(MINIMAL);
    expect(diagnostics).toEqual([]);
    expect(config).toMatchObject({
      file: 'enforcer.yaml',
      node: 'gke-tokyo-01-pool-a-1',
      fleetPath: join(dir, 'fleet.yaml'),
      listen: { host: '127.0.0.1', port: 9464 },
      windowMs: 60_000,
      minSamples: 20,
      pollMs: 1000,
      cgroupRoot: '/sys/fs/cgroup',
      pinDir: '/sys/fs/bpf/shisa',
    });
    expect(config?.breakerDefault).toBeUndefined();
    expect(config?.scheduler).toBeUndefined();
    expect(config?.loaderPath).toBeUndefined();
    expect(config?.workloads.map((w) => [w.name, w.cgroup, w.span.line])).toEqual([
      ['shop/web', { path: '/sys/fs/cgroup/kubepods.slice/web' }, 5],
    ]);
    expect(config?.destinations.size).toBe(0);
    expect(
      Object.isFrozen(config) &&
        Object.isFrozen(config?.listen) &&
        Object.isFrozen(config?.workloads) &&
        Object.isFrozen(config?.workloads[0]),
    ).toBe(true);
  });

  it('reads every setting, converting durations and resolving paths against the file’s folder', async () => {
    const { dir, config, diagnostics } = await load(`version: 1
node: n1
fleet: ../fleet/fleet.yaml
listen: "[::1]:9500"
scheduler: { url: "https://shisa.example.com/api/verdicts", token_env: SHISA_SCHEDULER_TOKEN }
window: 2m
min_samples: 5
poll_interval: 250ms
cgroup_root: cgroup
bpf: { pin_dir: pins, build_dir: build, loader: bin/shisa-loader }
breaker_default: { consecutive_failures: 4, base_ejection: 10s, max_ejection: 1m, half_open: false }
workloads:
  - { name: shop/web, pod_uid: 3f1c2a9e-5b7d-4e21-9c0a-1d2e3f4a5b6c }
destinations:
  shop/db: ["10.0.3.7:5432", "[fd00::7]:5432"]
`);
    expect(diagnostics).toEqual([]);
    expect(config).toMatchObject({
      fleetPath: join(dir, '..', 'fleet', 'fleet.yaml'),
      listen: { host: '::1', port: 9500 },
      scheduler: { url: 'https://shisa.example.com/api/verdicts', tokenEnv: 'SHISA_SCHEDULER_TOKEN' },
      windowMs: 120_000,
      minSamples: 5,
      pollMs: 250,
      cgroupRoot: join(dir, 'cgroup'),
      pinDir: join(dir, 'pins'),
      buildDir: join(dir, 'build'),
      loaderPath: join(dir, 'bin', 'shisa-loader'),
      breakerDefault: { consecutiveFailures: 4, baseEjectionMs: 10_000, maxEjectionMs: 60_000, halfOpen: false },
    });
    expect(config?.workloads[0]?.cgroup).toEqual({ podUid: '3f1c2a9e-5b7d-4e21-9c0a-1d2e3f4a5b6c' });
    expect(config?.destinations.get('shop/db')).toEqual([
      { host: '10.0.3.7', port: 5432, isIp: true },
      { host: 'fd00::7', port: 5432, isIp: true },
    ]);
    expect(config?.destinationSpans.get('shop/db')).toMatchObject({ file: 'enforcer.yaml', line: 15, col: 3 });
  });

  it('fills breaker_default’s unspecified fields with the intent language’s defaults', async () => {
    const { config } = await load(`${MINIMAL}breaker_default: { consecutive_failures: 9 }\n`);
    expect(config?.breakerDefault).toEqual({
      consecutiveFailures: 9,
      baseEjectionMs: 30_000,
      maxEjectionMs: 300_000,
      halfOpen: true,
    });
  });

  it('reports a misspelt key at its position, with a suggestion', async () => {
    const r = await load(MINIMAL.replace('workloads:', 'windwo: 30s\nworkloads:'));
    expect(r.config).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.hint])).toEqual([['enforcer/unknown-key', 'did you mean "window"?']]);
    expect(renderDiagnostic(r.diagnostics[0]!)).toContain(
      'enforcer.yaml:4:1: error[enforcer/unknown-key]: unknown key "windwo"',
    );
  });

  it('refuses a workload with both cgroup and pod_uid', async () => {
    expect(await problems(MINIMAL.replace('web }', 'web, pod_uid: 3f1c2a9e-5b7d-4e21-9c0a-1d2e3f4a5b6c }'))).toEqual([
      'enforcer.yaml:5:5: error[enforcer/invalid-value]: workloads[0]: give exactly one of cgroup (a path) or pod_uid',
    ]);
  });

  it('refuses a workload with neither cgroup nor pod_uid', async () => {
    expect(await problems(MINIMAL.replace(', cgroup: /sys/fs/cgroup/kubepods.slice/web', ''))).toEqual([
      'enforcer.yaml:5:5: error[enforcer/invalid-value]: workloads[0]: give exactly one of cgroup (a path) or pod_uid',
    ]);
  });

  it('refuses a relative cgroup path', async () => {
    expect(await problems(MINIMAL.replace('/sys/fs/cgroup/kubepods.slice/web', 'kubepods.slice/web'))).toEqual([
      'enforcer.yaml:5:31: error[enforcer/invalid-value]: cgroup "kubepods.slice/web" is not an absolute path',
    ]);
  });

  it('refuses a destination that is a host name, not an IP address, pointing at that entry', async () => {
    const text = `${MINIMAL}destinations:\n  shop/db: ["10.0.3.7:5432", "db.shop.svc:5432"]\n`;
    const r = await load(text);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['enforcer/invalid-value']);
    const rendered = renderDiagnostic(r.diagnostics[0]!);
    expect(rendered.split('\n')[0]).toBe(
      'enforcer.yaml:7:30: error[enforcer/invalid-value]: "db.shop.svc:5432" is not an IP address and port',
    );
    expect(rendered).toContain('no host names');
  });

  it('refuses destinations with port 0 or no port', async () => {
    expect(await problems(`${MINIMAL}destinations:\n  shop/db: ["10.0.3.7:0", "10.0.3.8"]\n`)).toEqual([
      'enforcer.yaml:7:13: error[enforcer/invalid-value]: "10.0.3.7:0" is not an IP address and port',
      'enforcer.yaml:7:27: error[enforcer/invalid-value]: "10.0.3.8" is not an IP address and port',
    ]);
  });

  it('refuses a workload listed twice, at the second listing', async () => {
    expect(await problems(`${MINIMAL}  - { name: shop/web, cgroup: /sys/fs/cgroup/other }\n`)).toEqual([
      'enforcer.yaml:6:13: error[enforcer/invalid-value]: workload "shop/web" is listed twice',
    ]);
  });

  it('refuses listen that is not host:port', async () => {
    expect(await problems(MINIMAL.replace('workloads:', 'listen: "9464"\nworkloads:'))).toEqual([
      'enforcer.yaml:4:9: error[enforcer/invalid-value]: listen "9464" is not host:port',
    ]);
    expect(await problems(MINIMAL.replace('workloads:', 'listen: "::1:9464"\nworkloads:'))).toEqual([
      'enforcer.yaml:4:9: error[enforcer/invalid-value]: listen "::1:9464" is not host:port',
    ]);
  });

  it('checks what the schema cannot: ejection and poll bounds', async () => {
    expect(
      await problems(
        `${MINIMAL}window: 1s\npoll_interval: 2s\nbreaker_default: { base_ejection: 60s, max_ejection: 30s }\n`,
      ),
    ).toEqual([
      'enforcer.yaml:7:16: error[enforcer/invalid-value]: poll_interval is longer than window',
      'enforcer.yaml:8:54: error[enforcer/invalid-value]: max_ejection is shorter than base_ejection',
    ]);
  });

  it('refuses numbers and durations outside their ranges, stating each range', async () => {
    const r = await load(
      `${MINIMAL}window: 2h\nmin_samples: 1e20\npoll_interval: 0s\nbreaker_default: { consecutive_failures: .inf, base_ejection: 2d, max_ejection: 0ms }\n`,
    );
    expect(r.config).toBeUndefined();
    expect(
      sortDiagnostics(r.diagnostics).map((d) => [`${d.span.line}:${d.span.col}`, d.code, d.message, d.expected]),
    ).toEqual([
      ['6:9', 'enforcer/out-of-range', 'window: 2h is out of range', 'a duration from 1s to 1h'],
      ['7:14', 'enforcer/out-of-range', 'min_samples: 1e20 is out of range', 'a whole number from 1 to 1000000'],
      ['8:16', 'enforcer/out-of-range', 'poll_interval: 0s is out of range', 'a duration from 100ms to 1m'],
      [
        '9:42',
        'enforcer/out-of-range',
        'breaker_default.consecutive_failures: .inf is out of range',
        'a whole number from 1 to 1000',
      ],
      [
        '9:63',
        'enforcer/out-of-range',
        'breaker_default.base_ejection: 2d is out of range',
        'a duration from 1ms to 1d',
      ],
      [
        '9:81',
        'enforcer/out-of-range',
        'breaker_default.max_ejection: 0ms is out of range',
        'a duration from 1ms to 1d',
      ],
    ]);
  });

  it('accepts the breaker ranges of the intent language at both ends', async () => {
    const { config, diagnostics } = await load(
      `${MINIMAL}breaker_default: { consecutive_failures: 1000, base_ejection: 1ms, max_ejection: 1d }\n`,
    );
    expect(diagnostics).toEqual([]);
    expect(config?.breakerDefault).toMatchObject({
      consecutiveFailures: 1000,
      baseEjectionMs: 1,
      maxEjectionMs: 86_400_000,
    });
  });

  it('collects every problem of the file at once', async () => {
    const r = await load(`version: 1
node: n1
fleet: fleet.yaml
listen: nope
workloads:
  - { name: shop/web, cgroup: relative }
  - { name: shop/web, cgroup: /abs }
destinations:
  shop/db: ["db:5432"]
`);
    expect(sortDiagnostics(r.diagnostics).map((d) => `${d.span.line}:${d.span.col} ${d.code}`)).toEqual([
      '4:9 enforcer/invalid-value',
      '6:31 enforcer/invalid-value',
      '7:13 enforcer/invalid-value',
      '9:13 enforcer/invalid-value',
    ]);
  });

  it('reports a missing file as a located diagnostic, not an exception', async () => {
    const r = await loadEnforcerConfig('missing.yaml', tempDir());
    expect(r.config).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    expect(renderDiagnostic(r.diagnostics[0]!)).toMatch(/^missing\.yaml:1:1: error\[/);
  });
});
