import { tryOpenStore, type Store } from '../../db/store.js';
import { serveSettings, type ServeArguments } from '../config/serve-settings.js';
import { loadServeConfig, watchedFolders, type ServeConfigPlace } from '../serve/serve-config.js';
import { watchFolders } from '../serve/config-watch.js';
import { serviceCarbon } from '../serve/service-carbon.js';
import { logIo, serviceLogger, startServeProcess, type ServeProcess } from '../serve/serve-process.js';
import { DEFAULT_TIMEOUT_MS } from '../verify/verify.js';
import { EXIT, environmentOf, type CliIo } from './io.js';
import { printDiagnostics } from './report.js';
import { storeFailure } from './rebalancing.js';
import { STORE_WAIT_MS, storeTargetFor } from './store-target.js';
import { renderDiagnostic } from '../diagnostics/render.js';

export interface ServeOptions extends ServeArguments {
  readonly config: string;
  readonly kubeconfig?: string;
  readonly dataDir?: string;
  readonly timeoutMs?: number;
}

/**
 * `shisa serve`: the service. Runs the rebalancing run on policy.schedule, migrates with the
 * enforcers' verdicts as the gate, delivers the outbox to Slack, and serves the API — until
 * SIGTERM or SIGINT, which journal what is in flight within --shutdown-timeout. SIGHUP (or a
 * change to a file the fleet names) reloads the configuration. Exit 0 after a clean stop, 2
 * when the configuration is invalid at start, 4 when another process holds the store, 1 when
 * the store fails or the stop timed out (the next start settles what is in flight).
 */
export async function serveCommand(options: ServeOptions, io: CliIo): Promise<number> {
  const env = environmentOf(io);
  const settings = serveSettings(options, env);
  const place: ServeConfigPlace = {
    config: options.config,
    cwd: io.cwd,
    env,
    ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
  };
  const loaded = await loadServeConfig(place);
  if (!loaded.ok) {
    printDiagnostics(io, loaded.diagnostics);
    return EXIT.invalidInput;
  }
  const { target, where } = storeTargetFor(options.config, io.cwd, env, options.dataDir);
  const holder = `shisa serve --config ${options.config}`;
  let store: Store;
  try {
    const opened = await tryOpenStore(target, { holder, rebalancing: true, waitMs: STORE_WAIT_MS });
    if (!opened.ok) {
      io.stderr(`shisa serve: not started: ${opened.message}\n`);
      return EXIT.busy;
    }
    store = opened.store;
  } catch (err) {
    return storeFailure('serve', io, err);
  }
  const log = serviceLogger();
  const now = io.now ?? Date.now;
  for (const w of settings.warnings) log.warn({ event: 'settings' }, w);
  for (const d of loaded.config.warnings) log.warn({ event: 'config.warning', code: d.code }, renderDiagnostic(d));
  try {
    const deps = {
      store,
      where,
      holder,
      configPath: options.config,
      ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
      settings,
      env,
      log,
      io: logIo(log, io.cwd, now),
      now,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    };
    const carbon = await serviceCarbon(loaded.config.workspace, env, store, now);
    if ('diagnostics' in carbon) {
      printDiagnostics(io, carbon.diagnostics);
      return EXIT.invalidInput;
    }
    if (carbon.restored)
      log.info({ event: 'carbon.restored', zones: carbon.restored }, 'last good carbon readings restored');
    const running = await startServeProcess(deps, place, loaded.config, carbon.source);
    const stopWatching = watchFolders(
      watchedFolders(loaded.config),
      () => void running.reload('a configuration file changed'),
      (folder, err) => log.warn({ event: 'watch.failed', folder }, `cannot watch ${folder}: ${String(err)}`),
    );
    const why = await untilStopSignal(running);
    stopWatching();
    const drained = await running.stop(why);
    log.info({ event: 'stopped', drained }, drained === 'drained' ? 'stopped' : 'stopped before the run was journaled');
    if (drained === 'drained') return EXIT.ok;
    // The run under way may still hold a watch or a timer: the bound is kept, the journal settles it next start.
    setTimeout(() => process.exit(EXIT.internal), 2_000).unref();
    return EXIT.internal;
  } catch (err) {
    log.error({ event: 'failed', err: err instanceof Error ? err.message : String(err) }, 'shisa serve failed');
    return storeFailure('serve', io, err);
  } finally {
    await store.close();
  }
}

/** Resolves with the signal that asks the service to stop; SIGHUP reloads meanwhile. */
function untilStopSignal(running: ServeProcess): Promise<string> {
  return new Promise((resolve) => {
    const hup = () => void running.reload('SIGHUP');
    const stop = (s: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.off('SIGHUP', hup);
      resolve(s);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', hup);
  });
}
