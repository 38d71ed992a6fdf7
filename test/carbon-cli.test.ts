/**
 * `shisa carbon` through the built binary: offline defaults, replay, a fleet, the live API (faked
 * on loopback), and a live zone that lies, through `shisa carbon` and `shisa plan`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledTracesDir } from '../regions/data/bundled.js';
import { FakeElectricityMaps } from './fakes/electricity-maps-server.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI asynchronously, so the fake server in this process can answer it. */
function shisa(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/shisa.js', ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface ZoneJson {
  zone: string;
  status: string;
  intensity?: number;
  datetime?: string;
  estimated?: boolean;
  source?: string;
  problem?: { code: string; message: string };
}
const zones = (r: Run): ZoneJson[] => (JSON.parse(r.stdout) as { zones: ZoneJson[] }).zones;

const TOKEN = 'cli-test-token-9d8c7b6a5f4e';
let fake: FakeElectricityMaps;
let dir: string;

beforeAll(async () => {
  fake = await FakeElectricityMaps.start({
    token: TOKEN,
    traceFiles: ['ES', 'NO', 'BR'].map((z) => join(bundledTracesDir(), `${z}_2022.csv`)),
    now: Date.parse('2022-06-01T12:30:00Z'),
  });
  dir = mkdtempSync(join(tmpdir(), 'shisa-carbon-cli-'));
  writeFileSync(
    join(dir, 'fleet.yaml'),
    `regions:
  - { name: madrid, zone: ES, country: ES, cluster: c1, capacity: { cpu: 8, memory_gib: 32 } }
  - { name: oslo, zone: NO, country: "NO", cluster: c2, capacity: { cpu: 8, memory_gib: 32 } }
carbon:
  source: electricitymaps
  max_staleness: 2h
  electricitymaps: { base_url: ${fake.baseUrl}, token_env: SHISA_TEST_EM_TOKEN, timeout: 2s, retries: 1 }
`,
  );
  // A fleet to plan: flexible batch work in Madrid and Oslo, room in São Paulo.
  mkdirSync(join(dir, 'intents'));
  writeFileSync(
    join(dir, 'intents', 'batch.intent'),
    'intent "batch" {\n  workloads("batch/*")\n  placement(flexible)\n}\n',
  );
  writeFileSync(
    join(dir, 'inventory.yaml'),
    `workloads:
${['madrid', 'madrid', 'oslo', 'oslo'].map((r, i) => `  - { name: batch/${r}-${i}, region: ${r}, cpu: 4, memory_gib: 8, intent: batch }`).join('\n')}
`,
  );
  writeFileSync(
    join(dir, 'planned.yaml'),
    `regions:
  - { name: madrid, zone: ES, country: ES, cluster: c1, capacity: { cpu: 64, memory_gib: 256 } }
  - { name: oslo, zone: "NO", country: "NO", cluster: c2, capacity: { cpu: 64, memory_gib: 256 } }
  - { name: saopaulo, zone: BR, country: BR, cluster: c3, capacity: { cpu: 64, memory_gib: 256 } }
carbon:
  source: electricitymaps
  max_staleness: 2h
  electricitymaps: { base_url: ${fake.baseUrl}, token_env: SHISA_TEST_EM_TOKEN, timeout: 2s, retries: 1 }
intents:
  - intents/
inventory: inventory.yaml
`,
  );
});
afterAll(() => fake.close());

