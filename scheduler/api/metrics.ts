import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { serviceFigures } from '../../db/service-figures.js';
import type { Store } from '../../db/store.js';
import { SingleFlight } from './single-flight.js';

/**
 * The service's Prometheus metrics. What the store knows (runs, migrations, rollbacks, the
 * outbox, carbon freshness, unreachable clusters, the latest run's emissions) is read from it
 * at each scrape, so every replica reports the same figures and a restart loses none; what only
 * this process sees (API requests) is counted here. Labels are the documented route, never the
 * URL asked for, and never anything secret.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({
    name: 'shisa_api_requests_total',
    help: 'API requests answered, by route, method and status code',
    labelNames: ['route', 'method', 'code'] as const,
    registers: [this.registry],
  });
  readonly #latency = new Histogram({
    name: 'shisa_api_request_duration_seconds',
    help: 'Time to answer an API request, by route',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly #gauges = {
    runs: this.gauge('shisa_runs', 'Runs recorded, by verdict', ['verdict']),
    migrations: this.gauge('shisa_migrations', 'Migrations in the journal, by state', ['state']),
    rollbacks: this.gauge('shisa_rollbacks', 'Migrations rolled back, by reason', ['reason']),
    pending: this.gauge('shisa_outbox_pending', 'Notifications waiting to be delivered, by channel', ['channel']),
    failed: this.gauge('shisa_outbox_failed', 'Notifications refused for good, by channel', ['channel']),
    staleness: this.gauge('shisa_carbon_staleness_seconds', "Age of each zone's newest reading", ['zone']),
    reachable: this.gauge('shisa_cluster_reachable', "1 when the region's cluster was read, 0 if not", ['region']),
    before: this.gauge('shisa_emissions_before_g_per_h', 'Emissions before the latest run, gCO2eq/h', []),
    after: this.gauge('shisa_emissions_after_g_per_h', 'Emissions after the latest run, gCO2eq/h', []),
    saved: this.gauge('shisa_emissions_saved_g_per_h', 'What the latest run saved, gCO2eq/h', []),
    gap: this.gauge('shisa_optimality_gap', "The latest run's proven optimality gap (fraction)", []),
    duration: this.gauge('shisa_run_duration_seconds', "How long the latest run's planning and proofs took", []),
    moves: this.gauge('shisa_run_moves', 'Moves the latest run planned', []),
    ticks: this.gauge('shisa_schedule_ticks', 'Ticks of policy.schedule, by outcome (started, skipped, busy)', [
      'outcome',
    ]),
  };

  constructor(
    private readonly store: Store,
    private readonly regions: () => readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  private gauge(name: string, help: string, labelNames: string[]): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  observeRequest(route: string, method: string, status: number, ms: number): void {
    this.#requests.inc({ route, method, code: String(status) });
    this.#latency.observe({ route }, ms / 1000);
  }

  readonly #scrapes = new SingleFlight<string>();

  /**
   * The exposition text, with the store's figures read now. Scrapes at the same time share one
   * (each resets and refills the gauges, so two interleaved could show a mix of both).
   */
  render(): Promise<string> {
    return this.#scrapes.do('metrics', () => this.#render());
  }

  async #render(): Promise<string> {
    const f = await serviceFigures(this.store);
    const g = this.#gauges;
    for (const gauge of Object.values(g)) gauge.reset();
    for (const r of f.runsByVerdict) g.runs.set({ verdict: r.verdict }, r.n);
    for (const m of f.migrationsByState) g.migrations.set({ state: m.state }, m.n);
    for (const r of f.rollbacksByReason) g.rollbacks.set({ reason: r.reason }, r.n);
    for (const o of f.outbox) {
      g.pending.set({ channel: o.channel }, o.pending);
      g.failed.set({ channel: o.channel }, o.failed);
    }
    const now = this.now();
    for (const c of f.carbonNewest) g.staleness.set({ zone: c.zone }, Math.max(0, (now - c.at) / 1000));
    const down = new Set(f.unreachable);
    for (const region of this.regions()) g.reachable.set({ region }, down.has(region) ? 0 : 1);
    const latest = f.latest;
    if (latest?.before != null) g.before.set(latest.before);
    if (latest?.after != null) g.after.set(latest.after);
    if (latest?.before != null && latest.after != null) g.saved.set(latest.before - latest.after);
    if (latest?.gap != null) g.gap.set(latest.gap);
    if (latest) g.duration.set(latest.seconds);
    if (latest) g.moves.set(latest.moves);
    for (const t of f.ticks) g.ticks.set({ outcome: t.outcome }, t.n);
    return this.registry.metrics();
  }
}
