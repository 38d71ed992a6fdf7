import { Command, CommanderError, Option } from 'commander';
import { EXIT, type CliIo } from './io.js';
import { terminalSafe } from './terminal-safe.js';
import type { CarbonSourceKind } from '../../regions/carbon/reading.js';
import { carbonCommand } from './carbon.js';
import { atTime, runNumber, timeoutMs } from './arguments.js';
import { planCommand } from './plan.js';
import { schemaCommand } from './schema.js';
import { validateCommand } from './validate.js';
import { verifyCommand } from './verify.js';
import { auditVerifyCommand } from './audit.js';
import { historyCommand } from './history.js';
import { enforcerCommand } from './enforcer.js';
import { DEFAULT_TIMEOUT_MS } from '../verify/verify.js';
import { shutdownZ3 } from '../verify/z3.js';

/** Kept equal to package.json's version by test/cli.test.ts. */
export const VERSION = '0.1.0';

/**
 * The `shisa` command line. Returns the exit code rather than exiting, so tests can drive
 * it in-process and bin/shisa.js owns the process.
 */
export async function main(argv: readonly string[], rawIo: CliIo): Promise<number> {
  // Intent and fleet files are written by many people: nothing they put in a string may
  // reach the operator's terminal as a control sequence.
  const io = terminalSafe(rawIo);
  let code: number = EXIT.ok;
  const debug = argv.includes('--debug');
  const program = new Command('shisa')
    .description(
      'Carbon-aware intent scheduler: moves flexible workloads to the cleanest regions that keep every promise.',
    )
    .version(VERSION, '-V, --version')
    .addOption(new Option('--debug', 'print stack traces of internal errors'))
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true);

  program
    .command('validate')
    .description(
      'Check a fleet file and everything it names (intents, inventory), or single intent files, and summarise what they hold.',
    )
    .argument('[files...]', 'fleet files (*.yaml) or intent files (*.intent)')
    .option('-c, --config <file>', 'fleet file (same as giving it as an argument)')
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText(
      'after',
      '\nExit status: 0 valid (warnings allowed), 2 invalid input, 1 internal error.\n\nExamples:\n  shisa validate regions/examples/fleet.yaml\n  shisa validate payments.intent --json',
    )
    .action(async (files: string[], opts: { config?: string; json?: boolean }) => {
      const all = [...(opts.config ? [opts.config] : []), ...files];
      if (all.length === 0)
        throw new CommanderError(
          EXIT.invalidInput,
          'shisa.badInput',
          'error: name a fleet file or intent files to validate, e.g. shisa validate fleet.yaml',
        );
      code = await validateCommand(all, { json: opts.json === true }, io);
    });

  program
    .command('plan')
    .description(
      'Plan a rebalancing run: which flexible workloads to move where, with the saving, a proven bound on the optimum, and why the rest stays.',
    )
    .requiredOption('-c, --config <file>', 'fleet file (with an inventory)')
    .addOption(
      new Option('--carbon <kind>', "carbon source (default: the fleet's carbon.source)").choices([
        'static',
        'electricitymaps',
        'replay',
      ]),
    )
    .option(
      '--at <time>',
      "the run's time, ISO 8601 with zone (e.g. 2022-06-01T12:00Z), years 1970 to 9999; default now",
    )
    .option(
      '--timeout <ms>',
      'how long Z3 may take per proof obligation before it counts as unknown (never a pass), 1 to 3600000',
      String(DEFAULT_TIMEOUT_MS),
    )
    .option('--no-record', 'do not record the run in the store')
    .option(
      '--data-dir <dir>',
      'folder of the embedded database (default: .shisa/ next to the fleet file; DATABASE_URL selects a PostgreSQL server instead)',
    )
    .option('--json', 'print the plan as JSON on stdout (same snapshot, same bytes)')
    .addHelpText(
      'after',
      "\nThe intents and the plan are proven with Z3 (shisa verify's check 1, and check 2: the planned placement and every step of the migration order are safe).\n\nExit status: 0 planned and proven, 3 unprovable (the plan is shown but not applicable), 4 not run (another shisa process holds the store or the rebalancing lock; it is named), 2 invalid input, 1 internal error or the store failed (one line says why).\n\nExamples:\n  shisa plan --config regions/examples/fleet.yaml\n  shisa plan --config fleet.yaml --carbon replay --at 2022-06-01T12:00Z --json",
    )
    .action(
      async (opts: {
        config: string;
        carbon?: CarbonSourceKind;
        at?: string;
        timeout: string;
        json?: boolean;
        record: boolean;
        dataDir?: string;
      }) => {
        const at = opts.at === undefined ? undefined : parseAtOption(opts.at);
        code = await planCommand(
          {
            config: opts.config,
            ...(opts.carbon ? { carbon: opts.carbon } : {}),
            ...(at !== undefined ? { at } : {}),
            json: opts.json === true,
            timeoutMs: parseTimeout(opts.timeout),
            record: opts.record,
            ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
          },
          io,
        );
      },
    );

  program
    .command('verify')
    .description(
      'Prove the intent model consistent with Z3 (assertions, critical intents where they run, all intents together) and find single points of failure (losing any one region).',
    )
    .requiredOption('-c, --config <file>', 'fleet file (with an inventory)')
    .option(
      '--timeout <ms>',
      'how long Z3 may take per proof obligation before it counts as unknown (never a pass), 1 to 3600000',
      String(DEFAULT_TIMEOUT_MS),
    )
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText(
      'after',
      '\nExit status: 0 everything proven (warnings allowed), 3 something unprovable (an Unprovable State: nothing may move), 2 invalid input, 1 internal error.\n\nExamples:\n  shisa verify --config regions/examples/fleet.yaml\n  shisa verify --config fleet.yaml --json',
    )
    .action(async (opts: { config: string; timeout: string; json?: boolean }) => {
      code = await verifyCommand(
        { config: opts.config, json: opts.json === true, timeoutMs: parseTimeout(opts.timeout) },
        io,
      );
    });

  program
    .command('history')
    .description('List the recorded runs, newest first, or show one run with its moves and why the rest stayed.')
    .argument('[run]', 'a run number')
    .requiredOption('-c, --config <file>', 'fleet file (its .shisa/ folder holds the embedded database)')
    .option(
      '--data-dir <dir>',
      'folder of the embedded database (default: .shisa/ next to the fleet file; DATABASE_URL selects a PostgreSQL server instead)',
    )
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText(
      'after',
      '\nExit status: 0 ok, 2 no such run or bad input, 4 another shisa process has the embedded database open (waited for 15 s; it is named), 1 the store cannot be read.\n\nExamples:\n  shisa history --config regions/examples/fleet.yaml\n  shisa history 3 --config regions/examples/fleet.yaml --json',
    )
    .action(async (run: string | undefined, opts: { config: string; dataDir?: string; json?: boolean }) => {
      const n = run === undefined ? undefined : runNumber(run);
      code = await historyCommand(
        n,
        { config: opts.config, json: opts.json === true, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) },
        io,
      );
    });

  program
    .command('audit')
    .description('Check the tamper-evident audit log.')
    .command('verify')
    .description("Walk the audit log's hash chain and report the first broken link.")
    .requiredOption('-c, --config <file>', 'fleet file (its .shisa/ folder holds the embedded database)')
    .option(
      '--data-dir <dir>',
      'folder of the embedded database (default: .shisa/ next to the fleet file; DATABASE_URL selects a PostgreSQL server instead)',
    )
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText(
      'after',
      '\nThe chain is checked first, then every run, decision, exception and migration an entry records against the digests it holds.\n\nExit status: 0 intact, 3 broken (the first break, then every row problem found), 4 another shisa process has the embedded database open (waited for 15 s; it is named), 1 the store cannot be read.',
    )
    .action(async (opts: { config: string; dataDir?: string; json?: boolean }) => {
      code = await auditVerifyCommand(
        { config: opts.config, json: opts.json === true, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) },
        io,
      );
    });

  program
    .command('carbon')
    .description('Show the latest carbon intensity per zone, and whether each reading is fresh, stale or missing.')
    .argument('[zones...]', 'Electricity Maps zone codes (default with --config: every zone of the fleet)')
    .option('-c, --config <file>', 'fleet file: its carbon settings and zones')
    .addOption(
      new Option('-s, --source <kind>', "carbon source (default: the fleet's carbon.source, else static)").choices([
        'static',
        'electricitymaps',
        'replay',
      ]),
    )
    .option(
      '--at <time>',
      "the run's time, ISO 8601 with zone (e.g. 2022-06-01T12:00Z), years 1970 to 9999; default now",
    )
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText(
      'after',
      '\nWithout --config the embedded defaults apply: static 2024 yearly averages, stale after 2h.\nReplay without configured traces plays the 2022 traces shipped with shisa (BR, ES, NO, US-CAL-CISO).\nThe live source reads its token from the variable named by carbon.electricitymaps.token_env (default ELECTRICITYMAPS_TOKEN).\n\nExit status: 0 answered (per-zone problems are in the STATUS column), 2 invalid input, 1 internal error.\n\nExamples:\n  shisa carbon JP-TK NP FR SE-SE1\n  shisa carbon --source replay --at 2022-06-01T12:00Z ES NO\n  shisa carbon --config regions/examples/fleet.yaml --json',
    )
    .action(
      async (zones: string[], opts: { config?: string; source?: CarbonSourceKind; at?: string; json?: boolean }) => {
        const at = opts.at === undefined ? undefined : parseAtOption(opts.at);
        code = await carbonCommand(
          zones,
          {
            ...(opts.config ? { config: opts.config } : {}),
            ...(opts.source ? { source: opts.source } : {}),
            ...(at !== undefined ? { at } : {}),
            json: opts.json === true,
          },
          io,
        );
      },
    );

  program
    .command('enforcer')
    .description(
      'Run the per-node agent: eBPF connect-latency probes and in-kernel circuit breakers for the workloads on this node, verdicts on /status and /metrics.',
    )
    .requiredOption(
      '-c, --config <file>',
      "enforcer file (enforcer.yaml): this node's workloads and cgroups, where dependencies are reachable, the fleet file",
    )
    .option('--observe-only', 'do not load any eBPF program; serve /status and /metrics only')
    .option('--uninstall', 'detach the programs from every cgroup and remove the pinned state, then exit')
    .addHelpText(
      'after',
      '\nRuns until SIGINT or SIGTERM. Loading programs needs root (CAP_SYS_ADMIN, or CAP_BPF with CAP_NET_ADMIN), a kernel with BTF and cgroup v2; without them the agent runs observe-only and says why. Stopping it leaves the breakers in force (pinned under bpf.pin_dir).\n\nExit status: 0 stopped by a signal (or uninstalled), 2 invalid input, 1 the status port or loader failed.\n\nExamples:\n  shisa enforcer --config /etc/shisa/enforcer.yaml\n  shisa enforcer --config enforcer.yaml --observe-only',
    )
    .action(async (opts: { config: string; observeOnly?: boolean; uninstall?: boolean }) => {
      code = await enforcerCommand(
        { config: opts.config, observeOnly: opts.observeOnly === true, uninstall: opts.uninstall === true },
        io,
      );
    });

  program
    .command('schema')
    .description('Print the JSON Schema of fleet files (for editors), or write it to a file.')
    .option('-o, --output <file>', 'write the schema here instead of stdout')
    .action(async (opts: { output?: string }) => {
      code = await schemaCommand(opts, io);
    });

  function parseTimeout(text: string): number {
    return timeoutMs(text);
  }

  function parseAtOption(text: string): number {
    return atTime(text);
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    return failure(err);
  } finally {
    // Z3's worker threads would keep the process alive.
    await shutdownZ3();
  }

  function failure(err: unknown): number {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
        return EXIT.ok;
      if (err.code === 'shisa.badInput') io.stderr(err.message + '\n');
      return EXIT.invalidInput;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    io.stderr(`shisa: internal error: ${e.message}\n`);
    io.stderr(debug && e.stack ? e.stack + '\n' : 'this is a bug in shisa; run again with --debug for details\n');
    return EXIT.internal;
  }
}
