import type { Server } from 'node:http';
import type { Secret } from '../scheduler/config/secret.js';
import { resolveCgroup } from './cgroups.js';
import type { EnforcerConfig } from './config.js';
import type { EnforcementPlan, LatencyCheck } from './enforcement-plan.js';
import { formatEndpoint } from './endpoint.js';
import { addSlots, HIST_SLOTS } from './histogram.js';
import { decideMode, probeHost, type Mode } from './host-facts.js';
import { EMPTY_COUNTERS, LatencyWindow, type DestCounters } from './latency-window.js';
import { ensureLoader } from './loader-build.js';
import { LoaderClient } from './loader-client.js';
import { LoaderError } from './loader-error.js';
import type { BreakerEvent, KernelBreaker, KernelHistogram, ProgramStats } from './loader-protocol.js';
import { dest, renderMetrics } from './metrics.js';
import type { BreakerStatus, EnforcerStatus, VerdictStatus, WorkloadStatus } from './status.js';
import { startStatusServer } from './status-server.js';
import { judge } from './verdict.js';
import { VerdictReporter } from './verdict-reporter.js';

export interface AgentOptions {
  readonly config: EnforcerConfig;
  readonly plan: EnforcementPlan;
  readonly schedulerToken?: Secret;
  /** Skip loading programs even where it would work (--observe-only). */
  readonly observeOnly?: boolean;
  readonly log: (line: string) => void;
  readonly now?: () => number;
}

const RESTART_MAX_MS = 30_000;

/**
 * The per-node agent: loads and attaches the eBPF programs through the loader, sets the
 * breaker policies the intents ask for, reads the kernel's histograms every poll into
 * sliding windows, judges each latency bound, serves /status and /metrics and reports
 * verdict changes. It never exits because the kernel side is missing: it says so and
 * observes.
 */
export class EnforcerAgent {
  private mode: Mode = { mode: 'enforce' };
  private loader: LoaderClient | undefined;
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restarts = 0;
  private loaderError: string | undefined;
  private polls = 0;
  private polling = false;
  private lastPollAt = 0;
  private stopped = false;
  private readonly workloads = new Map<
    string,
    { cgroup?: string; cgroupId?: number; attached: boolean; problem?: string }
  >();
  private readonly workloadOfCgroup = new Map<number, string>();
  private readonly windows = new Map<string, LatencyWindow>();
  private readonly verdicts = new Map<string, VerdictStatus>();
  private readonly transitions = new Map<
    string,
    { workload: string; destination: string; to: string; count: number }
  >();
  private histograms: KernelHistogram[] = [];
  private breakers: BreakerStatus[] = [];
  private programs: ProgramStats[] = [];
  private readonly reporter: VerdictReporter | undefined;
  private readonly now: () => number;
  url = '';

  constructor(private readonly o: AgentOptions) {
    this.now = o.now ?? Date.now;
    if (o.config.scheduler)
      this.reporter = new VerdictReporter(o.config.scheduler.url, o.config.node, o.schedulerToken);
  }

