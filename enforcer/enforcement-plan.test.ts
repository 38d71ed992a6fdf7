import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDiagnostic } from '../scheduler/diagnostics/render.js';
import { loadWorkspace } from '../scheduler/workspace/load-workspace.js';
import { loadEnforcerConfig } from './config.js';
import { planEnforcement } from './enforcement-plan.js';

/**
 * The kernel suite's fixture: shop/web (intent "web") calls shop/db (15 ms p99, ebpf_probe),
 * shop/cache (breaker: 3 failures, 1.5 s, 4 s cap) and shop/ledger (breaker: 2 failures, 60 s, 120 s cap).
 */
const FIXTURE = join(import.meta.dirname, '..', 'test', 'enforcer', 'fixture');

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'shisa-enforcement-plan-'));
  dirs.push(dir);
  return dir;
};

const ALL_DESTINATIONS = `destinations:
  shop/db: ["10.0.0.7:5432"]
  shop/cache: ["10.0.0.8:6379"]
  shop/ledger: ["10.0.0.9:7000"]
`;

/**
 * Plans for an enforcer.yaml (everything after `fleet:`) written in its own temp folder,
 * naming the fleet in `fleetDir` by absolute path. Paths in the plan are shown relative to
 * the fleet's folder, as when the agent runs from there.
 */
async function plan(body: string, fleetDir = FIXTURE) {
  const dir = tempDir();
  writeFileSync(join(dir, 'enforcer.yaml'), `version: 1\nnode: n1\nfleet: ${join(fleetDir, 'fleet.yaml')}\n${body}`);
  const loaded = await loadEnforcerConfig('enforcer.yaml', dir);
  expect(loaded.diagnostics).toEqual([]);
  const ws = await loadWorkspace(loaded.config!.fleetPath, { cwd: fleetDir });
  expect(ws.diagnostics).toEqual([]);
  return planEnforcement(ws.workspace!, loaded.config!);
}

/** A copy of the fixture with extra intent files. */
function fixtureWith(intents: Readonly<Record<string, string>>): string {
  const dir = tempDir();
  cpSync(FIXTURE, dir, { recursive: true });
  for (const [name, text] of Object.entries(intents)) writeFileSync(join(dir, 'intents', name), text);
  return dir;
}

const WEB_ONLY = 'workloads:\n  - { name: shop/web, cgroup: /sys/fs/cgroup/web }\n';

