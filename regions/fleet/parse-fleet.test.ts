import { describe, expect, it } from 'vitest';
import { diagnosticToJson } from '../../scheduler/diagnostics/diagnostic.js';
import { renderDiagnostic } from '../../scheduler/diagnostics/render.js';
import { SourceFile } from '../../scheduler/diagnostics/source-file.js';
import { parseFleet } from './parse-fleet.js';

const MINIMAL = `regions:
  - name: tokyo
    zone: JP-TK
    country: JP
    compliance: [FISC-2025]
    cluster: gke-tokyo
    capacity: { cpu: 64, memory_gib: 256 }
  - name: osaka
    zone: JP-KN
    country: JP
    cluster: gke-osaka
    capacity: { cpu: 32, memory_gib: 128 }
`;

const parse = (text: string) => parseFleet(new SourceFile('fleet.yaml', text), '/fleet', (p) => p);
const problems = (text: string) =>
  parse(text).diagnostics.map(
    (d) => `${d.span.line}:${d.span.col} ${d.code}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`,
  );

describe('parseFleet', () => {
  it('reads the inventory from the clusters, with namespaces and a checked label selector', () => {
    const { fleet, diagnostics } = parse(
      `${MINIMAL}inventory: { source: clusters, namespaces: [payments, web], selector: "shisa.io/managed=true" }\n`,
    );
    expect(diagnostics).toEqual([]);
    expect(fleet?.inventory).toBeUndefined();
    expect(fleet?.clusterInventory).toMatchObject({
      namespaces: ['payments', 'web'],
      selector: 'shisa.io/managed=true',
    });
    expect(fleet?.regions[0]).toMatchObject({ cluster: 'gke-tokyo', clusterSpan: { line: 6, col: 14 } });
    expect(parse(`${MINIMAL}inventory: { source: clusters }\n`).fleet?.clusterInventory).toMatchObject({
      namespaces: [],
    });
    expect(parse(`${MINIMAL}inventory: inventory.yaml\n`).fleet?.inventory).toMatchObject({
      path: '/fleet/inventory.yaml',
    });
  });

  it('locates a bad inventory source, namespace or selector at the character that is wrong', () => {
    expect(problems(`${MINIMAL}inventory: { source: cluster, namespaces: [Payments] }\n`)).toEqual([
      '13:22 fleet/unknown-value: inventory.source: expected "clusters", found "cluster" (did you mean "clusters"?)',
      '13:44 fleet/invalid-value: inventory.namespaces[0]: expected a namespace name: lowercase letters, digits and "-", at most 63 characters',
    ]);
    expect(problems(`${MINIMAL}inventory: { source: clusters, selector: "app=web,,x" }\n`)).toEqual([
      '13:51 fleet/bad-selector: inventory.selector is not a label selector Kubernetes accepts',
    ]);
    expect(problems(`${MINIMAL}inventory:\n  source: clusters\n  selector: tier in a\n`)).toEqual([
      '15:13 fleet/bad-selector: inventory.selector is not a label selector Kubernetes accepts',
    ]);
  });

  it('applies documented defaults and converts units', () => {
    const { fleet, diagnostics } = parse(MINIMAL);
    expect(diagnostics).toEqual([]);
    expect(fleet?.carbon).toMatchObject({
      source: 'static',
      maxStalenessMs: 7_200_000,
      emissionFactor: 'lifecycle',
      static: { year: 2024 },
    });
    expect(fleet?.carbon.electricitymaps).toEqual({
      baseUrl: 'https://api.electricitymap.org/v3',
      tokenEnv: 'ELECTRICITYMAPS_TOKEN',
      timeoutMs: 10_000,
      cacheTtlMs: 300_000,
      retries: 3,
    });
    expect(fleet?.policy).toEqual({
      schedule: '5 * * * *',
      migrationBudget: 10,
      minSavingPercent: 10,
      cooldownMs: 21_600_000,
      migrationCostGPerH: 0,
      readyTimeoutMs: 600_000,
      verifyWindowMs: 60_000,
      maxParallel: 10,
      maxParallelPerCluster: 4,
    });
    expect(fleet?.power).toEqual({ wattsPerCpu: 2.5, wattsPerGib: 0.392, pue: 1.1 });
    expect(fleet?.regionsByName.get('osaka')?.compliance).toEqual([]);
    expect(Object.isFrozen(fleet) && Object.isFrozen(fleet?.regions[0])).toBe(true);
  });

  it('reads units, latency both ways, notify channels and file references', () => {
    const { fleet, diagnostics } = parse(`${MINIMAL}latency_ms:
  tokyo: { osaka: 9, tokyo: 1 }
carbon: { source: replay, max_staleness: 90m, replay: { traces: [traces/] } }
policy: { cooldown: 1d, min_saving: 12.5%, schedule: "*/30 * * * *" }
notify:
  sre-oncall: { webhook_env: SLACK_SRE }
intents: [intents/]
inventory: inv.yaml
`);
    expect(diagnostics).toEqual([]);
    expect(fleet?.latency.get('osaka', 'tokyo')).toBe(9);
    expect(fleet?.latency.get('tokyo', 'tokyo')).toBe(1);
    expect(fleet?.carbon.maxStalenessMs).toBe(5_400_000);
    expect(fleet?.carbon.replay?.traces[0]?.path).toBe('/fleet/traces');
    expect(fleet?.policy).toMatchObject({ cooldownMs: 86_400_000, minSavingPercent: 12.5 });
    expect(fleet?.notify.get('sre-oncall')).toMatchObject({
      webhookEnv: 'SLACK_SRE',
      events: ['migrations', 'exceptions'],
    });
    expect(fleet?.intents.map((r) => [r.path, r.span.line])).toEqual([['/fleet/intents', 19]]);
    expect(fleet?.inventory?.path).toBe('/fleet/inv.yaml');
  });

  it('locates unknown keys with suggestions (not also reporting the misspelt key as missing), wrong units and bad values at their YAML node', () => {
    expect(
      problems(`regions:
  - name: tokyo
    zone: JP-TK
    country: JPN
    cluster: gke-tokyo
    capacity: { cpu: 64, memroy_gib: 256 }
carbon: { max_staleness: 2, source: electricitymap }
policy: { schedule: "61 * * * *", cooldown: 6 hours }
`),
    ).toEqual([
      '4:14 fleet/invalid-value: regions[0].country: expected an ISO 3166-1 alpha-2 country code such as "JP"',
      '6:26 fleet/unknown-key: unknown key "memroy_gib" in regions[0].capacity (did you mean "memory_gib"?)',
      '7:26 fleet/invalid-value: carbon.max_staleness: expected a duration such as 15ms, 30s, 2h (units: us, µs, ms, s, m, min, h, d); write the unit after the number',
      '7:37 fleet/unknown-value: carbon.source: expected one of "static", "electricitymaps", "replay", found "electricitymap" (did you mean "electricitymaps"?)',
      '8:21 fleet/invalid-value: policy.schedule: invalid cron schedule: minute field "61": "61" is not a number from 0 to 59',
      '8:45 fleet/invalid-value: policy.cooldown: expected a duration such as 15ms, 30s, 2h (units: us, µs, ms, s, m, min, h, d); did you mean "6h"?',
    ]);
  });

  it('checks what the schema cannot: duplicate regions, unknown and conflicting latency entries', () => {
    expect(
      problems(`${MINIMAL}  - name: tokyo
    zone: JP-TK
    country: JP
    cluster: x
    capacity: { cpu: 1, memory_gib: 1 }
latency_ms:
  tokyo: { osaka: 9, osakka: 3 }
  osaka: { tokyo: 12 }
  paris: { tokyo: 200 }
`),
    ).toEqual([
      '13:11 fleet/duplicate-region: region "tokyo" is defined twice',
      '19:22 fleet/unknown-region: latency_ms names unknown region "osakka" (did you mean "osaka"?)',
      '20:19 fleet/latency-conflict: latency between "osaka" and "tokyo" is given twice with different values (9 ms and 12 ms)',
      '21:3 fleet/unknown-region: latency_ms names unknown region "paris"',
    ]);
  });

  it('never quotes a secret pasted where an environment variable name belongs', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/XXXXSECRET';
    const { diagnostics } = parse(`${MINIMAL}notify:\n  sre: { webhook_env: "${url}" }\n`);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]?.message).toBe(
      'notify.sre.webhook_env: expected the NAME of an environment variable that holds the webhook URL, not the URL itself',
    );
    expect(JSON.stringify(diagnostics.map(diagnosticToJson))).not.toContain('SECRET');
    expect(renderDiagnostic(diagnostics[0]!)).toContain('webhook_env: "https://hooks.slack.com/…"');
    expect(renderDiagnostic(diagnostics[0]!)).not.toContain('SECRET');
  });

  it('reports YAML syntax errors and empty files with locations', () => {
    expect(problems('regions:\n  - name: a\n   zone: b\n')[0]).toMatch(/^3:\d+ fleet\/yaml-syntax: fleet file: /);
    expect(problems('a: 1\na: 2\n')).toEqual(['2:1 fleet/duplicate-key: key "a" is given twice in the same mapping']);
    expect(problems('regions: []\n---\nx: 1\n')[0]).toMatch(
      /fleet\/yaml-syntax: fleet file: holds more than one YAML document/,
    );
    expect(problems('regions:\n  ? [a, b]\n  : 1\n')).toEqual([
      '2:5 fleet/yaml-syntax: fleet file: a key must be a plain name, not a list or mapping',
    ]);
    expect(problems('# only a comment\n')).toEqual(['1:1 fleet/empty-file: fleet file is empty']);
    expect(problems('- just\n- a list\n')).toEqual([
      '1:1 fleet/invalid-value: fleet file: expected a mapping (key: value), found a list',
    ]);
  });
});

