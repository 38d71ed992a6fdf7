import { Command, CommanderError, Option } from 'commander';
import { EXIT, type CliIo } from './io.js';
import { schemaCommand } from './schema.js';
import { validateCommand } from './validate.js';

/** Kept equal to package.json's version by test/cli.test.ts. */
export const VERSION = '0.1.0';

/**
 * The `shisa` command line. Returns the exit code rather than exiting, so tests can drive
 * it in-process and bin/shisa.js owns the process.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const debug = argv.includes('--debug');
  const program = new Command('shisa')
    .description('Carbon-aware intent scheduler: moves flexible workloads to the cleanest regions that keep every promise.')
    .version(VERSION, '-V, --version')
    .addOption(new Option('--debug', 'print stack traces of internal errors'))
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true);

  program
    .command('validate')
    .description('Check a fleet file and everything it names (intents, inventory), or single intent files, and summarise what they hold.')
    .argument('[files...]', 'fleet files (*.yaml) or intent files (*.intent)')
    .option('-c, --config <file>', 'fleet file (same as giving it as an argument)')
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', '\nExit status: 0 valid (warnings allowed), 2 invalid input, 1 internal error.\n\nExamples:\n  shisa validate regions/examples/fleet.yaml\n  shisa validate payments.intent --json')
    .action(async (files: string[], opts: { config?: string; json?: boolean }) => {
      const all = [...(opts.config ? [opts.config] : []), ...files];
      if (all.length === 0) throw new CommanderError(EXIT.invalidInput, 'shisa.missingFile', 'error: name a fleet file or intent files to validate, e.g. shisa validate fleet.yaml');
      code = await validateCommand(all, { json: opts.json === true }, io);
    });

  program
    .command('schema')
    .description('Print the JSON Schema of fleet files (for editors), or write it to a file.')
    .option('-o, --output <file>', 'write the schema here instead of stdout')
    .action(async (opts: { output?: string }) => {
      code = await schemaCommand(opts, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
      if (err.code === 'shisa.missingFile') io.stderr(err.message + '\n');
      return EXIT.invalidInput;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    io.stderr(`shisa: internal error: ${e.message}\n`);
    io.stderr(debug && e.stack ? e.stack + '\n' : 'this is a bug in shisa; run again with --debug for details\n');
    return EXIT.internal;
  }
}
