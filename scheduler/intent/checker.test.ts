import { describe, expect, it } from 'vitest';
import { SourceFile } from '../diagnostics/source-file.js';
import { loadIntentSource } from './index.js';

const load = (text: string) => loadIntentSource(new SourceFile('t.intent', text));
const errors = (body: string) =>
  load(`intent "a" {\n${body}\n}\n`).diagnostics.map(
    (d) => `${d.span.line}:${d.span.col} ${d.code}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`,
  );

describe('checkIntentFile', () => {
  it('builds the typed model with units converted and defaults applied', () => {
    const { intents, diagnostics } = load(`intent "ml" {
  workloads("ml/train-*")
  placement(flexible)
  depends_on("ml/feature-store")
  constraint network_latency { max: 1.5s, to: "ml/feature-store" }
  constraint residency { allow: ["JP", "KR"], deny: ["CN"] }
  constraint carbon { min_saving: 12.5%, max_intensity: 300g/kWh }
  constraint circuit_breaker { consecutive_failures: 7 }
  on_drift(action: "rollback")
}`);
    expect(diagnostics).toEqual([]);
    const i = intents[0]!;
    expect(i.placement).toBe('flexible');
    expect(i.workloads.map((w) => w.value)).toEqual(['ml/train-*']);
    expect(i.dependsOn.map((w) => w.value)).toEqual(['ml/feature-store']);
    expect(i.latency).toMatchObject([{ maxMs: 1500, verifyVia: 'ebpf_probe', percentile: 'p99' }]);
    expect(i.residency?.allow?.map((c) => c.value)).toEqual(['JP', 'KR']);
    expect(i.carbon).toMatchObject({ minSavingPercent: 12.5, maxIntensity: 300 });
    expect(i.circuitBreakers).toMatchObject([
      { consecutiveFailures: 7, intervalMs: 10_000, baseEjectionMs: 30_000, maxEjectionMs: 300_000, halfOpen: true },
    ]);
    expect(i.onDrift).toMatchObject({ action: 'rollback' });
    expect(Object.isFrozen(i) && Object.isFrozen(i.latency[0])).toBe(true);
  });

  it('makes an intent critical unless it says placement(flexible)', () => {
    expect(load('intent "a" {\n}\n').intents[0]?.placement).toBe('critical');
  });

  it('keeps the source location of each constraint for proofs to point at', () => {
    const i = load('intent "a" {\n  constraint compliance { level: "FISC-2025" }\n}').intents[0]!;
    expect([i.compliance?.span.line, i.compliance?.span.col, i.compliance?.levels[0]?.span.col]).toEqual([2, 3, 34]);
  });

  it('reports unknown kinds, keys, values and predicates with suggestions', () => {
    expect(
      errors(`constraint network_latncy { max: 15ms }
constraint network_latency { max: 15ms, verfy_via: ebpf_probe, percentile: p98 }
ensure(trafic_policy: "mTLS-strict")
on_drift(action: "auto_remediate")
placement(flexable)
validate_state() {
  assert!(has_cyclic_dependency(current_mesh) || has_cyclic_dependencies(mesh))
}`),
    ).toEqual([
      '2:12 intent/unknown-constraint: unknown constraint kind "network_latncy" (did you mean "network_latency"?)',
      '3:41 intent/unknown-key: unknown key "verfy_via" in constraint network_latency (did you mean "verify_via"?)',
      '3:76 intent/unknown-value: unknown value "p98" for percentile in constraint network_latency (did you mean "p90"?)',
      '4:8 intent/unknown-key: unknown key "trafic_policy" in ensure(...) (did you mean "traffic_policy"?)',
      '5:18 intent/unknown-value: unknown value "auto_remediate" for action in on_drift(...) (did you mean "auto-remediate"?)',
      '6:11 intent/unknown-value: unknown value "flexable" for placement(...) (did you mean "flexible"?)',
      '8:11 intent/unknown-predicate: unknown predicate "has_cyclic_dependency" (did you mean "has_cyclic_dependencies"?)',
      '8:74 intent/unknown-mesh: has_cyclic_dependencies(...) takes a mesh, not "mesh" (did you mean "current_mesh"?)',
    ]);
  });

  it('checks units and ranges', () => {
    expect(
      errors(`constraint network_latency { max: 15 }
constraint carbon { min_saving: 10ms, max_intensity: 300kg }
constraint circuit_breaker { consecutive_failures: 0, base_ejection: 1m, max_ejection: 30s }`),
    ).toEqual(
      [
        '2:35 intent/missing-unit: max in constraint network_latency needs a unit (write 15ms)',
        '3:33 intent/wrong-unit: min_saving in constraint carbon is a percentage, but "ms" is a unit of duration',
        '3:54 intent/wrong-unit: unknown unit "kg" for max_intensity in constraint carbon',
        '4:52 intent/out-of-range: consecutive_failures in constraint circuit_breaker is out of range',
        '4:74 intent/contradiction: max_ejection is shorter than base_ejection',
      ].sort(byPosition),
    );
  });

  it('checks types, required keys, duplicates and contradictions', () => {
    expect(
      errors(`constraint compliance { audit: "yes" }
constraint residency { allow: ["JP", "jp", "XX"], deny: "JP" }
constraint residency { deny: ["CN"] }
constraint carbon { }
workloads("Payments/API")
depends_on()
target nodes(region_tokyo) {
  workloads("a/b")
}`),
    ).toEqual([
      '2:12 intent/missing-key: constraint compliance is missing "level"',
      '2:32 intent/wrong-type: audit in constraint compliance must be true or false, found a string',
      '3:38 intent/unknown-country: "jp" is not an ISO 3166-1 alpha-2 country code (in allow in constraint residency) (did you mean "JP"?)',
      '3:44 intent/unknown-country: "XX" is not an ISO 3166-1 alpha-2 country code (in allow in constraint residency)',
      '4:1 intent/duplicate: constraint residency is given twice in intent "a" (merge the two into one)',
      '5:12 intent/missing-key: constraint carbon needs at least one of "min_saving" or "max_intensity"',
      '6:11 intent/bad-workload-pattern: "Payments/API" is not a workload name or pattern (in workloads(...))',
      '7:1 intent/wrong-argument-count: depends_on(...) takes at least 1 argument, found 0',
      '8:14 intent/wrong-type: nodes(...) must be a string in double quotes, found the name region_tokyo (write "region_tokyo" in double quotes)',
      '9:3 intent/unknown-statement: workloads(...) is not allowed in a target body',
    ]);
  });

  it('reports a second intent of the same name in one file, and contradictory traffic policies', () => {
    const r = load(
      'intent "a" {\n  ensure(traffic_policy: "mTLS-strict")\n  ensure(traffic_policy: "plaintext")\n}\nintent "a" {\n}\n',
    );
    expect(r.diagnostics.map((d) => `${d.span.line} ${d.code}`)).toEqual([
      '3 intent/contradiction',
      '5 intent/duplicate-intent',
    ]);
    expect(r.diagnostics[1]?.related?.[0]?.span.line).toBe(1);
  });

  it('caps the errors of one file, parse and check together, and says so', () => {
    const body = Array.from({ length: 80 }, (_, i) => `  constraint nope${i} { }`).join('\n');
    const { diagnostics } = load(`intent "a" {\n${body}\n}\n`);
    expect(diagnostics).toHaveLength(51);
    expect(diagnostics.at(-1)?.code).toBe('file/too-many-errors');
  });

  it('refuses malformed intent names', () => {
    expect(load('intent "Payments Core" {\n}').diagnostics.map((d) => d.code)).toEqual(['intent/bad-name']);
  });
});

function byPosition(a: string, b: string): number {
  const [la, ca] = a.split(' ')[0]!.split(':').map(Number);
  const [lb, cb] = b.split(' ')[0]!.split(':').map(Number);
  return la! - lb! || ca! - cb!;
}
