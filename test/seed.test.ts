import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SourceFile } from '../scheduler/diagnostics/source-file.js';
import { loadIntentSource } from '../scheduler/intent/index.js';

// The intent from the article shisa grew out of, byte for byte. It must always parse and
// validate unchanged: the language only ever grows around it.
const SEED = `intent "secure-gateway-mesh" {
constraint network_latency { max: 15ms, verify_via: ebpf_probe }
constraint compliance { level: "FISC-2025", audit: true }
target nodes("region-tokyo-01") {
ensure(traffic_policy: "mTLS-strict")
on_drift(action: "auto-remediate", notify: "sre-oncall")
}
validate_state() {
// Uses formal methods to check for reachability deadlocks
assert!(!has_cyclic_dependencies(current_mesh))
}
}
`;

const EXAMPLE = 'regions/examples/intents/secure-gateway-mesh.intent';

describe('the seed intent', () => {
  it('parses and checks without a single diagnostic, with the meaning the article gives it', () => {
    const { intents, diagnostics } = loadIntentSource(new SourceFile('seed.intent', SEED));
    expect(diagnostics).toEqual([]);
    expect(intents).toHaveLength(1);
    const i = intents[0]!;
    expect(i.name).toBe('secure-gateway-mesh');
    expect(i.placement).toBe('critical');
    expect(i.latency).toMatchObject([{ maxMs: 15, verifyVia: 'ebpf_probe', to: [] }]);
    expect(i.compliance).toMatchObject({ levels: [{ value: 'FISC-2025' }], audit: true });
    expect(i.target?.regions.map((r) => r.value)).toEqual(['region-tokyo-01']);
    expect(i.ensure.map((e) => e.trafficPolicy)).toEqual(['mTLS-strict']);
    expect(i.onDrift).toMatchObject({ action: 'auto-remediate', notify: { value: 'sre-oncall' } });
    expect(i.assertions).toMatchObject([
      {
        text: 'assert!(!has_cyclic_dependencies(current_mesh))',
        expr: {
          kind: 'not',
          operand: { kind: 'predicate', predicate: 'has_cyclic_dependencies', mesh: 'current_mesh' },
        },
      },
    ]);
  });

  it('is shipped unchanged in the example fleet, which validates as a whole', () => {
    expect(readFileSync(EXAMPLE, 'utf8')).toBe(SEED);
    const out = execFileSync(process.execPath, ['bin/shisa.js', 'validate', EXAMPLE], { encoding: 'utf8' });
    expect(out).toContain(`${EXAMPLE}: valid, 1 intent (secure-gateway-mesh)`);
  });
});
