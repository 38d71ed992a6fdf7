/**
 * The response size cap of the Electricity Maps client, over HTTP against the fake API: an
 * endless body ends as a bad body at once with bounded memory, a slow endless one within the
 * per-attempt deadline, and the cap is exact.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ElectricityMapsSource } from '../../regions/carbon/electricitymaps/electricitymaps-source.js';
import { MAX_BODY_BYTES } from '../../regions/carbon/electricitymaps/http-get.js';
import { assess } from '../../regions/carbon/staleness.js';
import { bundledTracesDir } from '../../regions/data/bundled.js';
import { environmentFrom } from '../../scheduler/config/environment.js';
import { FakeElectricityMaps } from '../fakes/electricity-maps-server.js';

const TOKEN = 'em-cap-token-8e6b4a2c0d';
const NOW = Date.parse('2022-06-01T12:30:00Z');
const MB = 1024 * 1024;

let fake: FakeElectricityMaps;

function client(policy: { retries: number; timeoutMs: number }): ElectricityMapsSource {
  return new ElectricityMapsSource({
    baseUrl: fake.baseUrl,
    token: environmentFrom({ EM_TOKEN: TOKEN }).secret('EM_TOKEN'),
    tokenEnv: 'EM_TOKEN',
    emissionFactor: 'lifecycle',
    cacheTtlMs: 0,
    policy: { ...policy, baseDelayMs: 10, maxDelayMs: 20, maxRetryAfterMs: 1_000 },
    now: () => NOW,
  });
}

/** Runs `f` while sampling the process's memory; returns its result and the peak growth. */
async function peakGrowth<T>(f: () => Promise<T>): Promise<{ value: T; rssMb: number; heapMb: number }> {
  const start = process.memoryUsage();
  let rss = start.rss;
  let heap = start.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  const timer = setInterval(sample, 5);
  try {
    const value = await f();
    sample();
    return { value, rssMb: (rss - start.rss) / MB, heapMb: (heap - start.heapUsed) / MB };
  } finally {
    clearInterval(timer);
  }
}

/** The fake notices a closed connection on its next event-loop turn. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 50));

beforeAll(async () => {
  fake = await FakeElectricityMaps.start({
    token: TOKEN,
    traceFiles: [join(bundledTracesDir(), 'ES_2022.csv')],
    now: NOW,
  });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('the response size cap', () => {
  it('is 4 MiB', () => {
    expect(MAX_BODY_BYTES).toBe(4 * MB);
  });

  it('ends an endless body as a bad body at once, without retrying, in bounded memory, closing the connection', async () => {
    fake.misbehave('ES', { kind: 'endless' });
    const started = performance.now();
    const { value: r, rssMb, heapMb } = await peakGrowth(() => client({ retries: 3, timeoutMs: 5_000 }).latest('ES'));
    const elapsed = performance.now() - started;
    expect(!r.ok && [r.error.code, r.error.message]).toEqual([
      'CARBON_BAD_RESPONSE',
      'Electricity Maps latest for zone ES: answer larger than the 4 MiB limit',
    ]);
    expect(assess('ES', r, NOW, 7_200_000)).toMatchObject({
      status: 'missing',
      problem: { code: 'CARBON_BAD_RESPONSE' },
    });
    expect(elapsed).toBeLessThan(2_000);
    expect(rssMb).toBeLessThan(100);
    expect(heapMb).toBeLessThan(100);
    await settled();
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ status: 200, closedEarly: true });
    // It stopped reading soon after the cap: what the fake got out is the cap plus socket buffers.
    expect(fake.requests[0]!.bodyBytes).toBeLessThan(MAX_BODY_BYTES + 16 * MB);
  });

  it('bounds a slow endless body by the per-attempt deadline, retries included', async () => {
    fake.misbehave('ES', { kind: 'endless', chunkBytes: 16, intervalMs: 20 });
    const started = performance.now();
    const r = await client({ retries: 1, timeoutMs: 300 }).latest('ES');
    const elapsed = performance.now() - started;
    expect(!r.ok && [r.error.code, r.error.message]).toEqual([
      'CARBON_TIMEOUT',
      'Electricity Maps latest for zone ES: no answer within 300 ms (2 attempts)',
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(elapsed).toBeLessThan(2_000);
    await settled();
    expect(fake.requests.map((q) => [q.status, q.closedEarly])).toEqual([
      [200, true],
      [200, true],
    ]);
  });

  it('reads an answer of exactly the cap, and refuses one byte more by its Content-Length', async () => {
    fake.misbehave('ES', { kind: 'padded', bytes: MAX_BODY_BYTES });
    const exact = await client({ retries: 0, timeoutMs: 5_000 }).latest('ES');
    expect(exact.ok && exact.value.zone).toBe('ES');
    expect(fake.requests[0]!.bodyBytes).toBe(MAX_BODY_BYTES);
    fake.reset();
    fake.misbehave('ES', { kind: 'padded', bytes: MAX_BODY_BYTES + 1 });
    const over = await client({ retries: 3, timeoutMs: 5_000 }).latest('ES');
    expect(!over.ok && over.error.message).toBe(
      'Electricity Maps latest for zone ES: answer larger than the 4 MiB limit',
    );
    expect(fake.callCount()).toBe(1);
  });
});