  async start(): Promise<void> {
    const { config, plan } = this.o;
    for (const w of plan.workloads) {
      const r = await resolveCgroup(w, config.cgroupRoot);
      this.workloads.set(
        w.name,
        'path' in r ? { cgroup: r.path, attached: false } : { attached: false, problem: r.problem },
      );
      if ('problem' in r) this.o.log(`workload ${w.name}: ${r.problem}`);
    }
    const since = new Date(this.now()).toISOString();
    for (const c of plan.checks)
      this.verdicts.set(c.key, this.verdictOf(c, { state: 'unknown', reason: 'no measurement yet' }, since));

    if (this.o.observeOnly) this.mode = { mode: 'observe-only', reasons: ['started with --observe-only'] };
    else {
      const facts = await probeHost(config.loaderPath ?? `${config.buildDir}/shisa-loader`);
      this.mode = decideMode(facts);
      if (this.mode.mode === 'enforce') {
        try {
          const build = config.loaderPath
            ? { path: config.loaderPath, built: false }
            : await ensureLoader(config.bpfDir, config.buildDir, facts.toolchain);
          if (build.built) this.o.log(`built the loader and eBPF programs for this kernel: ${build.path}`);
          await this.startLoader(build.path);
        } catch (err) {
          this.mode = {
            mode: 'observe-only',
            reasons: [err instanceof LoaderError ? `${err.code}: ${err.message}` : String(err)],
          };
        }
      }
    }
    if (this.mode.mode === 'observe-only') {
      this.o.log(
        'OBSERVE-ONLY: nothing is enforced on this node and every verdict stays unknown, because:\n  - ' +
          this.mode.reasons.join('\n  - '),
      );
      for (const [k, v] of this.verdicts)
        this.verdicts.set(k, { ...v, reason: 'observe-only: the kernel probes are not loaded' });
    }
    const { server, url } = await startStatusServer(
      { status: () => this.status(), metrics: () => this.metrics() },
      config.listen.host,
      config.listen.port,
    );
    this.server = server;
    this.url = url;
    if (this.mode.mode === 'enforce') {
      await this.poll();
      this.timer = setInterval(() => void this.poll(), config.pollMs);
    }
  }

