import { HIST_SLOTS, slotUpperUs } from './histogram.js';
import type { KernelHistogram } from './loader-protocol.js';
import type { EnforcerStatus } from './status.js';

export interface MetricsInput {
  readonly status: EnforcerStatus;
  /** Cumulative kernel histograms, with the workload each cgroup belongs to. */
  readonly histograms: readonly { readonly workload: string; readonly h: KernelHistogram }[];
  /** Breaker state changes seen on the event stream, by workload, destination and new state. */
  readonly transitions: ReadonlyMap<
    string,
    { readonly workload: string; readonly destination: string; readonly to: string; readonly count: number }
  >;
}

const STATE_VALUE: Readonly<Record<string, number>> = { closed: 0, open: 1, half_open: 2 };
const VERDICT_VALUE: Readonly<Record<string, number>> = { holds: 1, violated: 0, unknown: -1 };

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(l: Readonly<Record<string, string>>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** Lines of a text exposition: a family's HELP and TYPE, then its samples. */
class Exposition {
  readonly lines: string[] = [];

  family(name: string, type: string, help: string): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  }

  sample(name: string, l: Readonly<Record<string, string>>, value: number): void {
    this.lines.push(`${name}${labels(l)} ${value}`);
  }
}

/**
 * Prometheus text exposition (format 0.0.4) of the kernel's histograms and counters,
 * the breakers, the verdicts and the programs' own run statistics. Histograms are
 * cumulative since the maps were created, as Prometheus expects of counters.
 */
export function renderMetrics(input: MetricsInput): string {
  const out = new Exposition();
  agentMetrics(out, input.status);
  connectMetrics(out, input);
  breakerMetrics(out, input);
  verdictMetrics(out, input.status);
  programMetrics(out, input.status);
  return out.lines.join('\n') + '\n';
}

function agentMetrics(out: Exposition, status: EnforcerStatus): void {
  const node = status.node;
  out.family(
    'shisa_enforcer_observe_only',
    'gauge',
    '1 when the agent cannot load its eBPF programs and only observes.',
  );
  out.sample('shisa_enforcer_observe_only', { node }, status.mode === 'observe-only' ? 1 : 0);
  out.family('shisa_enforcer_loader_up', 'gauge', '1 while the loader process is running.');
  out.sample('shisa_enforcer_loader_up', { node }, status.loader.running ? 1 : 0);
}

function connectMetrics(out: Exposition, input: MetricsInput): void {
  const node = input.status.node;
  const LATENCY = 'shisa_connect_latency_microseconds';
  out.family(
    LATENCY,
    'histogram',
    'TCP connect latency (SYN to established) measured in the kernel, per workload and destination.',
  );
  for (const { workload, h } of input.histograms) {
    const base = { node, workload, destination: dest(h.addr, h.port) };
    let cum = 0;
    for (let s = 0; s < HIST_SLOTS - 1; s++) {
      cum += h.slots[s] ?? 0;
      out.sample(`${LATENCY}_bucket`, { ...base, le: String(slotUpperUs(s)) }, cum);
    }
    cum += h.slots[HIST_SLOTS - 1] ?? 0;
    out.sample(`${LATENCY}_bucket`, { ...base, le: '+Inf' }, cum);
    out.sample(`${LATENCY}_sum`, base, h.sum_us);
    out.sample(`${LATENCY}_count`, base, cum);
  }
  out.family(
    'shisa_connect_failures_total',
    'counter',
    'Connects that failed (SYN_SENT to CLOSE: refused, timed out, abandoned).',
  );
  for (const { workload, h } of input.histograms)
    out.sample('shisa_connect_failures_total', { node, workload, destination: dest(h.addr, h.port) }, h.failures);
  out.family(
    'shisa_connect_syn_timeouts_total',
    'counter',
    'Retransmission timeouts while connecting (a SYN was resent).',
  );
  for (const { workload, h } of input.histograms)
    out.sample('shisa_connect_syn_timeouts_total', { node, workload, destination: dest(h.addr, h.port) }, h.rto);
}

function breakerMetrics(out: Exposition, input: MetricsInput): void {
  const { status } = input;
  const node = status.node;
  // A breaker of a cgroup the agent does not know (kept in pinned maps) is named by its id,
  // as histograms are, so two of them never render the same series.
  const owner = (b: { workload?: string; cgroupId: number }): string => b.workload ?? `cgroup ${b.cgroupId}`;
  out.family('shisa_breaker_state', 'gauge', 'Circuit breaker state: 0 closed, 1 open, 2 half-open.');
  for (const b of status.breakers)
    out.sample(
      'shisa_breaker_state',
      { node, workload: owner(b), destination: b.destination, force: b.force },
      STATE_VALUE[b.state] ?? -1,
    );
  out.family('shisa_breaker_refused_total', 'counter', 'Connects refused in the kernel by an open breaker.');
  for (const b of status.breakers)
    out.sample('shisa_breaker_refused_total', { node, workload: owner(b), destination: b.destination }, b.refused);
  out.family(
    'shisa_breaker_transitions_total',
    'counter',
    'Breaker state changes reported on the event stream since the agent started, by new state.',
  );
  for (const t of input.transitions.values())
    out.sample(
      'shisa_breaker_transitions_total',
      { node, workload: t.workload, destination: t.destination, to: t.to },
      t.count,
    );
}

function verdictMetrics(out: Exposition, status: EnforcerStatus): void {
  const node = status.node;
  out.family('shisa_latency_verdict', 'gauge', 'Latency intent verdict: 1 holds, 0 violated, -1 unknown.');
  for (const v of status.verdicts) {
    const { intent, workload, dependency, percentile } = v;
    out.sample(
      'shisa_latency_verdict',
      { node, intent, workload, dependency, percentile },
      VERDICT_VALUE[v.state] ?? -1,
    );
  }
}

function programMetrics(out: Exposition, status: EnforcerStatus): void {
  const node = status.node;
  out.family('shisa_bpf_program_runs_total', 'counter', 'Runs of each eBPF program, counted by the program.');
  for (const p of status.programs) out.sample('shisa_bpf_program_runs_total', { node, program: p.name }, p.runs);
  if (status.loader.kernelStats) {
    out.family(
      'shisa_bpf_program_run_time_nanoseconds_total',
      'counter',
      'Time spent in each eBPF program (kernel statistics, bpf.kernel_stats: true).',
    );
    for (const p of status.programs)
      out.sample('shisa_bpf_program_run_time_nanoseconds_total', { node, program: p.name }, p.run_time_ns);
  }
}

export function dest(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}
