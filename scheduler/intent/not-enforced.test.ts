import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SourceFile } from '../diagnostics/source-file.js';
import { loadIntentSource } from './index.js';
import { NOT_ENFORCED, notEnforced } from './not-enforced.js';

function warningsOf(text: string) {
  const source = new SourceFile('t.intent', text);
  const loaded = loadIntentSource(source);
  expect(loaded.diagnostics).toEqual([]);
  return notEnforced(loaded.intents, (f) => (f === source.name ? source : undefined));
}

const located = (ds: ReturnType<typeof warningsOf>) =>
  ds.map((d) => `${d.span.line}:${d.span.col}-${d.span.end - d.span.start} ${d.severity}[${d.code}] ${d.message}`);

describe('notEnforced', () => {
  it('warns once per use of each construct nothing enforces, at its exact location, in file order', () => {
    const text = [
      'intent "a" {', // 1
      '  workloads("shop/*")',
      '  constraint circuit_breaker { consecutive_failures: 3, interval: 2s }', // 3
      '  constraint circuit_breaker { to: "shop/db" }', // 4: no interval written, no warning
      '  constraint compliance { level: "ISO-27001", audit: true }', // 5: audited, not a warning
      '  target nodes("r1") {',
      '    ensure(traffic_policy: "mTLS-strict")', // 7
      '    on_drift(action: "alert", notify: "sre")', // 8
      '  }',
      '  ensure(traffic_policy: "mTLS-strict")', // 10
      '}',
      'intent "b" {',
      '  constraint circuit_breaker {',
      '    interval: 500ms', // 14
      '  }',
      '  on_drift(action: "auto-remediate")', // 16
      '}',
    ].join('\n');
    const ds = warningsOf(text);
    expect(located(ds)).toEqual([
      '3:57-12 warning[intent/not-enforced] circuit_breaker interval (2s) is not enforced yet: ' +
        'the in-kernel breaker decides on every failure, not on a timer',
      '7:5-37 warning[intent/not-enforced] ensure(traffic_policy: "mTLS-strict") is not enforced yet: ' +
        'nothing sets the traffic policy of the workloads, and only shisa verify checks it, ' +
        'on a fleet that reads its workloads from the clusters (inventory: { source: clusters })',
      '8:5-40 warning[intent/not-enforced] on_drift(action: "alert") is carried out only by shisa serve, ' +
        'on drift of its eBPF-verified latency checks; otherwise drift is not detected, so no alert reaches "sre"',
      '10:3-37 warning[intent/not-enforced] ensure(traffic_policy: "mTLS-strict") is not enforced yet: ' +
        'nothing sets the traffic policy of the workloads, and only shisa verify checks it, ' +
        'on a fleet that reads its workloads from the clusters (inventory: { source: clusters })',
      '14:5-15 warning[intent/not-enforced] circuit_breaker interval (500ms) is not enforced yet: ' +
        'the in-kernel breaker decides on every failure, not on a timer',
      '16:3-34 warning[intent/not-enforced] on_drift(action: "auto-remediate") is carried out only by shisa serve, ' +
        'on drift of its eBPF-verified latency checks; otherwise drift is not detected, so nothing is restored',
    ]);
    expect(ds.map((d) => text.slice(d.span.start, d.span.end))).toEqual([
      'interval: 2s',
      'ensure(traffic_policy: "mTLS-strict")',
      'on_drift(action: "alert", notify: "sre")',
      'ensure(traffic_policy: "mTLS-strict")',
      'interval: 500ms',
      'on_drift(action: "auto-remediate")',
    ]);
    expect(ds.every((d) => d.source?.name === 't.intent')).toBe(true);
    expect(ds[0]!.hint).toBe(
      "the breaker's timing will keep it; until then it is parsed and checked only (docs/intent-language.md §4.11)",
    );
    expect(ds[1]!.hint).toBe(
      "there, shisa verify compares it with Istio's PeerAuthentications and reports a mismatch as drift; " +
        'with an inventory file it is parsed and checked only (docs/intent-language.md §4.11)',
    );
    expect(ds[2]!.hint).toMatch(/^drift healing will cover breakers and traffic policy/);
  });

  it('names what each drift action would have done, and the channel that is not told', () => {
    const msg = (call: string) =>
      warningsOf(`intent "a" {\n  workloads("a/b")\n  ${call}\n}\n`).map((d) => d.message.split(', so ')[1]);
    expect(msg('on_drift(action: "rollback", notify: "green-ops")')).toEqual([
      'nothing is rolled back and "green-ops" is not told',
    ]);
    expect(msg('on_drift(action: "auto-remediate", notify: "sre")')).toEqual([
      'nothing is restored and "sre" is not told',
    ]);
    expect(msg('on_drift(action: "alert")')).toEqual(['no alert is sent']);
  });

  it('says nothing about a file without those constructs', () => {
    const text =
      'intent "quiet" {\n  workloads("shop/*")\n  placement(flexible)\n' +
      '  constraint circuit_breaker { consecutive_failures: 3, base_ejection: 10s, max_ejection: 1m, half_open: false }\n' +
      '  constraint compliance { level: "ISO-27001", audit: true }\n' +
      '  constraint network_latency { max: 15ms }\n  target nodes("r1") { }\n}\n';
    expect(warningsOf(text)).toEqual([]);
    expect(notEnforced([], () => undefined)).toEqual([]);
  });
});

