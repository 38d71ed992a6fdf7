import type { Logger } from 'pino';
import { recordTick, type TickOutcome } from '../../db/schedule-ticks.js';
import { StoreError } from '../../db/store-error.js';
import type { Store } from '../../db/store.js';
import { ServiceMetrics } from '../api/metrics.js';
import type { TriggerAnswer } from '../api/service-port.js';
import type { ServeSettings } from '../config/serve-settings.js';
import type { Environment } from '../config/environment.js';
import type { CarbonSource } from '../../regions/carbon/source.js';
import type { CliIo } from '../cli/io.js';
import type { ApplyEvent } from '../apply/events.js';
import { VerdictBoard } from '../gate/verdict-board.js';
import type { RunInput } from '../run/input.js';
import { rebalancingCycle, undoMove, type CycleMode, type CycleOutcome } from './cycle.js';
import type { MigrationRow } from '../../db/migration-journal.js';
import { NodeDirectory } from './node-directory.js';
import type { ServeConfig } from './serve-config.js';

/** What the service runs on, fixed for its life (the configuration itself may be reloaded). */
export interface ServiceDeps {
  readonly store: Store;
  readonly where: string;
  readonly holder: string;
  readonly configPath: string;
  readonly kubeconfig?: string;
  readonly settings: ServeSettings;
  readonly env: Environment;
  readonly log: Logger;
  /** The CLI pieces' words, into the log. */
  readonly io: CliIo;
  readonly now: () => number;
  /** Per proof obligation. */
  readonly timeoutMs: number;
}

/**
 * The rebalancing side of `shisa serve`: one run at a time (a tick while one goes is recorded
 * as skipped, not queued), the enforcers' verdict board, the nodes as the clusters last said,
 * and the configuration in force. It stops by refusing new runs, ending the verification
 * windows in progress, and waiting for the run's steps to be journaled.
 */
export class RebalancingService {
  readonly nodes = new NodeDirectory();
  readonly board: VerdictBoard;
  readonly metrics: ServiceMetrics;
  #config: ServeConfig;
  #carbon: CarbonSource;
  #running: Promise<CycleOutcome | undefined> | undefined;
  #runningSince: number | undefined;
  readonly #stopping = new AbortController();
  /** Workloads with a migration under way in this process: their verdicts are the gate's, not drift. */
  readonly moving = new Set<string>();
  /** Told when a run has written to the store (the outbox worker is woken). */
  onRunWritten: () => void = () => {};

  constructor(
    private readonly deps: ServiceDeps,
    config: ServeConfig,
    carbon: CarbonSource,
  ) {
    this.#config = config;
    this.#carbon = carbon;
    this.board = new VerdictBoard((node) => this.nodes.regionOf(node));
    this.metrics = new ServiceMetrics(
      deps.store,
      () => this.#config.workspace.fleet.regions.map((r) => r.name),
      deps.now,
    );
  }

  get config(): ServeConfig {
    return this.#config;
  }

  /** Takes a configuration that loaded whole; the run under way finishes on the one it started with. */
  useConfig(config: ServeConfig, carbon: CarbonSource): void {
    this.#config = config;
    this.#carbon = carbon;
  }

  get carbon(): CarbonSource {
    return this.#carbon;
  }

  get stopping(): boolean {
    return this.#stopping.signal.aborted;
  }

  /** A tick of policy.schedule: a run, unless one is going (then the tick is recorded as skipped). */
  tick(at: Date): void {
    const answer = this.trigger('cron', at);
    if (answer.started) return;
    const outcome: TickOutcome = 'skipped';
    this.deps.log.info({ event: 'tick.skipped', at: at.toISOString() }, answer.message);
    void this.#record({ at, outcome, detail: answer.message });
  }

  /** At start: finishes what the journal shows in flight (and the summaries a kill left unwritten), plans nothing. */
  settleAtStart(): void {
    this.trigger('manual', new Date(this.deps.now()), 'settle');
  }

