import { pino, type Logger } from 'pino';
import { readJournal } from '../../db/journal-view.js';
import type { Store } from '../../db/store.js';
import { apiError, type ApiError } from '../api/api-error.js';
import { startApiServer, type ApiServer } from '../api/server.js';
import type { ServicePort } from '../api/service-port.js';
import { SingleFlight } from '../api/single-flight.js';
import type { CliIo } from '../cli/io.js';
import { planRun } from '../cli/plan.js';
import { runToJson } from '../cli/plan-render.js';
import { DEFAULT_BACKOFF } from '../notify/delivery-backoff.js';
import { postWebhook } from '../notify/slack-webhook.js';
import { systemClock } from '../run/system-clock.js';
import { recordConfigAccepted } from './config-notices.js';
import { startCronTicks, type CronTicks } from './cron-ticks.js';
import { DeliveryLoop } from './delivery-loop.js';
import { DriftWatch } from './drift-watch.js';
import { errorSummary, RebalancingService, type ServiceDeps } from './service.js';
import { reloadConfig } from './reload.js';
import type { ServeConfig, ServeConfigPlace } from './serve-config.js';
import type { CarbonSource } from '../../regions/carbon/source.js';

/** A Slack attempt's deadline; the outbox lease is longer, so a slow attempt is never sent twice at once. */
const WEBHOOK_TIMEOUT_MS = 10_000;

/** The running service: its parts, and how to stop them in order. */
export interface ServeProcess {
  readonly service: RebalancingService;
  readonly api: ApiServer;
  /** Loads the configuration again (SIGHUP, a file changed): taken if whole, else refused and told. */
  reload(why: string): Promise<void>;
  /** Stops taking work, journals what is in flight (at most settings.shutdownMs), closes the API. */
  stop(why: string): Promise<'drained' | 'timed-out'>;
}

/** The JSON log: one object per line on stdout, synchronous so a kill loses no line already said. */
export function serviceLogger(): Logger {
  return pino(
    {
      base: { service: 'shisa' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: 1, sync: true }),
  );
}

/** What the CLI pieces (planning, reading clusters) say, as log lines. */
export function logIo(log: Logger, cwd: string, now: () => number): CliIo {
  const lines = (level: 'info' | 'warn') => (text: string) => {
    for (const line of text.split('\n'))
      if (line.trim()) log[level]({ event: 'said' }, line.replace(/^shisa serve: /, ''));
  };
  return { cwd, stdout: lines('info'), stderr: lines('warn'), now };
}

/**
 * Starts `shisa serve` on a loaded configuration and an open store: the API, the outbox
 * worker, the schedule, and a first cycle that settles what the journal shows in flight
 * (and writes the summaries a kill left unwritten).
 */
export async function startServeProcess(
  deps: ServiceDeps,
  place: ServeConfigPlace,
  config: ServeConfig,
  carbon: CarbonSource,
): Promise<ServeProcess> {
  const service = new RebalancingService(deps, config, carbon);
  await recordConfigAccepted(deps.store, config.audience, new Date(deps.now()));
  const delivery = deliveryLoop(deps, service);
  service.onRunWritten = () => delivery.wake();
  const api = await startApiServer(
    {
      store: deps.store,
      board: service.board,
      now: deps.now,
      notReady: () => notReady(deps.store, service),
      metrics: service.metrics,
      service: servicePort(deps, service),
    },
    { host: deps.settings.host, port: deps.settings.port, tokens: deps.settings.tokens },
  );
  deps.log.info({ event: 'api.listening', url: api.url }, `API listening on ${api.url}`);
  const drift = driftWatch(deps, service);
  drift.start();
  delivery.start();
  service.settleAtStart();
  let ticks: CronTicks | undefined = schedule(deps.log, service);
  const reloadOnce = async (why: string) => {
    const before = service.config.workspace.fleet.policy.schedule;
    const taken = await reloadConfig(deps, place, service, why);
    if (taken && ticks && before !== service.config.workspace.fleet.policy.schedule) {
      await ticks.stop();
      ticks = schedule(deps.log, service);
    }
  };
  const reloads = coalesced(reloadOnce);
  return {
    service,
    api,
    reload: reloads,
    async stop(why) {
      deps.log.info({ event: 'stopping', why }, `stopping: ${why}`);
      await ticks?.stop();
      ticks = undefined;
      const drained = await service.stop(deps.settings.shutdownMs);
      await drift.stop();
      await delivery.stop();
      await api.close();
      return drained;
    },
  };
}