describe('shisa validate on the example fleet', () => {
  const shisa = (...args: string[]) =>
    spawnSync(process.execPath, ['bin/shisa.js', ...args], { encoding: 'utf8', timeout: 60_000 });

  it('warns at every on_drift, ensure and circuit_breaker interval of the example intents, and stays valid', () => {
    const r = shisa('validate', '--config', 'regions/examples/fleet.yaml');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('regions/examples/fleet.yaml: valid');
    const heads = r.stderr.split('\n').filter((l) => l.includes(`[${NOT_ENFORCED}]`));
    const where = heads.map((l) => l.replace(/: warning\[intent\/not-enforced\]: (\S+?)[ (].*$/, ' $1'));
    expect(where).toEqual([
      'regions/examples/intents/batch.intent:12:3 on_drift',
      'regions/examples/intents/batch.intent:24:3 on_drift',
      'regions/examples/intents/batch.intent:35:3 on_drift',
      'regions/examples/intents/batch.intent:44:3 on_drift',
      'regions/examples/intents/data-platform.intent:9:3 on_drift',
      'regions/examples/intents/data-platform.intent:16:5 on_drift',
      'regions/examples/intents/edge.intent:9:5 ensure',
      'regions/examples/intents/edge.intent:10:5 on_drift',
      'regions/examples/intents/edge.intent:20:3 on_drift',
      'regions/examples/intents/ml.intent:5:5 ensure',
      'regions/examples/intents/ml.intent:17:3 ensure',
      'regions/examples/intents/ml.intent:18:3 on_drift',
      'regions/examples/intents/payments.intent:14:5 circuit_breaker',
      'regions/examples/intents/payments.intent:20:5 ensure',
      'regions/examples/intents/payments.intent:21:5 on_drift',
      'regions/examples/intents/payments.intent:33:3 ensure',
      'regions/examples/intents/payments.intent:34:3 on_drift',
      'regions/examples/intents/secure-gateway-mesh.intent:5:1 ensure',
      'regions/examples/intents/secure-gateway-mesh.intent:6:1 on_drift',
    ]);
    expect(r.stderr).toContain(
      'regions/examples/intents/payments.intent:14:5: warning[intent/not-enforced]: circuit_breaker interval (5s) ' +
        'is not enforced yet: the in-kernel breaker decides on every failure, not on a timer\n' +
        ' 14 |     interval: 5s\n' +
        '    |     ^^^^^^^^^^^^\n',
    );
    expect(r.stderr).toMatch(/^shisa: \d+ warnings\n$/m);

    const json = shisa('validate', '--json', '--config', 'regions/examples/fleet.yaml');
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout) as { ok: boolean; diagnostics: Record<string, unknown>[] };
    expect(report.ok).toBe(true);
    const mine = report.diagnostics.filter((d) => d.code === NOT_ENFORCED);
    expect(mine.map((d) => `${String(d.file)}:${String(d.line)}:${String(d.col)}`)).toEqual(
      where.map((w) => w.split(' ')[0]),
    );
    expect(mine.every((d) => d.severity === 'warning' && typeof d.hint === 'string')).toBe(true);
  });
});
