#!/usr/bin/env node
// Entry point of the `shisa` command: runs the compiled CLI (bundled by the build into dist/cli/,
// scripts/bundle-cli.mjs) and owns the process exit code.
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('shisa: not built yet; run `npm install` (or `npm run build`) in the shisa folder first\n');
    process.exit(1);
  }
  throw err;
}
// A reader that stops early (`shisa history | head`) is not an error.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err) => (err.code === 'EPIPE' ? process.exit(process.exitCode ?? 0) : undefined));
process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
});
