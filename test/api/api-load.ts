/**
 * The API under a real load generator (autocannon) for the load test and `npm run bench:serve`:
 * GET /v1/runs over a store holding a few hundred runs, and POST /v1/verdicts with a report of
 * its own per request (a key per request, so each verdict can be counted on the board).
 */
import autocannon from 'autocannon';
import { recordRun, type RunRecord } from '../../db/record-run.js';
import type { Store } from '../../db/store.js';

export interface LoadFigures {
  readonly route: string;
  readonly requests: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Connection errors, timeouts included. */
  readonly errors: number;
  readonly non2xx: number;
  readonly ok: number;
  /** Requests sent, answered or not when the run stopped. */
  readonly sent: number;
  readonly timeouts: number;
  readonly maxMs: number;
}

export async function seedRuns(store: Store, n: number): Promise<void> {
  for (let k = 0; k < n; k++) {
    const at = new Date(Date.UTC(2026, 11, 1) + k * 3_600_000);
    const record: RunRecord = {
      trigger: 'cron',
      startedAt: at,
      finishedAt: new Date(at.getTime() + 900),
      fleet: 'fleet.yaml',
      carbonSource: 'replay',
      carbon: { fresh: 4, zones: 4, notFresh: [] },
      emissionsBefore: 1000 + k,
      emissionsAfter: 800 + k,
      lowerBound: 790 + k,
      gap: 0.01,
      verdict: 'proven',
      status: 'planned',
      timings: { plan_ms: 12 },
      moves: [{ workload: `batch/job-${k}`, from: 'region-osaka-01', to: 'region-finland-01', savingGPerH: 200 }],
      order: [],
      inputs: { files: [], carbon: '0'.repeat(64) },
      audited: new Map(),
      kept: [],
      readings: [],
      exceptions: [],
    };
    await recordRun(store, record);
  }
}

export function verdictBody(i: number, node: string): string {
  return JSON.stringify({
    node,
    changes: [
      {
        at: new Date().toISOString(),
        from: 'unknown',
        verdict: {
          key: `batch/job-${i}>db@load#0`,
          workload: `batch/job-${i}`,
          state: 'holds',
          reason: 'p99 9 ms within 50 ms',
          maxMs: 50,
          evidence: { samples: 600, p99Ms: 9 },
        },
      },
    ],
  });
}

export async function load(
  url: string,
  route: 'GET /v1/runs' | 'POST /v1/verdicts',
  token: string,
  o: { readonly connections: number; readonly seconds: number; readonly node: string },
): Promise<LoadFigures> {
  let i = 0;
  const post = route.startsWith('POST');
  const result = await autocannon({
    url: `${url}${route.split(' ')[1]}${post ? '' : '?limit=20'}`,
    method: post ? 'POST' : 'GET',
    connections: o.connections,
    duration: o.seconds,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(post ? { requests: [{ setupRequest: (r) => ({ ...r, body: verdictBody(i++, o.node) }) }] } : {}),
  });
  return {
    route,
    requests: result.requests.total,
    perSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    ok: result['2xx'],
    sent: result.requests.sent,
  };
}