describe('planEnforcement', () => {
  it('turns the ebpf_probe latency bound into one check, with the dependency’s addresses', async () => {
    const p = await plan(WEB_ONLY + ALL_DESTINATIONS);
    expect(p.diagnostics).toEqual([]);
    expect(p.checks).toEqual([
      {
        key: 'shop/web>shop/db@web#0',
        intent: 'web',
        at: 'intents/web.intent:2:3',
        workload: 'shop/web',
        dependency: 'shop/db',
        endpoints: [{ host: '10.0.0.7', port: 5432, isIp: true }],
        maxMs: 15,
        percentile: 'p99',
      },
    ]);
    expect(p.workloads.map((w) => w.name)).toEqual(['shop/web']);
  });

  it('sets one breaker policy per destination address, with the intent’s numbers', async () => {
    const p = await plan(WEB_ONLY + ALL_DESTINATIONS);
    expect(p.policies).toEqual([
      {
        workload: 'shop/web',
        endpoint: { host: '10.0.0.8', port: 6379, isIp: true },
        policy: { consecutiveFailures: 3, baseEjectionMs: 1500, maxEjectionMs: 4000, halfOpen: true },
        from: 'intent "web" at intents/web.intent:3:3',
      },
      {
        workload: 'shop/web',
        endpoint: { host: '10.0.0.9', port: 7000, isIp: true },
        policy: { consecutiveFailures: 2, baseEjectionMs: 60_000, maxEjectionMs: 120_000, halfOpen: true },
        from: 'intent "web" at intents/web.intent:4:3',
      },
    ]);
  });

  it('gives every address of a dependency its own policy (IPv4 and IPv6)', async () => {
    const p = await plan(
      WEB_ONLY + ALL_DESTINATIONS.replace('["10.0.0.8:6379"]', '["10.0.0.8:6379", "[fd00::8]:6379"]'),
    );
    const cache = p.policies.filter((a) => a.policy.consecutiveFailures === 3);
    expect(cache.map((a) => a.endpoint)).toEqual([
      { host: '10.0.0.8', port: 6379, isIp: true },
      { host: 'fd00::8', port: 6379, isIp: true },
    ]);
  });

  it('refuses a workload the fleet’s inventory does not list, pointing at the enforcer file', async () => {
    const p = await plan(`${WEB_ONLY}  - { name: shop/nope, cgroup: /sys/fs/cgroup/nope }\n${ALL_DESTINATIONS}`);
    expect(p.diagnostics.map((d) => renderDiagnostic(d).split('\n')[0])).toEqual([
      'enforcer.yaml:6:13: error[enforcer/unknown-workload]: workload "shop/nope" is not in the fleet\'s inventory',
    ]);
    // The known workload is still planned.
    expect(p.checks.map((c) => c.workload)).toEqual(['shop/web']);
  });

  it('warns once about a dependency without destinations, and keeps its check with no addresses', async () => {
    const p = await plan(`${WEB_ONLY}destinations:\n  shop/cache: ["10.0.0.8:6379"]\n`);
    expect(p.diagnostics.map((d) => [d.severity, d.code, d.message, d.span.line])).toEqual([
      [
        'warning',
        'enforcer/no-destination',
        'no address for dependency "shop/db" under destinations: its latency is unknown and its breaker idle on this node',
        5,
      ],
      [
        'warning',
        'enforcer/no-destination',
        'no address for dependency "shop/ledger" under destinations: its latency is unknown and its breaker idle on this node',
        5,
      ],
    ]);
    expect(p.checks).toMatchObject([{ dependency: 'shop/db', endpoints: [] }]);
    expect(p.policies.map((a) => a.endpoint?.host)).toEqual(['10.0.0.8']);
  });

  it('applies breaker_default only to workloads no circuit_breaker covers', async () => {
    const p = await plan(`breaker_default: { consecutive_failures: 9, base_ejection: 5s }
workloads:
  - { name: shop/web, cgroup: /sys/fs/cgroup/web }
  - { name: shop/db, cgroup: /sys/fs/cgroup/db }
${ALL_DESTINATIONS}`);
    const defaults = p.policies.filter((a) => a.from === 'enforcer.yaml: breaker_default');
    expect(defaults).toEqual([
      {
        workload: 'shop/db',
        policy: { consecutiveFailures: 9, baseEjectionMs: 5000, maxEjectionMs: 300_000, halfOpen: true },
        from: 'enforcer.yaml: breaker_default',
      },
    ]);
    expect(p.policies.filter((a) => a.workload === 'shop/web').map((a) => a.policy.consecutiveFailures)).toEqual([
      3, 2,
    ]);
  });

  it('sets no policy at all without breaker_default for an uncovered workload', async () => {
    const p = await plan(`workloads:\n  - { name: shop/db, cgroup: /sys/fs/cgroup/db }\n${ALL_DESTINATIONS}`);
    expect(p.policies).toEqual([]);
    expect(p.checks).toEqual([]);
    // shop/db calls nothing, so every listed destination is unused here (a typo would be too).
    expect(p.diagnostics.map((d) => [d.code, d.severity, d.span.line])).toEqual([
      ['enforcer/unused-destination', 'warning', 7],
      ['enforcer/unused-destination', 'warning', 8],
      ['enforcer/unused-destination', 'warning', 9],
    ]);
  });

  it('makes no check for a latency bound verified by the latency matrix', async () => {
    const fleet = fixtureWith({
      'matrix.intent': `intent "web-cache" {
  workloads("shop/web")
  constraint network_latency { max: 40ms, to: "shop/cache", verify_via: latency_matrix }
}
`,
    });
    const p = await plan(WEB_ONLY + ALL_DESTINATIONS, fleet);
    expect(p.checks.map((c) => c.key)).toEqual(['shop/web>shop/db@web#0']);
  });

  it('checks every dependency of the workload when the bound names none', async () => {
    const fleet = fixtureWith({
      'all-deps.intent': `intent "web-all" {
  workloads("shop/web")
  constraint network_latency { max: 50ms, percentile: p90 }
}
`,
    });
    const p = await plan(WEB_ONLY + ALL_DESTINATIONS, fleet);
    expect(p.checks.filter((c) => c.intent === 'web-all').map((c) => [c.key, c.maxMs, c.percentile, c.at])).toEqual([
      ['shop/web>shop/db@web-all#0', 50, 'p90', 'intents/all-deps.intent:3:3'],
      ['shop/web>shop/cache@web-all#0', 50, 'p90', 'intents/all-deps.intent:3:3'],
      ['shop/web>shop/ledger@web-all#0', 50, 'p90', 'intents/all-deps.intent:3:3'],
    ]);
  });

  it('keeps the breaker that trips soonest when two constraints cover one destination', async () => {
    const fleet = fixtureWith({
      'strict-cache.intent': `intent "strict-cache" {
  workloads("shop/web")
  constraint circuit_breaker { to: "shop/cache", consecutive_failures: 1, base_ejection: 2s, max_ejection: 8s }
}
`,
    });
    const p = await plan(WEB_ONLY + ALL_DESTINATIONS, fleet);
    const cache = p.policies.filter((a) => a.endpoint?.host === '10.0.0.8');
    expect(cache).toEqual([
      {
        workload: 'shop/web',
        endpoint: { host: '10.0.0.8', port: 6379, isIp: true },
        policy: { consecutiveFailures: 1, baseEjectionMs: 2000, maxEjectionMs: 8000, halfOpen: true },
        from: 'intent "strict-cache" at intents/strict-cache.intent:3:3',
      },
    ]);
  });

  it('sets a cgroup-wide policy for a circuit_breaker that names no destination', async () => {
    const fleet = fixtureWith({
      'db-breaker.intent': `intent "db-breaker" {
  workloads("shop/db")
  constraint circuit_breaker { consecutive_failures: 6 }
}
`,
    });
    const p = await plan(
      `breaker_default: { consecutive_failures: 9 }\nworkloads:\n  - { name: shop/db, cgroup: /sys/fs/cgroup/db }\n${ALL_DESTINATIONS}`,
      fleet,
    );
    expect(p.policies).toEqual([
      {
        workload: 'shop/db',
        policy: { consecutiveFailures: 6, baseEjectionMs: 30_000, maxEjectionMs: 300_000, halfOpen: true },
        from: 'intent "db-breaker" at intents/db-breaker.intent:3:3',
      },
    ]);
  });
});
