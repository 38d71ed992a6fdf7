import { Command, CommanderError, Option } from 'commander';
import { EXIT, type CliIo } from './io.js';
import { terminalSafe } from './terminal-safe.js';
// Each command's module is imported when that command runs: `shisa plan` does not load the
// enforcer, the history or the live carbon client (half a second of start-up together).
import type { CarbonSourceKind } from '../../regions/carbon/reading.js';
import { atTime, listenAddress, maxParallel, runNumber, shutdownSeconds, timeoutMs } from './arguments.js';
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

  const cli: Registration = { program, io, done: (c) => (code = c) };
  for (const register of COMMANDS) register(cli);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    return failure(err, io, debug);
  } finally {
    // Z3's worker threads would keep the process alive.
    await shutdownZ3();
  }
}

/** What registering a command needs: the program, the (terminal-safe) io, where the exit code goes. */
interface Registration {
  readonly program: Command;
  readonly io: CliIo;
  readonly done: (code: number) => void;
}

function failure(err: unknown, io: CliIo, debug: boolean): number {
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

/** The text after a command's options in its help: paragraphs, then the examples. */
function helpAfter(paragraphs: readonly string[], examples: readonly string[] = []): string {
  const blocks = examples.length
    ? [...paragraphs, ['Examples:', ...examples.map((e) => `  ${e}`)].join('\n')]
    : paragraphs;
  return '\n' + blocks.join('\n\n');
}

const TIMEOUT_HELP =
  'how long Z3 may take per proof obligation before it counts as unknown (never a pass), 1 to 3600000';
const AT_HELP = "the run's time, ISO 8601 with zone (e.g. 2022-06-01T12:00Z), years 1970 to 9999; default now";
const DATA_DIR_HELP =
  'folder of the embedded database (default: .shisa/ next to the fleet file; ' +
  'DATABASE_URL selects a PostgreSQL server instead)';
const STORE_CONFIG_HELP = 'fleet file (its .shisa/ folder holds the embedded database)';
const STORE_BUSY =
  '4 another shisa process has the embedded database open (waited for 15 s; it is named), 1 the store cannot be read';
const CARBON_KINDS = ['static', 'electricitymaps', 'replay'];

function registerValidate({ program, io, done }: Registration): void {
  program
    .command('validate')
    .description(
      'Check a fleet file and everything it names (intents, inventory), or single intent files, ' +
        'and summarise what they hold.',
    )
    .argument('[files...]', 'fleet files (*.yaml) or intent files (*.intent)')
    .option('-c, --config <file>', 'fleet file (same as giving it as an argument)')
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText(
      'after',
      helpAfter(
        ['Exit status: 0 valid (warnings allowed), 2 invalid input, 1 internal error.'],
        ['shisa validate regions/examples/fleet.yaml', 'shisa validate payments.intent --json'],
      ),
    )
    .action(async (files: string[], opts: { config?: string; json?: boolean }) => {
      const all = [...(opts.config ? [opts.config] : []), ...files];
      if (all.length === 0)
        throw new CommanderError(
          EXIT.invalidInput,
          'shisa.badInput',
          'error: name a fleet file or intent files to validate, e.g. shisa validate fleet.yaml',
        );
      done(await (await import('./validate.js')).validateCommand(all, { json: opts.json === true }, io));
    });
}

interface PlanOpts {
  readonly config: string;
  readonly carbon?: CarbonSourceKind;
  readonly at?: string;
  readonly timeout: string;
  readonly json?: boolean;
  readonly record: boolean;
  readonly dataDir?: string;
  readonly timings?: boolean;
  readonly kubeconfig?: string;
}

const KUBECONFIG_HELP =
  'kubeconfig with a context per region, for a fleet that reads its clusters ' +
  '(default: $KUBECONFIG, then ~/.kube/config)';

function registerPlan({ program, io, done }: Registration): void {
  program
    .command('plan')
    .description(
      'Plan a rebalancing run: which flexible workloads to move where, with the saving, ' +
        'a proven bound on the optimum, and why the rest stays.',
    )
    .requiredOption('-c, --config <file>', 'fleet file (with an inventory, or reading its clusters)')
    .addOption(
      new Option('--carbon <kind>', "carbon source (default: the fleet's carbon.source)").choices(CARBON_KINDS),
    )
    .option('--at <time>', AT_HELP)
    .option('--timeout <ms>', TIMEOUT_HELP, String(DEFAULT_TIMEOUT_MS))
    .option('--no-record', 'do not record the run in the store')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print the plan as JSON on stdout (same snapshot, same bytes)')
    .option('--timings', "print how long each of the run's stages took, on stderr")
    .option('--kubeconfig <file>', KUBECONFIG_HELP)
    .addHelpText(
      'after',
      helpAfter(
        [
          "The intents and the plan are proven with Z3 (shisa verify's check 1, and check 2: " +
            'the planned placement and every step of the migration order are safe).',
          'Exit status: 0 planned and proven, 3 unprovable (the plan is shown but not applicable), ' +
            '4 not run (another shisa process holds the store or the rebalancing lock; it is named), ' +
            '2 invalid input, 1 internal error or the store failed (one line says why).',
        ],
        [
          'shisa plan --config regions/examples/fleet.yaml',
          'shisa plan --config fleet.yaml --carbon replay --at 2022-06-01T12:00Z --json',
        ],
      ),
    )
    .action(async (opts: PlanOpts) => {
      const at = opts.at === undefined ? undefined : atTime(opts.at);
      const options = {
        config: opts.config,
        ...(opts.carbon ? { carbon: opts.carbon } : {}),
        ...(at !== undefined ? { at } : {}),
        json: opts.json === true,
        timeoutMs: timeoutMs(opts.timeout),
        record: opts.record,
        ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
        timings: opts.timings === true,
        ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
      };
      done(await (await import('./plan.js')).planCommand(options, io));
    });
}

function registerVerify({ program, io, done }: Registration): void {
  program
    .command('verify')
    .description(
      'Prove the intent model consistent with Z3 (assertions, critical intents where they run, ' +
        'all intents together) and find single points of failure (losing any one region).',
    )
    .requiredOption('-c, --config <file>', 'fleet file (with an inventory, or reading its clusters)')
    .option('--timeout <ms>', TIMEOUT_HELP, String(DEFAULT_TIMEOUT_MS))
    .option('--json', 'print the result as JSON on stdout')
    .option('--kubeconfig <file>', KUBECONFIG_HELP)
    .addHelpText(
      'after',
      helpAfter(
        [
          'Exit status: 0 everything proven (warnings allowed), ' +
            '3 something unprovable (an Unprovable State: nothing may move), 2 invalid input, 1 internal error.',
        ],
        ['shisa verify --config regions/examples/fleet.yaml', 'shisa verify --config fleet.yaml --json'],
      ),
    )
    .action(async (opts: { config: string; timeout: string; json?: boolean; kubeconfig?: string }) => {
      const options = {
        config: opts.config,
        json: opts.json === true,
        timeoutMs: timeoutMs(opts.timeout),
        ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
      };
      done(await (await import('./verify.js')).verifyCommand(options, io));
    });
}

function registerInventory({ program, io, done }: Registration): void {
  program
    .command('inventory')
    .description(
      "Read the workloads from each region's cluster (the fleet's regions[].cluster contexts) and show " +
        'what they report: workloads and their sizes, capacity, what stays where it is and why. Changes nothing.',
    )
    .requiredOption('-c, --config <file>', 'fleet file')
    .option('--kubeconfig <file>', KUBECONFIG_HELP)
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText(
      'after',
      helpAfter(
        [
          'Exit status: 0 read (a cluster that cannot be reached is reported as unknown), ' +
            '2 invalid input (fleet, kubeconfig, or cluster objects shisa cannot read), 1 internal error.',
        ],
        [
          'shisa inventory --config fleet.yaml',
          'shisa inventory --config fleet.yaml --kubeconfig ~/.kube/fleet --json',
        ],
      ),
    )
    .action(async (opts: { config: string; kubeconfig?: string; json?: boolean }) => {
      const options = {
        config: opts.config,
        json: opts.json === true,
        ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
      };
      done(await (await import('./inventory.js')).inventoryCommand(options, io));
    });
}

interface StoreOpts {
  readonly config: string;
  readonly dataDir?: string;
  readonly json?: boolean;
}

const storeOptions = (opts: StoreOpts) => ({
  config: opts.config,
  json: opts.json === true,
  ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
});

function registerHistory({ program, io, done }: Registration): void {
  program
    .command('history')
    .description('List the recorded runs, newest first, or show one run with its moves and why the rest stayed.')
    .argument('[run]', 'a run number')
    .requiredOption('-c, --config <file>', STORE_CONFIG_HELP)
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText(
      'after',
      helpAfter(
        [`Exit status: 0 ok, 2 no such run or bad input, ${STORE_BUSY}.`],
        [
          'shisa history --config regions/examples/fleet.yaml',
          'shisa history 3 --config regions/examples/fleet.yaml --json',
        ],
      ),
    )
    .action(async (run: string | undefined, opts: StoreOpts) => {
      const n = run === undefined ? undefined : runNumber(run);
      done(await (await import('./history.js')).historyCommand(n, storeOptions(opts), io));
    });
}

function registerAudit({ program, io, done }: Registration): void {
  program
    .command('audit')
    .description('Check the tamper-evident audit log.')
    .command('verify')
    .description("Walk the audit log's hash chain and report the first broken link.")
    .requiredOption('-c, --config <file>', STORE_CONFIG_HELP)
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText(
      'after',
      helpAfter([
        'The chain is checked first, then every run, decision, exception and migration an entry records ' +
          'against the digests it holds.',
        `Exit status: 0 intact, 3 broken (the first break, then every row problem found), ${STORE_BUSY}.`,
      ]),
    )
    .action(async (opts: StoreOpts) => {
      done(await (await import('./audit.js')).auditVerifyCommand(storeOptions(opts), io));
    });
}

function registerCarbon({ program, io, done }: Registration): void {
  program
    .command('carbon')
    .description('Show the latest carbon intensity per zone, and whether each reading is fresh, stale or missing.')
    .argument('[zones...]', 'Electricity Maps zone codes (default with --config: every zone of the fleet)')
    .option('-c, --config <file>', 'fleet file: its carbon settings and zones')
    .addOption(
      new Option('-s, --source <kind>', "carbon source (default: the fleet's carbon.source, else static)").choices(
        CARBON_KINDS,
      ),
    )
    .option('--at <time>', AT_HELP)
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText(
      'after',
      helpAfter(
        [
          [
            'Without --config the embedded defaults apply: static 2024 yearly averages, stale after 2h.',
            'Replay without configured traces plays the 2022 traces shipped with shisa (BR, ES, NO, US-CAL-CISO).',
            'The live source reads its token from the variable named by carbon.electricitymaps.token_env ' +
              '(default ELECTRICITYMAPS_TOKEN).',
          ].join('\n'),
          'Exit status: 0 answered (per-zone problems are in the STATUS column), 2 invalid input, 1 internal error.',
        ],
        [
          'shisa carbon JP-TK NP FR SE-SE1',
          'shisa carbon --source replay --at 2022-06-01T12:00Z ES NO',
          'shisa carbon --config regions/examples/fleet.yaml --json',
        ],
      ),
    )
    .action(
      async (zones: string[], opts: { config?: string; source?: CarbonSourceKind; at?: string; json?: boolean }) => {
        const at = opts.at === undefined ? undefined : atTime(opts.at);
        const options = {
          ...(opts.config ? { config: opts.config } : {}),
          ...(opts.source ? { source: opts.source } : {}),
          ...(at !== undefined ? { at } : {}),
          json: opts.json === true,
        };
        done(await (await import('./carbon.js')).carbonCommand(zones, options, io));
      },
    );
}

function registerEnforcer({ program, io, done }: Registration): void {
  program
    .command('enforcer')
    .description(
      'Run the per-node agent: eBPF connect-latency probes and in-kernel circuit breakers ' +
        'for the workloads on this node, verdicts on /status and /metrics.',
    )
    .requiredOption(
      '-c, --config <file>',
      "enforcer file (enforcer.yaml): this node's workloads and cgroups, where dependencies are reachable, " +
        'the fleet file',
    )
    .option('--observe-only', 'do not load any eBPF program; serve /status and /metrics only')
    .option('--uninstall', 'detach the programs from every cgroup and remove the pinned state, then exit')
    .addHelpText(
      'after',
      helpAfter(
        [
          'Runs until SIGINT or SIGTERM. Loading programs needs root (CAP_SYS_ADMIN, or CAP_BPF with CAP_NET_ADMIN), ' +
            'a kernel with BTF and cgroup v2; without them the agent runs observe-only and says why. ' +
            'Stopping it leaves the breakers in force (pinned under bpf.pin_dir).',
          'Exit status: 0 stopped by a signal (or uninstalled), 2 invalid input, 1 the status port or loader failed.',
        ],
        ['shisa enforcer --config /etc/shisa/enforcer.yaml', 'shisa enforcer --config enforcer.yaml --observe-only'],
      ),
    )
    .action(async (opts: { config: string; observeOnly?: boolean; uninstall?: boolean }) => {
      const options = {
        config: opts.config,
        observeOnly: opts.observeOnly === true,
        uninstall: opts.uninstall === true,
      };
      done(await (await import('./enforcer.js')).enforcerCommand(options, io));
    });
}

function registerSchema({ program, io, done }: Registration): void {
  program
    .command('schema')
    .description('Print the JSON Schema of fleet files (for editors), or write it to a file.')
    .option('-o, --output <file>', 'write the schema here instead of stdout')
    .action(async (opts: { output?: string }) => {
      done(await (await import('./schema.js')).schemaCommand(opts, io));
    });
}

/** The commands, in the order `shisa --help` lists them. */
interface ApplyOpts {
  readonly config: string;
  readonly run?: string;
  readonly plan?: boolean;
  readonly resume?: boolean;
  readonly dryRun?: boolean;
  readonly maxParallel?: string;
  readonly json?: boolean;
  readonly kubeconfig?: string;
  readonly dataDir?: string;
  readonly carbon?: CarbonSourceKind;
  readonly at?: string;
  readonly timeout: string;
}

function registerApply({ program, io, done }: Registration): void {
  program
    .command('apply')
    .description(
      "Carry out a proven run's moves through the Kubernetes API: make-before-break, batch by batch in the " +
        'proven order, every step journaled so that a crash resumes or rolls back.',
    )
    .requiredOption('-c, --config <file>', 'fleet file (reading its clusters: inventory: { source: clusters })')
    .option('--run <n>', 'apply the moves of this recorded run (shisa history lists them)')
    .option('--plan', 'plan and record a run now, then apply it')
    .option('--resume', 'settle the migrations the journal shows in flight, then go on with their run')
    .option('--dry-run', 'print every API call it would make; write nothing')
    .option('--max-parallel <k>', "migrations under way at once (default: the fleet's policy.max_parallel)")
    .option('--json', 'print progress and the summary as JSON lines on stdout')
    .option('--kubeconfig <file>', KUBECONFIG_HELP)
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .addOption(new Option('--carbon <kind>', 'with --plan: the carbon source').choices(CARBON_KINDS))
    .option('--at <time>', `with --plan: ${AT_HELP}`)
    .option('--timeout <ms>', TIMEOUT_HELP, String(DEFAULT_TIMEOUT_MS))
    .addHelpText(
      'after',
      helpAfter(
        [
          'Every start first settles what the journal shows in flight: a migration whose source had started ' +
            'going is finished, any other is rolled back (its copy deleted by its shisa.io/migration label).',
          'Before each batch the clusters are read again and its moves proven again; a move no longer proven ' +
            'safe is skipped with the reason.',
          'Exit status: 0 every migration done, cleanly rolled back or skipped, 3 the run is unprovable ' +
            '(nothing applied), 5 a migration was left in flight or failed (shisa apply --resume), ' +
            '4 not run (another shisa process holds the store or the rebalancing lock), ' +
            '2 invalid input, 1 internal error or the store failed.',
        ],
        [
          'shisa apply --config fleet.yaml --plan',
          'shisa apply --config fleet.yaml --run 12 --dry-run',
          'shisa apply --config fleet.yaml --resume --json',
        ],
      ),
    )
    .action(async (opts: ApplyOpts) => {
      const at = opts.at === undefined ? undefined : atTime(opts.at);
      const options = {
        config: opts.config,
        ...(opts.run !== undefined ? { run: runNumber(opts.run) } : {}),
        plan: opts.plan === true,
        resume: opts.resume === true,
        dryRun: opts.dryRun === true,
        ...(opts.maxParallel !== undefined ? { maxParallel: maxParallel(opts.maxParallel) } : {}),
        json: opts.json === true,
        ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
        ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
        ...(opts.carbon ? { carbon: opts.carbon } : {}),
        ...(at !== undefined ? { at } : {}),
        timeoutMs: timeoutMs(opts.timeout),
      };
      done(await (await import('./apply.js')).applyCommand(options, io));
    });
}

interface ServeOpts {
  readonly config: string;
  readonly listen?: string;
  readonly shutdownTimeout?: string;
  readonly kubeconfig?: string;
  readonly dataDir?: string;
  readonly timeout: string;
}

function registerServe({ program, io, done }: Registration): void {
  program
    .command('serve')
    .description(
      "Run shisa as a service: rebalancing runs on policy.schedule, migrations gated by the enforcers' " +
        'verdicts, Slack notifications from the outbox, and the HTTP API with /metrics.',
    )
    .requiredOption('-c, --config <file>', 'fleet file (reading its clusters: inventory: { source: clusters })')
    .option('--listen <host:port>', 'where the API listens (default 127.0.0.1:8470; port 0: any free one)')
    .option('--shutdown-timeout <s>', 'on SIGTERM, how long to wait for in-flight steps to be journaled (default 30)')
    .option('--kubeconfig <file>', KUBECONFIG_HELP)
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--timeout <ms>', TIMEOUT_HELP, String(DEFAULT_TIMEOUT_MS))
    .addHelpText(
      'after',
      helpAfter(
        [
          'Logs are JSON lines on stdout (pino). API tokens come from SHISA_API_READ_TOKEN and ' +
            "SHISA_API_WRITE_TOKEN; each notify channel's webhook from the variable its webhook_env names.",
          'SIGHUP, or a change to a file the fleet names, reloads the configuration: an invalid one is refused ' +
            '(the old one stays) and raised as an exception naming its file:line:col.',
          'Exit status: 0 stopped cleanly, 2 invalid configuration at start, 4 another shisa process holds ' +
            'the store, 1 the store failed or the stop timed out (the next start settles what is in flight).',
        ],
        ['shisa serve --config fleet.yaml', 'shisa serve --config fleet.yaml --listen 0.0.0.0:8470'],
      ),
    )
    .action(async (opts: ServeOpts) => {
      const options = {
        config: opts.config,
        ...(opts.listen !== undefined ? { listen: listenAddress(opts.listen) } : {}),
        ...(opts.shutdownTimeout !== undefined ? { shutdownSeconds: shutdownSeconds(opts.shutdownTimeout) } : {}),
        ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
        ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
        timeoutMs: timeoutMs(opts.timeout),
      };
      done(await (await import('./serve.js')).serveCommand(options, io));
    });
}

const COMMANDS: readonly ((cli: Registration) => void)[] = [
  registerValidate,
  registerPlan,
  registerVerify,
  registerApply,
  registerServe,
  registerInventory,
  registerHistory,
  registerAudit,
  registerCarbon,
  registerEnforcer,
  registerSchema,
];
