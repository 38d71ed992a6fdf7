/**
 * The messages of the loader's NDJSON protocol as the agent reads them (field names as
 * the C loader writes them; bpf/protocol.c). One request per line, one reply per
 * request, and events in between.
 */

export interface KernelDest {
  readonly cgroup_id: number;
  readonly addr: string;
  readonly port: number;
}

export interface KernelHistogram extends KernelDest {
  readonly slots: readonly number[];
  readonly connects: number;
  readonly failures: number;
  readonly rto: number;
  readonly sum_us: number;
}

export type BreakerStateName = 'closed' | 'open' | 'half_open';

export interface KernelBreaker extends KernelDest {
  readonly state: BreakerStateName;
  readonly force: 'auto' | 'open' | 'closed';
  readonly failures: number;
  readonly cooldown_ns: number;
  readonly opened_at_ns: number;
  readonly probe_at_ns: number;
  readonly refused: number;
  readonly transitions: number;
}

export interface ProgramStats {
  readonly name: 'sockops' | 'connect4' | 'connect6';
  readonly id: number;
  /** Runs counted by the program itself (always on). */
  readonly runs: number;
  /** The kernel's own statistics: 0 unless kernel stats are enabled. */
  readonly run_cnt: number;
  readonly run_time_ns: number;
}

export interface BreakerEvent extends KernelDest {
  readonly event: 'breaker';
  readonly state: BreakerStateName;
  readonly cause: 'failures' | 'cooldown' | 'probe_ok' | 'probe_failed' | 'cooldown_no_half_open' | 'forced';
  readonly failures: number;
  readonly cooldown_ns: number;
  readonly ts_ns: number;
}

export interface ReadyEvent {
  readonly event: 'ready';
  readonly pin_dir: string;
  readonly maps_reused: boolean;
  readonly kernel_stats: boolean;
}

export interface Replies {
  attach: { cgroup_id: number; reused: boolean };
  detach: { cgroup_id: number };
  policy: { cgroup_id: number };
  histograms: { histograms: KernelHistogram[] };
  breakers: { now_ns: number; breakers: KernelBreaker[] };
  force: { breaker: KernelBreaker };
  stats: { kernel_stats: boolean; programs: ProgramStats[] };
  kernel_stats: { kernel_stats: boolean };
  attached: { cgroup_ids: number[] };
  uninstall: Record<string, never>;
  quit: Record<string, never>;
}

export type Op = keyof Replies;
