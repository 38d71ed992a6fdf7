import { describe, expect, it } from 'vitest';
import { HIST_SLOTS, slotUpperUs } from './histogram.js';
import type { KernelHistogram } from './loader-protocol.js';
import { dest, renderMetrics, type MetricsInput } from './metrics.js';
import type { EnforcerStatus, VerdictStatus } from './status.js';
import { verdictStatus } from '../test/enforcer/verdict-status.js';

const slots = (counts: Readonly<Record<number, number>>): number[] => {
  const s = new Array<number>(HIST_SLOTS).fill(0);
  for (const [k, c] of Object.entries(counts)) s[Number(k)] = c;
  return s;
};

const DB: KernelHistogram = {
  cgroup_id: 4242,
  addr: '10.0.0.7',
  port: 5432,
  slots: slots({ 5: 3, 6: 90, 7: 6, 20: 1 }),
  connects: 100,
  failures: 2,
  rto: 1,
  sum_us: 1_054_321,
};
const CACHE_V6: KernelHistogram = {
  cgroup_id: 4242,
  addr: 'fd00::8',
  port: 6379,
  slots: slots({ 0: 1, [HIST_SLOTS - 1]: 2 }),
  connects: 3,
  failures: 0,
  rto: 4,
  sum_us: 70_000_000,
};

const verdict = (v: Partial<VerdictStatus>): VerdictStatus => verdictStatus(v);

const STATUS: EnforcerStatus = {
  node: 'gke-tokyo-01-pool-a-1',
  mode: 'enforce',
  observeOnlyReasons: [],
  loader: { running: true, pinDir: '/sys/fs/bpf/shisa', kernelStats: true, restarts: 0 },
  window: { ms: 60_000, minSamples: 20 },
  workloads: [{ name: 'shop/web', cgroup: '/sys/fs/cgroup/web', cgroupId: 4242, attached: true }],
  verdicts: [
    verdict({}),
    verdict({ key: 'k2', dependency: 'shop/cache', state: 'violated' }),
    verdict({ key: 'k3', dependency: 'shop/ledger', state: 'unknown' }),
  ],
  breakers: [
    {
      workload: 'shop/web',
      cgroupId: 4242,
      destination: '10.0.0.8:6379',
      state: 'open',
      force: 'auto',
      consecutiveFailures: 3,
      cooldownMs: 1500,
      probeInMs: 700,
      refused: 12,
      transitions: 1,
    },
    {
      cgroupId: 99,
      destination: '[fd00::9]:7000',
      state: 'half_open',
      force: 'closed',
      consecutiveFailures: 0,
      cooldownMs: 3000,
      refused: 0,
      transitions: 2,
    },
  ],
  programs: [{ name: 'sockops', id: 17, runs: 1234, run_cnt: 1230, run_time_ns: 567_890 }],
  updatedAt: '2025-01-01T00:00:01.000Z',
};

const INPUT: MetricsInput = {
  status: STATUS,
  histograms: [
    { workload: 'shop/web', h: DB },
    { workload: 'shop/web', h: CACHE_V6 },
  ],
  transitions: new Map([
    ['shop/web|10.0.0.8:6379|open', { workload: 'shop/web', destination: '10.0.0.8:6379', to: 'open', count: 2 }],
  ]),
};

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

const METRIC = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/y;

/** A strict reader of the text format (0.0.4): throws on any line it does not accept. */
function parseExposition(text: string): { samples: Sample[]; families: Map<string, { type: string; help: string }> } {
  expect(text.endsWith('\n')).toBe(true);
  const families = new Map<string, { type: string; help: string }>();
  const helps = new Map<string, string>();
  const samples: Sample[] = [];
  let current: string | undefined; // the family whose samples may follow
  for (const line of text.slice(0, -1).split('\n')) {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (help) {
      expect(helps.has(help[1]!), `HELP ${help[1]} given twice`).toBe(false);
      helps.set(help[1]!, help[2]!);
      continue;
    }
    if (type) {
      expect(helps.has(type[1]!), `TYPE ${type[1]} before its HELP`).toBe(true);
      expect(families.has(type[1]!), `TYPE ${type[1]} given twice`).toBe(false);
      families.set(type[1]!, { type: type[2]!, help: helps.get(type[1]!)! });
      current = type[1]!;
      continue;
    }
    const m = METRIC.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const [, name, body, value] = m;
    const family = families.get(current ?? '');
    const own =
      family?.type === 'histogram' ? [current, `${current}_bucket`, `${current}_sum`, `${current}_count`] : [current];
    expect(own, `sample ${name} outside its family's HELP/TYPE`).toContain(name);
    const labels: Record<string, string> = {};
    if (body) {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < body.length) {
        const l = LABEL.exec(body);
        if (!l) throw new Error(`bad labels: ${body}`);
        labels[l[1]!] = l[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
      }
    }
    expect(value).toMatch(/^(-?\d+(\.\d+)?(e[+-]?\d+)?|\+Inf|-Inf|NaN)$/);
    samples.push({ name: name!, labels, value: Number(value!.replace('Inf', 'Infinity')) });
  }
  return { samples, families };
}