  /** Stops polling and serving; the loader exits, its pinned programs stay in force. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.restartTimer);
    await this.reporter?.flush();
    await this.loader?.close();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async startLoader(path: string): Promise<void> {
    const { config, plan } = this.o;
    const loader = await LoaderClient.start({
      path,
      pinDir: config.pinDir,
      kernelStats: config.kernelStats,
      onEvent: (e) => this.onBreakerEvent(e),
      onLog: (l) => this.o.log(`loader: ${l}`),
      onExit: (code, signal) => this.onLoaderExit(path, code, signal),
    });
    this.loader = loader;
    this.loaderError = undefined;
    if (loader.ready.maps_reused)
      this.o.log(`reusing pinned maps in ${config.pinDir}: breakers and histograms kept from before`);
    // The node default: no breaker unless an intent (or breaker_default) asks for one.
    const d = config.breakerDefault;
    await loader.request('policy', d ? policyArgs(d) : { threshold: 0, cooldown_ms: 1, max_cooldown_ms: 1 });
    for (const w of plan.workloads) {
      const ws = this.workloads.get(w.name)!;
      if (!ws.cgroup) continue;
      try {
        const r = await loader.request('attach', { cgroup: ws.cgroup });
        this.workloads.set(w.name, { cgroup: ws.cgroup, cgroupId: r.cgroup_id, attached: true });
        this.workloadOfCgroup.set(r.cgroup_id, w.name);
      } catch (err) {
        const problem = err instanceof Error ? err.message : String(err);
        this.workloads.set(w.name, { cgroup: ws.cgroup, attached: false, problem });
        this.o.log(`workload ${w.name}: ${problem}`);
      }
    }
    for (const p of plan.policies) {
      const ws = this.workloads.get(p.workload);
      if (!ws?.attached || !ws.cgroup) continue;
      await loader.request('policy', {
        cgroup: ws.cgroup,
        ...(p.endpoint ? { addr: p.endpoint.host, port: p.endpoint.port } : {}),
        ...policyArgs(p.policy),
      });
    }
  }

  private onLoaderExit(path: string, code: number | null, signal: NodeJS.Signals | null): void {
    this.loaderError = `the loader exited (${signal ?? `exit code ${code}`}); pinned programs stay in force`;
    this.o.log(this.loaderError);
    if (this.stopped) return;
    const delay = Math.min(RESTART_MAX_MS, 1000 * 2 ** Math.min(this.restarts, 5));
    this.restarts++;
    this.restartTimer = setTimeout(() => {
      this.startLoader(path).catch((err: unknown) => {
        this.loaderError = `restarting the loader failed: ${err instanceof Error ? err.message : String(err)}`;
        this.o.log(this.loaderError);
        this.onLoaderExit(path, null, null);
      });
    }, delay);
  }

  private onBreakerEvent(e: BreakerEvent): void {
    const workload = this.workloadOfCgroup.get(e.cgroup_id) ?? `cgroup ${e.cgroup_id}`;
    const destination = dest(e.addr, e.port);
    const key = `${workload}|${destination}|${e.state}`;
    const t = this.transitions.get(key) ?? { workload, destination, to: e.state, count: 0 };
    this.transitions.set(key, { ...t, count: t.count + 1 });
    const why = {
      failures: `after ${e.failures} consecutive connect failures`,
      cooldown: 'cooldown over: one probe connect let through',
      probe_ok: 'the probe connected',
      probe_failed: 'the probe failed',
      cooldown_no_half_open: 'cooldown over (no half-open probe in this policy)',
      forced: 'forced by the operator',
    }[e.cause];
    const cooldown = e.state === 'open' ? `; refusing connects for ${e.cooldown_ns / 1e6} ms` : '';
    this.o.log(`breaker ${e.state.replace('_', '-')}: ${workload} → ${destination}, ${why}${cooldown}`);
  }

  /** Reads the kernel's maps and recomputes every verdict; a poll still running (a slow
   * loader or scheduler) makes the next tick a no-op rather than a second reader. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.pollOnce();
    } finally {
      this.polling = false;
    }
  }

  private async pollOnce(): Promise<void> {
    const loader = this.loader;
    if (!loader?.running) return;
    let h: KernelHistogram[], b: { now_ns: number; breakers: KernelBreaker[] }, s: ProgramStats[];
    try {
      [h, b, s] = await Promise.all([
        loader.request('histograms').then((r) => r.histograms),
        loader.request('breakers'),
        loader.request('stats').then((r) => r.programs),
      ]);
    } catch (err) {
      this.loaderError = err instanceof Error ? err.message : String(err);
      return;
    }
    const now = this.now();
    this.histograms = h;
    this.programs = s;
    this.breakers = b.breakers.map((k) => this.breakerStatus(k, b.now_ns));
    for (const x of h) {
      const key = destKey(x.cgroup_id, x.addr, x.port);
      let w = this.windows.get(key);
      if (!w) {
        w = new LatencyWindow(this.o.config.windowMs);
        // Appeared since the last poll: before that its counters were zero.
        if (this.polls > 0) w.record(this.lastPollAt, EMPTY_COUNTERS);
        this.windows.set(key, w);
      }
      w.record(now, x);
    }
    this.polls++;
    this.lastPollAt = now;
    for (const c of this.o.plan.checks) this.judgeCheck(c, now);
    await this.reporter?.flush();
  }

  private judgeCheck(c: LatencyCheck, now: number): void {
    const prev = this.verdicts.get(c.key)!;
    const cgroupId = this.workloads.get(c.workload)?.cgroupId;
    let next: { state: VerdictStatus['state']; reason: string; evidence?: VerdictStatus['evidence'] };
    if (cgroupId === undefined)
      next = { state: 'unknown', reason: `workload ${c.workload} is not attached on this node` };
    else if (c.endpoints.length === 0)
      next = { state: 'unknown', reason: `no address for ${c.dependency} in the enforcer file's destinations` };
    else {
      const sum = { slots: new Array<number>(HIST_SLOTS).fill(0), connects: 0, failures: 0, rto: 0 };
      for (const e of c.endpoints) {
        const counts: DestCounters =
          this.windows.get(destKey(cgroupId, canonicalHost(e.host), e.port))?.counts(now) ?? EMPTY_COUNTERS;
        addSlots(sum.slots, counts.slots);
        sum.connects += counts.connects;
        sum.failures += counts.failures;
        sum.rto += counts.rto;
      }
      next = judge(sum, c.maxMs, c.percentile, this.o.config.minSamples);
    }
    const changed = next.state !== prev.state;
    const v = this.verdictOf(c, next, changed ? new Date(now).toISOString() : prev.since);
    this.verdicts.set(c.key, v);
    if (!changed) return;
    this.o.log(
      `verdict ${prev.state} → ${v.state}: ${c.workload} → ${c.dependency} ` +
        `(intent "${c.intent}", ${c.at}): ${v.reason}`,
    );
    this.reporter?.add({ at: v.since, from: prev.state, verdict: v });
  }

  private verdictOf(
    c: LatencyCheck,
    v: { state: VerdictStatus['state']; reason: string; evidence?: VerdictStatus['evidence'] },
    since: string,
  ): VerdictStatus {
    return {
      key: c.key,
      intent: c.intent,
      at: c.at,
      workload: c.workload,
      dependency: c.dependency,
      destinations: c.endpoints.map((e) => formatEndpoint(e.host, e.port)),
      maxMs: c.maxMs,
      percentile: c.percentile,
      state: v.state,
      reason: v.reason,
      ...(v.evidence ? { evidence: v.evidence } : {}),
      since,
    };
  }

  private breakerStatus(k: KernelBreaker, nowNs: number): BreakerStatus {
    const workload = this.workloadOfCgroup.get(k.cgroup_id);
    const left = k.opened_at_ns + k.cooldown_ns - nowNs;
    return {
      ...(workload ? { workload } : {}),
      cgroupId: k.cgroup_id,
      destination: dest(k.addr, k.port),
      state: k.state,
      force: k.force,
      consecutiveFailures: k.failures,
      cooldownMs: k.cooldown_ns / 1e6,
      ...(k.state === 'open' && k.force === 'auto' ? { probeInMs: Math.max(0, Math.round(left / 1e6)) } : {}),
      refused: k.refused,
      transitions: k.transitions,
    };
  }

  status(): EnforcerStatus {
    const { config } = this.o;
    const workloads: WorkloadStatus[] = [...this.workloads].map(([name, w]) => ({ name, ...w }));
    return {
      node: config.node,
      mode: this.mode.mode,
      observeOnlyReasons: this.mode.mode === 'observe-only' ? this.mode.reasons : [],
      loader: {
        running: this.loader?.running ?? false,
        pinDir: config.pinDir,
        ...(this.loader
          ? { mapsReused: this.loader.ready.maps_reused, kernelStats: this.loader.ready.kernel_stats }
          : {}),
        restarts: this.restarts,
        ...(this.loaderError ? { lastError: this.loaderError } : {}),
      },
      window: { ms: config.windowMs, minSamples: config.minSamples },
      workloads,
      verdicts: [...this.verdicts.values()],
      breakers: this.breakers,
      programs: this.programs,
      ...(this.polls > 0 ? { updatedAt: new Date(this.lastPollAt).toISOString() } : {}),
    };
  }

  metrics(): string {
    const histograms = this.histograms.map((h) => ({
      workload: this.workloadOfCgroup.get(h.cgroup_id) ?? `cgroup ${h.cgroup_id}`,
      h,
    }));
    return renderMetrics({ status: this.status(), histograms, transitions: this.transitions });
  }
}

function policyArgs(p: {
  consecutiveFailures: number;
  baseEjectionMs: number;
  maxEjectionMs: number;
  halfOpen: boolean;
}): Record<string, number | boolean> {
  return {
    threshold: p.consecutiveFailures,
    cooldown_ms: Math.max(1, Math.round(p.baseEjectionMs)),
    max_cooldown_ms: Math.max(1, Math.round(p.maxEjectionMs)),
    half_open: p.halfOpen,
  };
}

function destKey(cgroupId: number, addr: string, port: number): string {
  return `${cgroupId}|${addr}|${port}`;
}

/** The address as the loader prints it (inet_ntop): IPv6 compressed, lowercase. */
function canonicalHost(host: string): string {
  return host.includes(':') ? new URL(`http://[${host}]/`).hostname.slice(1, -1) : host;
}