/**
 * One reload at a time; one asked for while another goes runs once more after it (the files may
 * have changed again after they were read), however many were asked for meanwhile.
 */
function coalesced(reload: (why: string) => Promise<void>): (why: string) => Promise<void> {
  let running: Promise<void> | undefined;
  let again: string | undefined;
  const run = (why: string): Promise<void> => {
    if (running) {
      again = why;
      return running;
    }
    running = reload(why).finally(() => {
      running = undefined;
      const next = again;
      again = undefined;
      if (next !== undefined) void run(next);
    });
    return running;
  };
  return run;
}

function schedule(log: Logger, service: RebalancingService): CronTicks {
  const expr = service.config.workspace.fleet.policy.schedule;
  const ticks = startCronTicks(expr, (at) => service.tick(at), {
    info: (m) => log.info({ event: 'cron' }, m),
    warn: (m) => log.warn({ event: 'cron' }, m),
    error: (m) => log.error({ event: 'cron' }, String(m)),
    debug: () => undefined,
  });
  log.info({ event: 'schedule', schedule: expr, next: ticks.next()?.toISOString() }, `runs on "${expr}" (UTC)`);
  return ticks;
}

function driftWatch(deps: ServiceDeps, service: RebalancingService): DriftWatch {
  return new DriftWatch({
    store: deps.store,
    board: service.board,
    config: () => service.config,
    moving: () => service.moving,
    now: deps.now,
    remediate: (undo) => service.remediate(undo),
    onError: (err) => deps.log.error({ event: 'drift.unrecorded', err: errorSummary(err) }, 'a drift was not recorded'),
    onDrift: (workload, what, detail) =>
      deps.log.warn({ event: `drift.${what}`, workload }, `drift ${what}: ${workload}: ${detail}`),
  });
}

function deliveryLoop(deps: ServiceDeps, service: RebalancingService): DeliveryLoop {
  const ports = {
    store: deps.store,
    clock: systemClock(deps.now),
    random: Math.random,
    webhook: (channel: string) => service.config.webhooks.get(channel),
    post: (url: Parameters<typeof postWebhook>[0], payload: unknown, key: string) =>
      postWebhook(url, payload, key, { timeoutMs: WEBHOOK_TIMEOUT_MS }),
  };
  return new DeliveryLoop(() => ports, {
    everyMs: deps.settings.deliveryEveryMs,
    policy: { leaseMs: WEBHOOK_TIMEOUT_MS * 3, batch: 20, backoff: DEFAULT_BACKOFF },
    onRound: (round) => {
      for (const a of round.attempts)
        deps.log[a.result.kind === 'delivered' ? 'info' : 'warn'](
          { event: `outbox.${a.result.kind}`, key: a.key, channel: a.channel },
          a.result.kind === 'delivered'
            ? `delivered ${a.key}`
            : `${a.key}: ${'error' in a.result ? a.result.error : ''}`,
        );
    },
    onError: (err) =>
      deps.log.error({ event: 'outbox.round-failed', err: errorSummary(err) }, 'an outbox round failed'),
  });
}

async function notReady(store: Store, service: RebalancingService): Promise<string | undefined> {
  if (service.stopping) return 'the service is stopping';
  try {
    await readJournal(store);
    return undefined;
  } catch (err) {
    return `the store cannot be read: ${errorSummary(err).message}`;
  }
}

/** The API's view of the service: trigger a run, preview one (nothing recorded), a node's region and workloads. */
function servicePort(deps: ServiceDeps, service: RebalancingService): ServicePort {
  const previews = new SingleFlight<{ readonly plan: unknown } | ApiError>(5_000);
  return {
    trigger: () => service.trigger('api'),
    preview: () => previews.do('plan', () => preview(deps, service)),
    node: (name) => service.nodes.describe(name),
  };
}

async function preview(deps: ServiceDeps, service: RebalancingService): Promise<{ readonly plan: unknown } | ApiError> {
  const config = service.config;
  const journal = await readJournal(deps.store);
  const loaded = { workspace: config.workspace, sources: config.sources };
  const options = {
    config: deps.configPath,
    carbonSource: service.carbon,
    timeoutMs: deps.timeoutMs,
    ...(deps.kubeconfig !== undefined ? { kubeconfig: deps.kubeconfig } : {}),
  };
  const ran = await planRun('serve', options, deps.io, loaded, undefined, journal);
  if (typeof ran === 'number')
    return apiError(503, 'PLAN_UNAVAILABLE', 'the clusters or the configuration are invalid now (see the log)');
  return { plan: { ...runToJson(ran.result, config.workspace.fleet.file), recorded: false } };
}