const pick = (samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): Sample[] =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

describe('renderMetrics', () => {
  const rendered = () => parseExposition(renderMetrics(INPUT));

  it('is valid text exposition: every sample follows its family’s HELP and TYPE', () => {
    const { samples, families } = rendered();
    // parseExposition checks the order; here, that each family is what it claims.
    expect(Object.fromEntries([...families].map(([n, f]) => [n, f.type]))).toEqual({
      shisa_enforcer_observe_only: 'gauge',
      shisa_enforcer_loader_up: 'gauge',
      shisa_connect_latency_microseconds: 'histogram',
      shisa_connect_failures_total: 'counter',
      shisa_connect_syn_timeouts_total: 'counter',
      shisa_breaker_state: 'gauge',
      shisa_breaker_refused_total: 'counter',
      shisa_breaker_transitions_total: 'counter',
      shisa_latency_verdict: 'gauge',
      shisa_bpf_program_runs_total: 'counter',
      shisa_bpf_program_run_time_nanoseconds_total: 'counter',
    });
    expect(samples.every((s) => s.labels['node'] === 'gke-tokyo-01-pool-a-1')).toBe(true);
  });

  it('renders each histogram as cumulative buckets ending at le="+Inf", equal to _count', () => {
    const { samples } = rendered();
    for (const h of [DB, CACHE_V6]) {
      const destination = dest(h.addr, h.port);
      const buckets = pick(samples, 'shisa_connect_latency_microseconds_bucket', { destination });
      expect(buckets).toHaveLength(HIST_SLOTS);
      expect(buckets.map((b) => Number(b.labels['le']!.replace('+Inf', 'Infinity')))).toEqual(
        Array.from({ length: HIST_SLOTS }, (_, s) => slotUpperUs(s)),
      );
      expect(buckets.at(-1)?.labels['le']).toBe('+Inf');
      for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
      const total = h.slots.reduce((a, b) => a + b, 0);
      expect(buckets.at(-1)?.value).toBe(total);
      expect(pick(samples, 'shisa_connect_latency_microseconds_count', { destination })).toMatchObject([
        { value: total },
      ]);
      expect(pick(samples, 'shisa_connect_latency_microseconds_sum', { destination })).toMatchObject([
        { value: h.sum_us },
      ]);
    }
    // 3 connects under 32 µs, 93 under 64 µs, 99 under 128 µs, all 100 by 2^20 µs.
    const db = pick(samples, 'shisa_connect_latency_microseconds_bucket', { destination: '10.0.0.7:5432' });
    expect([db[5]?.labels['le'], db[5]?.value, db[6]?.value, db[7]?.value, db[19]?.value, db[20]?.value]).toEqual([
      '32',
      3,
      93,
      99,
      99,
      100,
    ]);
    expect(
      pick(samples, 'shisa_connect_latency_microseconds_bucket', { destination: '[fd00::8]:6379', le: '1' }),
    ).toMatchObject([{ value: 1 }]);
  });

  it('exports the kernel’s counters, breakers, verdicts and program statistics', () => {
    const { samples } = rendered();
    expect(pick(samples, 'shisa_connect_failures_total').map((s) => [s.labels['destination'], s.value])).toEqual([
      ['10.0.0.7:5432', 2],
      ['[fd00::8]:6379', 0],
    ]);
    expect(pick(samples, 'shisa_connect_syn_timeouts_total').map((s) => s.value)).toEqual([1, 4]);
    expect(
      pick(samples, 'shisa_breaker_state').map((s) => [
        s.labels['workload'],
        s.labels['destination'],
        s.labels['force'],
        s.value,
      ]),
    ).toEqual([
      ['shop/web', '10.0.0.8:6379', 'auto', 1],
      ['cgroup 99', '[fd00::9]:7000', 'closed', 2],
    ]);
    expect(pick(samples, 'shisa_breaker_refused_total').map((s) => s.value)).toEqual([12, 0]);
    expect(pick(samples, 'shisa_breaker_transitions_total')).toEqual([
      {
        name: 'shisa_breaker_transitions_total',
        labels: { node: 'gke-tokyo-01-pool-a-1', workload: 'shop/web', destination: '10.0.0.8:6379', to: 'open' },
        value: 2,
      },
    ]);
    expect(
      pick(samples, 'shisa_latency_verdict').map((s) => [s.labels['dependency'], s.labels['percentile'], s.value]),
    ).toEqual([
      ['shop/db', 'p99', 1],
      ['shop/cache', 'p99', 0],
      ['shop/ledger', 'p99', -1],
    ]);
    expect(pick(samples, 'shisa_bpf_program_runs_total', { program: 'sockops' })).toMatchObject([{ value: 1234 }]);
    expect(pick(samples, 'shisa_bpf_program_run_time_nanoseconds_total', { program: 'sockops' })).toMatchObject([
      { value: 567_890 },
    ]);
    expect(pick(samples, 'shisa_enforcer_observe_only')).toMatchObject([{ value: 0 }]);
    expect(pick(samples, 'shisa_enforcer_loader_up')).toMatchObject([{ value: 1 }]);
  });

  it('never repeats a series (same name and labels)', () => {
    const { samples } = rendered();
    const series = samples.map((x) => `${x.name}${JSON.stringify(Object.entries(x.labels).sort())}`);
    expect(new Set(series).size).toBe(series.length);
  });

  // Breakers of cgroups the agent cannot name (kept in reused pinned maps) are named by their id.
  it('keeps breakers of unnamed cgroups apart', () => {
    const orphan = {
      cgroupId: 0,
      destination: '10.0.0.8:6379',
      state: 'closed',
      force: 'auto',
      consecutiveFailures: 0,
      cooldownMs: 1500,
      refused: 0,
      transitions: 0,
    } as const;
    const text = renderMetrics({
      ...INPUT,
      status: {
        ...STATUS,
        breakers: [
          { ...orphan, cgroupId: 101 },
          { ...orphan, cgroupId: 102 },
        ],
      },
    });
    const { samples } = parseExposition(text);
    for (const name of ['shisa_breaker_state', 'shisa_breaker_refused_total']) {
      const series = pick(samples, name).map((x) => JSON.stringify(Object.entries(x.labels).sort()));
      expect(series).toHaveLength(2);
      expect(new Set(series).size).toBe(2);
    }
  });

  it('leaves out run times unless kernel statistics are on', () => {
    const text = renderMetrics({ ...INPUT, status: { ...STATUS, loader: { ...STATUS.loader, kernelStats: false } } });
    expect(text).toContain('shisa_bpf_program_runs_total{node="gke-tokyo-01-pool-a-1",program="sockops"} 1234');
    expect(text).not.toContain('shisa_bpf_program_run_time_nanoseconds_total');
  });

  it('escapes quotes, backslashes and newlines in label values', () => {
    const nasty = 'say "hi"\\path\nnext line';
    const text = renderMetrics({ ...INPUT, status: { ...STATUS, verdicts: [verdict({ intent: nasty })] } });
    const line = text.split('\n').find((l) => l.startsWith('shisa_latency_verdict{'))!;
    expect(line).toContain('intent="say \\"hi\\"\\\\path\\nnext line"');
    expect(parseExposition(text).samples.find((s) => s.name === 'shisa_latency_verdict')?.labels['intent']).toBe(nasty);
  });

  it('says so when observe-only, with the families present but empty', () => {
    const text = renderMetrics({
      status: {
        ...STATUS,
        mode: 'observe-only',
        observeOnlyReasons: ['not privileged'],
        loader: { ...STATUS.loader, running: false },
        verdicts: [],
        breakers: [],
        programs: [],
      },
      histograms: [],
      transitions: new Map(),
    });
    const r = parseExposition(text);
    expect(r.families.size).toBe(11);
    expect(r.samples.map((s) => [s.name, s.value])).toEqual([
      ['shisa_enforcer_observe_only', 1],
      ['shisa_enforcer_loader_up', 0],
    ]);
  });
});

describe('dest', () => {
  it('brackets IPv6 addresses', () => {
    expect(dest('10.0.0.7', 5432)).toBe('10.0.0.7:5432');
    expect(dest('fd00::8', 6379)).toBe('[fd00::8]:6379');
  });
});
