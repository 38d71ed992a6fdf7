/**
 * The API under load from a real load generator (autocannon): 200 concurrent connections for
 * 10 s on GET /v1/runs, then on POST /v1/verdicts, against the real server over the embedded
 * store. No errors, no answer other than 2xx, and every verdict answered 202 is on the board.
 * The figures are printed; `npm run bench:serve` is where they are compared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../db/store.js';
import { ServiceMetrics } from '../../scheduler/api/metrics.js';
import { startApiServer, type ApiServer } from '../../scheduler/api/server.js';
import { Secret } from '../../scheduler/config/secret.js';
import { VerdictBoard } from '../../scheduler/gate/verdict-board.js';
import { load, seedRuns } from './api-load.js';

const READ = 'load-read-token';
const WRITE = 'load-write-token';
let store: Store;
let server: ApiServer;
let recorded = 0;
const board = new VerdictBoard(() => 'region-finland-01');
board.listen(() => recorded++);

beforeAll(async () => {
  store = await openStore({ kind: 'pglite' });
  await seedRuns(store, 300);
  server = await startApiServer(
    {
      store,
      board,
      now: Date.now,
      notReady: () => Promise.resolve(undefined),
      metrics: new ServiceMetrics(store, () => []),
    },
    { host: '127.0.0.1', port: 0, tokens: { read: [new Secret(READ, 'R')], write: [new Secret(WRITE, 'W')] } },
  );
}, 180_000);
afterAll(async () => {
  await server?.close();
  await store?.close();
});

describe('the API under load (autocannon, 200 connections, 10 s)', () => {
  it('serves GET /v1/runs with no errors', async () => {
    const f = await load(server.url, 'GET /v1/runs', READ, { connections: 200, seconds: 10, node: 'fi-1' });
    process.stdout.write(`GET /v1/runs: ${JSON.stringify(f)}\n`);
    expect(f.requests).toBeGreaterThan(200);
    expect(f.errors).toBe(0);
    expect(f.non2xx).toBe(0);
  }, 60_000);

  it('takes POST /v1/verdicts with no errors, and records every verdict it accepted', async () => {
    const f = await load(server.url, 'POST /v1/verdicts', WRITE, { connections: 200, seconds: 10, node: 'fi-1' });
    process.stdout.write(`POST /v1/verdicts: ${JSON.stringify(f)}\n`);
    expect(f.ok).toBeGreaterThan(200);
    expect(f.errors).toBe(0);
    expect(f.non2xx).toBe(0);
    // Every verdict answered 202 is on the board; the ones sent as the run stopped may be too, none twice.
    expect(recorded).toBeGreaterThanOrEqual(f.ok);
    expect(recorded).toBeLessThanOrEqual(f.sent);
  }, 60_000);
});
