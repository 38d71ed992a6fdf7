#!/usr/bin/env node
// Entry point of the `shisa` command: runs the compiled CLI and owns the process exit code.
let main;
try {
  ({ main } = await import('../dist/scheduler/cli/main.js'));
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('shisa: not built yet; run `npm install` (or `npm run build`) in the shisa folder first\n');
    process.exit(1);
  }
  throw err;
}
process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
});
