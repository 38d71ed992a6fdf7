import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkspace } from './load-workspace.js';
import { summarise } from './summary.js';

const EXAMPLE = 'regions/examples/fleet.yaml';

/** A copy of the example fleet in a temp folder, with some files replaced. */
function exampleCopy(edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'shisa-ws-'));
  cpSync('regions/examples', dir, { recursive: true });
  edit(dir);
  return dir;
}

describe('loadWorkspace', () => {
  it('loads the example fleet with all its intents and workloads', async () => {
    const r = await loadWorkspace(EXAMPLE, { cwd: process.cwd() });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const ws = r.workspace!;
    expect(ws.fleet.regions).toHaveLength(17);
    expect(ws.intentFiles).toEqual([
      'regions/examples/intents/batch.intent',
      'regions/examples/intents/data-platform.intent',
      'regions/examples/intents/edge.intent',
      'regions/examples/intents/ml.intent',
      'regions/examples/intents/payments.intent',
      'regions/examples/intents/secure-gateway-mesh.intent',
    ]);
    expect(ws.intents.map((i) => i.name)).toContain('secure-gateway-mesh');
    expect(ws.workloads).toHaveLength(300);
    const s = summarise(ws);
    expect(s.workloads).toMatchObject({ source: 'inventory', count: 300, critical: 52, flexible: 248, uncovered: 5 });
    expect(s.latency).toEqual({ known_pairs: 132, pairs: 136 });
  });

  it('reports errors from every file and cross-file references, and returns no workspace', async () => {
    const dir = exampleCopy((d) => {
      const inv = join(d, 'inventory.yaml');
      writeFileSync(inv, readFileSync(inv, 'utf8').replace('region: region-osaka-01', 'region: region-osaka-1'));
      writeFileSync(
        join(d, 'intents', 'extra.intent'),
        'intent "x" {\n  target nodes("region-tokio-01") { }\n  on_drift(action: "alert", notify: "sre-on-call")\n}\nintent "ml-training" {\n}\n',
      );
      writeFileSync(join(d, 'intents', 'broken.intent'), 'intent "y" {\n  constraint carbon { min_saving: 10 }\n}\n');
    });
    const r = await loadWorkspace(join(dir, 'fleet.yaml'), { cwd: dir });
    expect(r.workspace).toBeUndefined();
    const complaints = r.diagnostics.filter((d) => d.code !== 'intent/not-enforced');
    expect(complaints.map((d) => `${d.span.file}:${d.span.line} ${d.code}${d.hint ? ` ${d.hint}` : ''}`)).toEqual([
      'intents/broken.intent:2 intent/missing-unit write 10%',
      'intents/extra.intent:2 intent/unknown-region did you mean "region-tokyo-01"?',
      'intents/extra.intent:3 intent/unknown-channel did you mean "sre-oncall"?',
      'intents/ml.intent:9 intent/duplicate-intent',
      expect.stringMatching(/^inventory.yaml:\d+ inventory\/unknown-region did you mean "region-osaka-01"\?$/),
    ]);
  });

  it('reports a missing intents folder or inventory where the fleet file names them', async () => {
    const dir = exampleCopy((d) => {
      const f = join(d, 'fleet.yaml');
      writeFileSync(
        f,
        readFileSync(f, 'utf8')
          .replace('  - intents/', '  - intent/')
          .replace('inventory: inventory.yaml', 'inventory: inventry.yaml'),
      );
    });
    const r = await loadWorkspace('fleet.yaml', { cwd: dir });
    expect(r.diagnostics.map((d) => `${d.span.file} ${d.code}: ${d.message}`)).toEqual([
      'fleet.yaml fleet/missing-file: intent path "intent" does not exist',
      'fleet.yaml fleet/missing-file: inventory "inventry.yaml" does not exist',
    ]);
  });
});