describe('shisa carbon', () => {
  it('prints the embedded 2024 yearly averages offline, with no key', async () => {
    const r = await shisa(['carbon', 'JP-TK', 'NP', 'FR', 'SE-SE1', '--at', '2026-11-22T09:00Z']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const rows = r.stdout.split('\n');
    expect(rows[0]).toMatch(/^ZONE +gCO2eq\/kWh +TIME \(UTC\) +AGE +ESTIMATED +SOURCE +STATUS$/);
    for (const [zone, value] of [
      ['JP-TK', 539],
      ['NP', 112],
      ['FR', 33],
      ['SE-SE1', 15],
    ] as const) {
      expect(rows.find((l) => l.startsWith(`${zone} `))).toMatch(
        new RegExp(`^${zone} +${value} +2026-11-22 09:00 +0s +yes +static 2024 yearly avg +fresh$`),
      );
    }
    expect(r.stdout).toContain('4 zones at 2026-11-22 09:00 UTC: 4 fresh, 0 stale or missing');
  });

  it('replays the recorded hour with --at, and reports zones it has no trace for', async () => {
    const r = await shisa(['carbon', '--source', 'replay', '--at', '2022-06-01T12:00Z', 'ES', 'JP-TK', '--json']);
    expect(r.code).toBe(0);
    const [es, jp] = zones(r);
    const line = readFileSync(join(bundledTracesDir(), 'ES_2022.csv'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('2022-06-01 12:00:00,'))!;
    expect(es).toMatchObject({
      zone: 'ES',
      status: 'fresh',
      intensity: Number(line.split(',')[5]),
      datetime: '2022-06-01T12:00:00.000Z',
      estimated: false,
      source: 'replay',
    });
    expect(jp).toMatchObject({ zone: 'JP-TK', status: 'missing', problem: { code: 'CARBON_UNKNOWN_ZONE' } });
  });

  it('marks a zone stale when the last recorded hour is older than max_staleness', async () => {
    const r = await shisa(['carbon', '--source', 'replay', '--at', '2023-01-01T02:00:01Z', 'NO', '--json']);
    expect(zones(r)[0]).toMatchObject({
      status: 'stale',
      datetime: '2022-12-31T23:00:00.000Z',
      problem: { code: 'CARBON_STALE' },
    });
  });

  it('shows every zone of a fleet', async () => {
    const r = await shisa(['carbon', '--config', 'regions/examples/fleet.yaml', '--json']);
    expect(r.code).toBe(0);
    const all = zones(r);
    expect(all).toHaveLength(16);
    expect(all.find((z) => z.zone === 'NP')).toMatchObject({ intensity: 112, status: 'fresh' });
  });

  it('reads the live API with the token from the variable the fleet names, and never prints it', async () => {
    const r = await shisa(['carbon', '--config', join(dir, 'fleet.yaml'), '--at', '2022-06-01T12:30Z', '--json'], {
      SHISA_TEST_EM_TOKEN: TOKEN,
    });
    expect(r.code).toBe(0);
    expect(zones(r).map((z) => [z.zone, z.status, z.source])).toEqual([
      ['ES', 'fresh', 'electricitymaps'],
      ['NO', 'fresh', 'electricitymaps'],
    ]);
    expect(fake.requests.every((q) => q.headers['auth-token'] === TOKEN)).toBe(true);
    expect((JSON.parse(r.stdout) as { upstream_calls: number }).upstream_calls).toBe(2);
    const text = await shisa(['carbon', '--config', join(dir, 'fleet.yaml'), '--at', '2022-06-01T16:00Z'], {
      SHISA_TEST_EM_TOKEN: TOKEN,
    });
    expect(text.stdout).toMatch(
      /^ES .* electricitymaps +stale: latest reading for ES is 4h old, more than the 2h allowed$/m,
    );
    for (const out of [r, text]) expect(out.stdout + out.stderr).not.toContain(TOKEN);
  });

  it('says which variable to set when the token is missing', async () => {
    const r = await shisa(['carbon', '--config', join(dir, 'fleet.yaml'), 'ES', '--json'], { SHISA_TEST_EM_TOKEN: '' });
    expect(zones(r)[0]).toMatchObject({
      status: 'missing',
      problem: {
        code: 'CARBON_NO_TOKEN',
        message: 'environment variable SHISA_TEST_EM_TOKEN is not set; Electricity Maps needs an API token',
      },
    });
  });

  it('reports a lying zone missing with the reason, and shisa plan moves nothing into or out of it', async () => {
    fake.reset();
    fake.misbehave('NO', { kind: 'lie', carbonIntensity: '1e308' });
    const reason = {
      code: 'CARBON_BAD_READING',
      message: 'bad reading for NO from electricitymaps: 1e308 gCO2eq/kWh is outside 0–2,500',
    };
    const env = { SHISA_TEST_EM_TOKEN: TOKEN };
    const fleet = join(dir, 'planned.yaml');
    try {
      const carbon = await shisa(['carbon', '--config', fleet, '--at', '2022-06-01T12:30Z', '--json'], env);
      expect(carbon.code).toBe(0);
      expect(zones(carbon)).toEqual([
        expect.objectContaining({ zone: 'ES', status: 'fresh' }),
        { zone: 'NO', status: 'missing', problem: reason },
        expect.objectContaining({ zone: 'BR', status: 'fresh' }),
      ]);
      const planned = await shisa(
        [
          'plan',
          '--config',
          fleet,
          '--carbon',
          'electricitymaps',
          '--at',
          '2022-06-01T12:30Z',
          '--json',
          '--no-record',
        ],
        env,
      );
      expect(planned.code, planned.stderr).toBe(0);
      const p = JSON.parse(planned.stdout) as {
        carbon: unknown[];
        moves: { workload: string; from: string; to: string }[];
        emissions_g_per_h: { before: number; after: number };
      };
      expect(p.carbon).toEqual([{ zone: 'NO', status: 'missing', problem: reason.message }]);
      // Madrid's work still goes to cleaner São Paulo; Oslo's stays, and nothing goes to Oslo.
      expect(p.moves.map((m) => [m.workload, m.from, m.to])).toEqual([
        ['batch/madrid-0', 'madrid', 'saopaulo'],
        ['batch/madrid-1', 'madrid', 'saopaulo'],
      ]);
      expect(Number.isFinite(p.emissions_g_per_h.before)).toBe(true);
      expect(Number.isFinite(p.emissions_g_per_h.after)).toBe(true);
      for (const out of [carbon, planned]) expect(out.stdout + out.stderr).not.toContain(TOKEN);
    } finally {
      fake.misbehave('NO', undefined);
    }
  });

  it('exits 2 on bad input', async () => {
    for (const args of [
      ['carbon', 'jp-tk'],
      ['carbon', '--at', 'yesterday', 'FR'],
      ['carbon'],
      ['carbon', '--source', 'wattime', 'FR'],
      ['carbon', '--config', 'no/such/fleet.yaml'],
    ]) {
      const r = await shisa(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    }
  });
});
