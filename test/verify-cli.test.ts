/** `shisa verify` through the built binary: the process exits by itself (Z3's threads are shut down). */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { besidesNotEnforced } from './not-enforced.js';

const shisa = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/shisa.js', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
};

describe('shisa verify', () => {
  it('proves the example fleet consistent and reports its single points of failure as warnings', () => {
    const r = shisa('verify', '--config', 'regions/examples/fleet.yaml');
    expect(r.signal).toBeNull();
    expect(besidesNotEnforced(r.stderr)).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Verifying tokyo-fintech: 13 intents, 300 workloads, 17 regions$/m);
    expect(r.stdout).toMatch(
      /^ {2}✓ proven +[\d.]+ ms {2}\[model\] +all intents are jointly satisfiable — 300 workloads/m,
    );
    expect(r.stdout).toMatch(
      /^ {2}✓ proven +[\d.]+ ms {2}\[\w+\] +intent "payments-ledger": assert!\(survives_region_loss\(current_mesh\)\)/m,
    );
    expect(r.stdout).toMatch(
      /^ {2}! warning +[\d.]+ ms {2}\[rules\] +intent "ml-feature-store" survives losing region-tokyo-01 — .*single point of failure$/m,
    );
    expect(r.stdout).toMatch(
      /^ {8}regions\/examples\/intents\/ml\.intent:4:10 +intent "ml-feature-store": target nodes\(region-tokyo-01\)$/m,
    );
    expect(r.stdout).toMatch(/^\d+ proven, 0 unprovable, 5 warnings in [\d.]+ (ms|s)\.$/m);
  });

  it('gives the same verdicts and cores as JSON, run after run', () => {
    const a = shisa('verify', '--config', 'regions/examples/fleet.yaml', '--json');
    const b = shisa('verify', '--config', 'regions/examples/fleet.yaml', '--json');
    expect(a.code).toBe(0);
    const strip = (text: string) => JSON.stringify(JSON.parse(text), (k, v: unknown) => (k === 'ms' ? undefined : v));
    expect(strip(a.stdout)).toBe(strip(b.stdout));
    const p = JSON.parse(a.stdout) as {
      proven: boolean;
      counts: { proven: number; unprovable: number; warnings: number };
      obligations: { name: string; verdict: string; unprovable_state: { core: { file: string; line: number }[] } }[];
    };
    expect(p.proven).toBe(true);
    expect(p.counts).toEqual({ proven: p.counts.proven, unprovable: 0, warnings: 5 });
    expect(Number.isInteger(p.counts.proven)).toBe(true);
    const spof = p.obligations.find((o) => o.name === 'intent "ml-feature-store" survives losing region-tokyo-01');
    expect(spof?.verdict).toBe('warning');
    expect(spof?.unprovable_state.core.map((c) => `${c.file}:${c.line}`)).toEqual([
      'regions/examples/fleet.yaml:18',
      'regions/examples/intents/ml.intent:4',
    ]);
  });

  it('exits 2 on bad input, with a clear message and no stack trace', () => {
    const missing = shisa('verify', '--config', 'no/such/fleet.yaml');
    expect(missing.code).toBe(2);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const timeout = shisa('verify', '--config', 'regions/examples/fleet.yaml', '--timeout', 'soon');
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toMatch(/--timeout "soon" is not a whole number of milliseconds/);
  });
});
