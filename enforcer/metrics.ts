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

/**
 * Prometheus text exposition (format 0.0.4) of the kernel's histograms and counters,
 * the breakers, the verdicts and the programs' own run statistics. Histograms are
 * cumulative since the maps were created, as Prometheus expects of counters.
 */
export function renderMetrics(input: MetricsInput): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  const { status } = input;
  const node = status.node;

  family('shisa_enforcer_observe_only', 'gauge', '1 when the agent cannot load its eBPF programs and only observes.');
  out.push(`shisa_enforcer_observe_only${labels({ node })} ${status.mode === 'observe-only' ? 1 : 0}`);
  family('shisa_enforcer_loader_up', 'gauge', '1 while the loader process is running.');
  out.push(`shisa_enforcer_loader_up${labels({ node })} ${status.loader.running ? 1 : 0}`);

  family(
    'shisa_connect_latency_microseconds',
    'histogram',
    'TCP connect latency (SYN to established) measured in the kernel, per workload and destination.',
  );
  for (const { workload, h } of input.histograms) {
    const base = { node, workload, destination: dest(h.addr, h.port) };
    let cum = 0;
    for (let s = 0; s < HIST_SLOTS - 1; s++) {
      cum += h.slots[s] ?? 0;
      out.push(`shisa_connect_latency_microseconds_bucket${labels({ ...base, le: String(slotUpperUs(s)) })} ${cum}`);
    }
    cum += h.slots[HIST_SLOTS - 1] ?? 0;
    out.push(`shisa_connect_latency_microseconds_bucket${labels({ ...base, le: '+Inf' })} ${cum}`);
    out.push(`shisa_connect_latency_microseconds_sum${labels(base)} ${h.sum_us}`);
    out.push(`shisa_connect_latency_microseconds_count${labels(base)} ${cum}`);
  }
  family(
    'shisa_connect_failures_total',
    'counter',
    'Connects that failed (SYN_SENT to CLOSE: refused, timed out, abandoned).',
  );
  for (const { workload, h } of input.histograms)
    out.push(
      `shisa_connect_failures_total${labels({ node, workload, destination: dest(h.addr, h.port) })} ${h.failures}`,
    );
  family('shisa_connect_syn_timeouts_total', 'counter', 'Retransmission timeouts while connecting (a SYN was resent).');
  for (const { workload, h } of input.histograms)
    out.push(
      `shisa_connect_syn_timeouts_total${labels({ node, workload, destination: dest(h.addr, h.port) })} ${h.rto}`,
    );

  // A breaker of a cgroup the agent does not know (kept in pinned maps) is named by its id,
  // as histograms are, so two of them never render the same series.
  const owner = (b: { workload?: string; cgroupId: number }): string => b.workload ?? `cgroup ${b.cgroupId}`;
  family('shisa_breaker_state', 'gauge', 'Circuit breaker state: 0 closed, 1 open, 2 half-open.');
  for (const b of status.breakers)
    out.push(
      `shisa_breaker_state${labels({ node, workload: owner(b), destination: b.destination, force: b.force })} ${STATE_VALUE[b.state] ?? -1}`,
    );
  family('shisa_breaker_refused_total', 'counter', 'Connects refused in the kernel by an open breaker.');
  for (const b of status.breakers)
    out.push(
      `shisa_breaker_refused_total${labels({ node, workload: owner(b), destination: b.destination })} ${b.refused}`,
    );
  family(
    'shisa_breaker_transitions_total',
    'counter',
    'Breaker state changes reported on the event stream since the agent started, by new state.',
  );
  for (const t of input.transitions.values())
    out.push(
      `shisa_breaker_transitions_total${labels({ node, workload: t.workload, destination: t.destination, to: t.to })} ${t.count}`,
    );

  family('shisa_latency_verdict', 'gauge', 'Latency intent verdict: 1 holds, 0 violated, -1 unknown.');
  for (const v of status.verdicts)
    out.push(
      `shisa_latency_verdict${labels({ node, intent: v.intent, workload: v.workload, dependency: v.dependency, percentile: v.percentile })} ${VERDICT_VALUE[v.state] ?? -1}`,
    );

  family('shisa_bpf_program_runs_total', 'counter', 'Runs of each eBPF program, counted by the program.');
  for (const p of status.programs)
    out.push(`shisa_bpf_program_runs_total${labels({ node, program: p.name })} ${p.runs}`);
  if (status.loader.kernelStats) {
    family(
      'shisa_bpf_program_run_time_nanoseconds_total',
      'counter',
      'Time spent in each eBPF program (kernel statistics, bpf.kernel_stats: true).',
    );
    for (const p of status.programs)
      out.push(`shisa_bpf_program_run_time_nanoseconds_total${labels({ node, program: p.name })} ${p.run_time_ns}`);
  }
  return out.join('\n') + '\n';
}

export function dest(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}