describe('parseFleet ranges', () => {
  const withCpu = (cpu: string) => MINIMAL.replace('cpu: 64', `cpu: ${cpu}`);
  const first = (text: string) => {
    const d = parse(text).diagnostics[0];
    return d && { at: `${d.span.line}:${d.span.col}`, code: d.code, message: d.message, expected: d.expected };
  };

  it.each(['1e20', '1e308', '1e400', '.inf', '-.inf', '.nan', '0', '-64', '1000000.5'])(
    'refuses capacity cpu %s at its node, saying the range',
    (cpu) => {
      expect(first(withCpu(cpu))).toEqual({
        at: '7:22',
        code: 'fleet/out-of-range',
        message: `regions[0].capacity.cpu: ${cpu} is out of range`,
        expected: 'a number from 0.001 to 1000000 cores',
      });
    },
  );

  it('refuses durations outside their range, whatever the unit', () => {
    expect(first(`${MINIMAL}policy: { cooldown: 100000000d }\n`)).toEqual({
      at: '13:21',
      code: 'fleet/out-of-range',
      message: 'policy.cooldown: 100000000d is out of range',
      expected: 'a duration from 0ms to 365d',
    });
    expect(first(`${MINIMAL}carbon: { electricitymaps: { timeout: 0s } }\n`)).toMatchObject({
      code: 'fleet/out-of-range',
      expected: 'a duration from 100ms to 10m',
    });
    expect(first(`${MINIMAL}carbon: { max_staleness: 0h }\n`)).toMatchObject({
      code: 'fleet/out-of-range',
      expected: 'a duration from 1m to 365d',
    });
    expect(first(`${MINIMAL}carbon: { max_staleness: ${'9'.repeat(400)}d }\n`)).toMatchObject({
      code: 'fleet/out-of-range',
    });
  });

  it('refuses a latency out of range, given as a number or as a duration', () => {
    expect(problems(`${MINIMAL}latency_ms: { tokyo: { osaka: 61s } }\n`)).toEqual([
      '13:31 fleet/out-of-range: latency_ms.tokyo.osaka: 61s is out of range',
    ]);
    expect(problems(`${MINIMAL}latency_ms: { tokyo: { osaka: .inf } }\n`)).toEqual([
      '13:31 fleet/out-of-range: latency_ms.tokyo.osaka: .inf is out of range',
    ]);
  });

  it('says a whole number once when it is neither whole nor in range', () => {
    expect(problems(`${MINIMAL}policy: { migration_budget: -1.5 }\n`)).toEqual([
      '13:29 fleet/out-of-range: policy.migration_budget: -1.5 is out of range',
    ]);
  });
});

