/**
 * `npm run bench:serve`: the HTTP API under autocannon, run as a process of its own (so the
 * load generator does not share the server's event loop): 200 connections for 10 s on
 * GET /v1/runs (a store holding 300 runs, generator in a process of its own) and on
 * POST /v1/verdicts (a verdict per request, each with a key of its own, counted on the board
 * afterwards; generator in this process, as only its programmatic API varies the body). Prints requests/s, p50, p99,
 * the slowest answer, errors, and the verdicts recorded against those answered 202; then the
 * time from a violated verdict arriving to the rollback starting (bench/verdict-to-rollback.ts).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { load, seedRuns } from '../test/api/api-load.js';
import { verdictToRollback } from './verdict-to-rollback.js';

const shipped = (path: string): Promise<unknown> => import(new URL(`../dist/${path}`, import.meta.url).href);
const { openStore } = (await shipped('db/store.js')) as typeof import('../db/store.js');
const { startApiServer } = (await shipped('scheduler/api/server.js')) as typeof import('../scheduler/api/server.js');
const { ServiceMetrics } = (await shipped('scheduler/api/metrics.js')) as typeof import('../scheduler/api/metrics.js');
const { VerdictBoard } = (await shipped(
  'scheduler/gate/verdict-board.js',
)) as typeof import('../scheduler/gate/verdict-board.js');
const { Secret } = (await shipped('scheduler/config/secret.js')) as typeof import('../scheduler/config/secret.js');

const CONNECTIONS = 200;
const SECONDS = 10;
const READ = 'bench-read';
const WRITE = 'bench-write';

interface Cannon {
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}

function cannon(args: readonly string[]): Promise<Cannon> {
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const child = spawn(process.execPath, [bin, '-c', `${CONNECTIONS}`, '-d', `${SECONDS}`, '-j', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Cannon) : reject(new Error(`autocannon ${code}`)),
    ),
  );
}

const store = await openStore({ kind: 'pglite' });
await seedRuns(store, 300);
let recorded = 0;
const board = new VerdictBoard((node) => (node.startsWith('osaka-') ? 'region-osaka-01' : 'region-finland-01'));
board.listen(() => recorded++);
const server = await startApiServer(
  {
    store,
    board,
    now: Date.now,
    notReady: () => Promise.resolve(undefined),
    metrics: new ServiceMetrics(store, () => []),
  },
  { host: '127.0.0.1', port: 0, tokens: { read: [new Secret(READ, 'R')], write: [new Secret(WRITE, 'W')] } },
);
try {
  const get = await cannon(['-H', `authorization=Bearer ${READ}`, `${server.url}/v1/runs?limit=20`]);
  // The POST runs in this process (autocannon's programmatic API, a body per request from
  // setupRequest, which its command line cannot give): its figures include the generator's share of the CPU.
  const posted = await load(server.url, 'POST /v1/verdicts', WRITE, {
    connections: CONNECTIONS,
    seconds: SECONDS,
    node: 'fi-1',
  });
  const post: Cannon = {
    requests: { average: posted.perSecond, total: posted.requests, sent: posted.sent },
    latency: { p50: posted.p50Ms, p99: posted.p99Ms, max: posted.maxMs },
    errors: posted.errors,
    timeouts: posted.timeouts,
    non2xx: posted.non2xx,
    '2xx': posted.ok,
  };
  const onBoard = recorded;
  const latency = await verdictToRollback(server.url, WRITE, board, 50);
  const row = (name: string, c: Cannon) =>
    `| ${name} | ${Math.round(c.requests.average)} | ${c.latency.p50} | ${c.latency.p99} | ${c.latency.max} | ` +
    `${c.errors} | ${c.non2xx} |`;
  process.stdout.write(
    [
      `shisa API under autocannon: ${CONNECTIONS} connections, ${SECONDS} s each`,
      '',
      '| route | requests/s | p50 ms | p99 ms | max ms | errors | non-2xx |',
      '|---|---|---|---|---|---|---|',
      row('GET /v1/runs', get),
      row('POST /v1/verdicts (generator in-process)', post),
      '',
      `verdicts answered 202: ${post['2xx']}; on the board: ${onBoard} (sent: ${post.requests.sent})`,
      '',
      `verdict → rollback start (POST of a violated verdict to the gate failing the move, ${latency.trials} trials): ` +
        `p50 ${latency.p50Ms.toFixed(1)} ms, p99 ${latency.p99Ms.toFixed(1)} ms, max ${latency.maxMs.toFixed(1)} ms`,
      '',
    ].join('\n'),
  );
  if (get.errors || post.errors || get.non2xx || post.non2xx || onBoard < post['2xx']) process.exitCode = 1;
} finally {
  await server.close();
  await store.close();
}
