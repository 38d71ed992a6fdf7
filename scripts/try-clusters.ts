/**
 * Try `shisa inventory` without a Kubernetes cluster: starts three FAKE API servers (the test
 * fake in test/fakes/kube/, in this process, on 127.0.0.1), seeds each from
 * regions/examples/clusters/manifests/<region>.yaml, writes a kubeconfig with the contexts
 * fleet.yaml names, prints the commands to try, and serves until Ctrl-C.
 *
 *   npx tsx scripts/try-clusters.ts                  # serve; run the printed commands in another shell
 *   npx tsx scripts/try-clusters.ts --run [--json]   # run `shisa inventory` once against them and exit with its code
 *
 * The CLI runs from dist/: `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  EXAMPLE_FLEET,
  EXAMPLE_KUBECONFIG,
  REPO_ROOT,
  startExampleClusters,
  type ExampleClusters,
} from '../test/clusters/example-clusters.js';

const USAGE = 'usage: npx tsx scripts/try-clusters.ts [--run [--json]]';
const PODS_TIMEOUT_MS = 15_000;

async function main(argv: readonly string[]): Promise<number> {
  const run = argv.includes('--run');
  const extra = argv.filter((a) => a !== '--run');
  if (extra.some((a) => a !== '--json') || (!run && extra.length > 0)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const cli = join(REPO_ROOT, 'bin', 'shisa.js');
  if (run && !existsSync(join(REPO_ROOT, 'dist', 'cli'))) {
    process.stderr.write('try-clusters: the CLI is not built; run `npm run build` first\n');
    return 2;
  }
  const example = await startExampleClusters(EXAMPLE_KUBECONFIG);
  let closing: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (closing ??= example.close().finally(() => rmSync(EXAMPLE_KUBECONFIG, { force: true })));
  try {
    await example.whenPodsReady(PODS_TIMEOUT_MS);
    const args = ['inventory', '--config', show(EXAMPLE_FLEET), '--kubeconfig', show(EXAMPLE_KUBECONFIG)];
    if (run) return await runOnce(cli, [...args, ...extra]);
    printBanner(example, args);
  } catch (err) {
    await stop();
    throw err;
  }
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.stderr.write(`\ntry-clusters: ${signal}: stopping the fake clusters and removing the kubeconfig\n`);
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  await stop();
  return 0;

  async function runOnce(command: string, args: string[]): Promise<number> {
    process.stderr.write(
      `try-clusters: ${example.clusters.length} FAKE clusters (not real Kubernetes) are up; ` +
        `running: shisa ${args.join(' ')}\n\n`,
    );
    try {
      return await shisa(command, args);
    } finally {
      await stop();
    }
  }
}

/** The CLI as a child process: asynchronous, so this process keeps serving the fakes meanwhile. */
function shisa(cli: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: process.cwd(), stdio: 'inherit' });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function printBanner(example: ExampleClusters, args: readonly string[]): void {
  const rows = example.clusters.map(
    (c) => `  ${c.region.padEnd(18)} context ${c.context.padEnd(15)} ${c.fake.url}  (${c.objects.length} objects)`,
  );
  const command = `npx shisa ${args.join(' ')}`;
  process.stdout.write(
    [
      'FAKE clusters for trying shisa: these are NOT real Kubernetes clusters, only the test',
      "fake API server (test/fakes/kube/) serving each region's manifests on 127.0.0.1.",
      '',
      ...rows,
      '',
      `kubeconfig  ${show(EXAMPLE_KUBECONFIG)}  (removed when this stops)`,
      '',
      'Try, in another shell (after `npm run build`):',
      `  ${command}`,
      `  ${command} --json`,
      `  npx shisa plan --config ${show(join(EXAMPLE_FLEET, '..', 'fleet-from-file.yaml'))} --no-record`,
      `  kubectl --kubeconfig ${show(EXAMPLE_KUBECONFIG)} --context ${example.clusters[0]?.context ?? ''} get deploy,sts,ds,cronjob -A   # with kubectl`,
      '',
      'Serving until Ctrl-C.',
      '',
    ].join('\n'),
  );
}

/** A path as the user would type it from where they are. */
function show(path: string): string {
  return relative(process.cwd(), path) || '.';
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`try-clusters: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