describe('parseFleet schedules', () => {
  it('refuses a schedule that can never fire, with its own code', () => {
    const { diagnostics } = parse(`${MINIMAL}policy: { schedule: "0 0 31 4,6,9,11 *" }\n`);
    expect(diagnostics.map((d) => [`${d.span.line}:${d.span.col}`, d.code, d.message])).toEqual([
      [
        '13:21',
        'fleet/schedule-never-fires',
        'policy.schedule: cron schedule never fires: April, June, September and November have no day 31',
      ],
    ]);
  });

  it('accepts a schedule that fires only on 29 February, with a warning', () => {
    const { fleet, diagnostics } = parse(`${MINIMAL}policy: { schedule: "0 3 29 2 *" }\n`);
    expect(fleet?.policy.schedule).toBe('0 3 29 2 *');
    expect(diagnostics.map((d) => [d.severity, d.code, d.span.line])).toEqual([
      ['warning', 'fleet/leap-day-schedule', 13],
    ]);
  });
});

describe('parseFleet line endings', () => {
  const FULL = `${MINIMAL}latency_ms:\n  tokyo: { osaka: 9 }\npolicy:\n  cooldown: 1d\n  min_saving: 12.5%\n`;
  const summary = (text: string) => {
    const { fleet, diagnostics } = parse(text);
    return {
      diagnostics,
      regions: fleet?.regions.map((r) => [r.name, r.capacity, r.compliance, r.span.line, r.span.col]),
      latency: fleet?.latency.get('tokyo', 'osaka'),
      policy: fleet?.policy,
    };
  };

  it('reads a file with CR-only line ends exactly like its LF twin', () => {
    const lf = summary(FULL);
    expect(lf.regions).toHaveLength(2);
    expect(summary(FULL.replace(/\n/g, '\r'))).toEqual(lf);
    expect(summary(FULL.replace(/\n/g, '\r\n'))).toEqual(lf);
  });

  it('reports an error in a CR-only file at the right line and column', () => {
    const bad = FULL.replace('cpu: 32', 'cpu: 1e20');
    const lf = problems(bad);
    expect(lf).toEqual(['12:22 fleet/out-of-range: regions[1].capacity.cpu: 1e20 is out of range']);
    expect(problems(bad.replace(/\n/g, '\r'))).toEqual(lf);
    const rendered = renderDiagnostic(parse(bad.replace(/\n/g, '\r')).diagnostics[0]!);
    expect(rendered).toContain('12 |     capacity: { cpu: 1e20, memory_gib: 128 }');
  });

  it('reports a YAML syntax error in a CR-only file where it is', () => {
    const text = 'regions:\r  - name: a\r   zone: b\r';
    expect(problems(text)).toEqual(problems(text.replace(/\r/g, '\n')));
    expect(problems(text)[0]).toMatch(/^3:\d+ fleet\/yaml-syntax/);
  });
});
