import { EnforcerAgent } from '../../enforcer/agent.js';
import { loadEnforcerConfig, type EnforcerConfig } from '../../enforcer/config.js';
import { planEnforcement } from '../../enforcer/enforcement-plan.js';
import { probeHost } from '../../enforcer/host-facts.js';
import { ensureLoader } from '../../enforcer/loader-build.js';
import { LoaderClient } from '../../enforcer/loader-client.js';
import { LoaderError } from '../../enforcer/loader-error.js';
import { EXIT, environmentOf, type CliIo } from './io.js';
import { loadWorkspaceWithInventory, plural, printDiagnostics } from './report.js';

export interface EnforcerCommandOptions {
  readonly config: string;
  readonly observeOnly: boolean;
  readonly uninstall: boolean;
}

/**
 * `shisa enforcer`: runs the per-node agent until SIGINT or SIGTERM. Bad files exit 2
 * before anything is loaded; a node that cannot load eBPF programs runs observe-only.
 * On stop the loader exits and the pinned programs stay in force.
 */
export async function enforcerCommand(
  options: EnforcerCommandOptions,
  io: CliIo,
  untilStopped: Promise<string> = untilSignal(),
): Promise<number> {
  const now = io.now ?? Date.now;
  const log = (line: string): void => io.stderr(`${new Date(now()).toISOString()} ${line}\n`);
  const loaded = await loadEnforcerConfig(options.config, io.cwd);
  if (!loaded.config) {
    printDiagnostics(io, loaded.diagnostics);
    return EXIT.invalidInput;
  }
  const config = loaded.config;
  if (options.uninstall) return uninstall(config, io);

  const ws = await loadWorkspaceWithInventory(
    'enforcer',
    config.fleetPath,
    { ...io, cwd: io.cwd },
    'the enforcer checks workloads listed in it',
  );
  if (!ws) return EXIT.invalidInput;
  const plan = planEnforcement(ws, config);
  if (plan.diagnostics.length) printDiagnostics(io, plan.diagnostics);
  if (plan.diagnostics.some((d) => d.severity === 'error')) return EXIT.invalidInput;

  const env = environmentOf(io);
  const tokenEnv = config.scheduler?.tokenEnv;
  const token = tokenEnv ? env.secret(tokenEnv) : undefined;
  if (tokenEnv && !token) log(`warning: ${tokenEnv} is not set; verdicts are sent to the scheduler without a token`);

  const agent = new EnforcerAgent({
    config,
    plan,
    ...(token ? { schedulerToken: token } : {}),
    observeOnly: options.observeOnly,
    log,
    now,
  });
  try {
    await agent.start();
  } catch (err) {
    if (err instanceof LoaderError) {
      io.stderr(`shisa enforcer: ${err.code}: ${err.message}\n`);
      await agent.stop();
      return EXIT.internal;
    }
    throw err;
  }
  const s = agent.status();
  const attached = s.workloads.filter((w) => w.attached).length;
  const policies = `${plan.policies.length} breaker ${plan.policies.length === 1 ? 'policy' : 'policies'}`;
  log(
    `enforcer on ${config.node}: ${s.mode}; ${attached} of ${plural(s.workloads.length, 'workload')} attached, ` +
      `${plural(plan.checks.length, 'latency check')}, ${policies}; serving ${agent.url}/status and /metrics`,
  );
  const signal = await untilStopped;
  const left =
    s.mode === 'enforce' ? `breakers and probes stay in force (pinned under ${config.pinDir})` : 'nothing was loaded';
  log(`${signal}: stopping; ${left}`);
  await agent.stop();
  return EXIT.ok;
}

/** Detaches every program and removes the pins: enforcement ends on this node. */
async function uninstall(config: EnforcerConfig, io: CliIo): Promise<number> {
  try {
    const path =
      config.loaderPath ??
      (
        await ensureLoader(
          config.bpfDir,
          config.buildDir,
          (await probeHost(`${config.buildDir}/shisa-loader`)).toolchain,
        )
      ).path;
    const loader = await LoaderClient.start({
      path,
      pinDir: config.pinDir,
      onEvent: () => undefined,
      onLog: (l) => io.stderr(`loader: ${l}\n`),
      onExit: () => undefined,
    });
    const attached = await loader.request('attached');
    await loader.request('uninstall');
    await loader.close();
    io.stdout(
      `uninstalled: detached from ${plural(attached.cgroup_ids.length, 'cgroup')} and removed ${config.pinDir}\n`,
    );
    return EXIT.ok;
  } catch (err) {
    const code = err instanceof LoaderError ? `${err.code}: ` : '';
    io.stderr(`shisa enforcer --uninstall: ${code}${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.internal;
  }
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