  /** Starts a run now unless one is going or the service is stopping. */
  trigger(trigger: RunInput['trigger'], at = new Date(this.deps.now()), mode: CycleMode = 'run'): TriggerAnswer {
    if (this.stopping) return { started: false, code: 'STOPPING', message: 'the service is stopping' };
    if (this.#running) {
      const since = new Date(this.#runningSince ?? 0).toISOString();
      return { started: false, code: 'RUN_IN_PROGRESS', message: `a run is still going (since ${since})` };
    }
    this.#runningSince = this.deps.now();
    this.#running = this.#cycle(trigger, at, mode).finally(() => {
      this.#running = undefined;
      this.#runningSince = undefined;
    });
    return { started: true };
  }

  /**
   * Drift remediation: moves a workload back, in the one-at-a-time slot (after the run under
   * way, if any; ticks meanwhile are skipped). Says what was done.
   */
  async remediate(undo: MigrationRow): Promise<string> {
    while (this.#running) await this.#running;
    if (this.stopping) return 'not moved back: the service is stopping';
    const done = undoMove(this.#cycleContext(), undo).then(
      (said) => said,
      (err: unknown) => `not moved back: ${errorSummary(err).message}`,
    );
    this.#runningSince = this.deps.now();
    this.#running = done.then(
      () => undefined,
      () => undefined,
    );
    try {
      return await done;
    } finally {
      this.#running = undefined;
      this.#runningSince = undefined;
      this.onRunWritten();
    }
  }

  /** The run under way, if any (tests and shutdown wait on it). */
  get running(): Promise<CycleOutcome | undefined> | undefined {
    return this.#running;
  }

  async #cycle(trigger: RunInput['trigger'], at: Date, mode: CycleMode): Promise<CycleOutcome | undefined> {
    const log = this.deps.log;
    if (mode === 'settle') log.info({ event: 'settle.started' }, 'settling what the journal shows in flight');
    else log.info({ event: 'run.started', trigger }, `rebalancing run started (${trigger})`);
    const started = this.deps.now();
    try {
      const outcome = await rebalancingCycle(this.#cycleContext(), trigger, mode);
      this.#said(outcome, this.deps.now() - started);
      if (trigger === 'cron')
        await this.#record(
          outcome.kind === 'busy'
            ? { at, outcome: 'busy', detail: `another replica holds the lock (${outcome.holder})` }
            : {
                at,
                outcome: 'started',
                ...(outcome.kind === 'ran' && outcome.runId ? { runId: outcome.runId } : {}),
                detail: outcome.kind,
              },
        );
      return outcome;
    } catch (err) {
      log.error({ event: 'run.crashed', err: errorSummary(err) }, 'the run failed with an internal error');
      return undefined;
    } finally {
      this.onRunWritten();
    }
  }

  #cycleContext() {
    const d = this.deps;
    return {
      store: d.store,
      where: d.where,
      holder: d.holder,
      config: this.#config,
      carbon: this.#carbon,
      configPath: d.configPath,
      ...(d.kubeconfig !== undefined ? { kubeconfig: d.kubeconfig } : {}),
      io: d.io,
      board: this.board,
      nodes: this.nodes,
      now: d.now,
      stopping: this.#stopping.signal,
      timeoutMs: d.timeoutMs,
      emit: (e: ApplyEvent) => {
        if (e.type === 'step') this.moving.add(e.workload);
        if (e.type === 'end') this.moving.delete(e.workload);
        d.log.info({ event: `migration.${e.type}`, ...e }, migrationLine(e));
      },
    };
  }

  #said(outcome: CycleOutcome, ms: number): void {
    const log = this.deps.log;
    const seconds = Math.round(ms / 100) / 10;
    if (outcome.kind === 'ran')
      log.info(
        { event: 'run.finished', ...outcome, seconds },
        `run ${outcome.runId ?? '(not recorded)'} ${outcome.verdict}: ${outcome.moves} moves, ` +
          `${outcome.ends.done} done, ${outcome.ends['rolled-back']} rolled back (${seconds} s)`,
      );
    else if (outcome.kind === 'busy')
      log.warn({ event: 'run.busy', holder: outcome.holder }, `not run: ${outcome.holder} holds the rebalancing lock`);
    else if (outcome.kind === 'invalid')
      log.error({ event: 'run.invalid' }, 'not run: the clusters or the configuration are invalid (said above)');
    else log.error({ event: 'run.failed', code: outcome.code }, outcome.message);
  }

  async #record(tick: Parameters<typeof recordTick>[1]): Promise<void> {
    try {
      await recordTick(this.deps.store, tick);
    } catch (err) {
      this.deps.log.error({ event: 'tick.unrecorded', err: errorSummary(err) }, 'a schedule tick was not recorded');
    }
  }

  /**
   * Stops taking runs and ends the verification windows in progress; resolves once the run
   * under way has journaled where it stands, or after `timeoutMs` (the journal is the truth
   * either way: the next start settles what is in flight).
   */
  async stop(timeoutMs: number): Promise<'drained' | 'timed-out'> {
    this.#stopping.abort();
    const running = this.#running;
    if (!running) return 'drained';
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timed-out'>((r) => (timer = setTimeout(() => r('timed-out'), timeoutMs)));
    const drained = running.then(() => 'drained' as const);
    try {
      return await Promise.race([drained, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function migrationLine(e: ApplyEvent): string {
  switch (e.type) {
    case 'resume':
      return `settling ${e.count} migrations left in flight`;
    case 'batch':
      return `batch ${e.batch}: ${e.moves} moves`;
    case 'step':
      return `migration ${e.migration} ${e.workload}: ${e.state}${e.detail ? ` (${e.detail})` : ''}`;
    case 'end':
      return `migration ${e.migration} ${e.workload} ${e.from} → ${e.to}: ${e.end}${e.reason ? ` (${e.reason})` : ''}`;
  }
}

/** An error as the log keeps it: its code and message, never a stack with a secret in a frame's argument. */
export function errorSummary(err: unknown): { code?: string; message: string } {
  if (err instanceof StoreError) return { code: err.code, message: err.message };
  return { message: err instanceof Error ? err.message : String(err) };
}
