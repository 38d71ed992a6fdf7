/**
 * The production Electricity Maps client (regions/carbon/electricitymaps) against a real HTTP
 * fake of the API on loopback: headers, retries, Retry-After, per-zone 401, timeouts, bad
 * bodies, call sharing and caching, and that the token never leaks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ElectricityMapsSource,
  type ElectricityMapsOptions,
} from '../regions/carbon/electricitymaps/electricitymaps-source.js';
import { bundledTracesDir } from '../regions/data/bundled.js';
import { environmentFrom } from '../scheduler/config/environment.js';
import { FakeElectricityMaps } from './fakes/electricity-maps-server.js';

const TOKEN = 'em-test-token-7f3a9c2e1b';
const NOW = Date.parse('2022-06-01T12:30:00Z');
const HOUR = 3_600_000;
const traceFiles = ['BR', 'ES', 'NO', 'US-CAL-CISO'].map((z) => join(bundledTracesDir(), `${z}_2022.csv`));

/** LCA value of a recorded hour, straight from the CSV. */
function recorded(zone: string, hour: string): number {
  const line = readFileSync(join(bundledTracesDir(), `${zone}_2022.csv`), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${hour},`))!;
  return Number(line.split(',')[5]);
}

let fake: FakeElectricityMaps;
let clock = NOW;

function client(overrides: Partial<ElectricityMapsOptions> = {}): ElectricityMapsSource {
  return new ElectricityMapsSource({
    baseUrl: fake.baseUrl,
    token: environmentFrom({ EM_TOKEN: TOKEN }).secret('EM_TOKEN'),
    tokenEnv: 'EM_TOKEN',
    emissionFactor: 'lifecycle',
    cacheTtlMs: 5 * 60_000,
    policy: { retries: 3, timeoutMs: 2_000, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 5_000 },
    now: () => clock,
    ...overrides,
  });
}

/** Everything a failure could leak through: message, inspection, JSON. */
const leaks = (x: unknown): string =>
  `${x instanceof Error ? x.message : ''}\n${inspect(x, { depth: 10 })}\n${JSON.stringify(x)}`;

beforeAll(async () => {
  fake = await FakeElectricityMaps.start({ token: TOKEN, traceFiles, now: NOW, unauthorizedZones: ['BR'] });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  clock = NOW;
});

describe('Electricity Maps client against the fake API', () => {
  it('sends the auth-token header with zone and emission factor, and reads the reading', async () => {
    const r = await client().latest('ES');
    if (!r.ok) throw r.error;
    expect(r.value).toMatchObject({
      zone: 'ES',
      intensity: Math.round(recorded('ES', '2022-06-01 12:00:00')),
      datetime: Date.parse('2022-06-01T12:00:00Z'),
      isEstimated: false,
      source: 'electricitymaps',
      emissionFactor: 'lifecycle',
      granularity: 'hour',
    });
    const req = fake.requests[0]!;
    expect(req.headers['auth-token']).toBe(TOKEN);
    expect(req).toMatchObject({
      path: '/v3/carbon-intensity/latest',
      query: { zone: 'ES', emissionFactorType: 'lifecycle' },
    });
  });

  it('retries 5xx with backoff and succeeds, counting every request sent', async () => {
    fake.misbehave('ES', { kind: 'status', status: 503, times: 2 });
    const c = client();
    const r = await c.latest('ES');
    expect(r.ok).toBe(true);
    expect(fake.callCount({ zone: 'ES' })).toBe(3);
    expect(c.upstreamCalls).toBe(3);
  });

  it('waits as long as Retry-After says on 429', async () => {
    fake.misbehave('ES', { kind: 'status', status: 429, retryAfterSeconds: 1, times: 1 });
    const started = performance.now();
    const r = await client().latest('ES');
    expect(r.ok).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    const [first, second] = fake.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
  });

  it('gives up at once, as rate limited, when Retry-After is longer than it may wait', async () => {
    fake.misbehave('ES', { kind: 'status', status: 429, retryAfterSeconds: 3600 });
    const r = await client().latest('ES');
    expect(!r.ok && r.error.code).toBe('CARBON_RATE_LIMITED');
    expect(fake.callCount()).toBe(1);
  });

  it('does not retry other 4xx answers', async () => {
    fake.misbehave('ES', { kind: 'status', status: 400 });
    const r = await client().latest('ES');
    expect(!r.ok && [r.error.code, r.error.status]).toEqual(['CARBON_BAD_REQUEST', 400]);
    expect(fake.callCount()).toBe(1);
  });

  it('reports a 401 for one zone on that zone alone, once per TTL', async () => {
    const c = client();
    const [br, es, no] = await Promise.all(['BR', 'ES', 'NO'].map((z) => c.latest(z)));
    expect(!br!.ok && [br!.error.code, br!.error.message]).toEqual([
      'CARBON_UNAUTHORIZED',
      'token unauthorized for zone BR (latest): HTTP 401: token unauthorized for zone BR',
    ]);
    expect(es!.ok && no!.ok).toBe(true);
    expect(fake.callCount({ zone: 'BR' })).toBe(1);
    await c.latest('BR');
    expect(fake.callCount({ zone: 'BR' })).toBe(1);
  });

  it('refuses a wrong token without retrying, and never repeats it', async () => {
    const wrong = 'wrong-token-0000-leak-check';
    const c = client({ token: environmentFrom({ T: wrong }).secret('T') });
    const r = await c.latest('ES');
    expect(!r.ok && r.error.code).toBe('CARBON_UNAUTHORIZED');
    expect(fake.callCount()).toBe(1);
    expect(leaks(r)).not.toContain(wrong);
  });

  it('bounds a slow answer by the per-request timeout, retries included', async () => {
    fake.misbehave('ES', { kind: 'slow', delayMs: 10_000 });
    const started = performance.now();
    const r = await client({
      policy: { retries: 1, timeoutMs: 300, baseDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 1000 },
    }).latest('ES');
    const elapsed = performance.now() - started;
    expect(!r.ok && [r.error.code, r.error.message]).toEqual([
      'CARBON_TIMEOUT',
      'Electricity Maps latest for zone ES: no answer within 300 ms (2 attempts)',
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(elapsed).toBeLessThan(3_000);
  });

  it('turns malformed JSON, a non-JSON content type and a cut-off body into clear errors', async () => {
    fake.misbehave('ES', { kind: 'malformed' });
    const malformed = await client().latest('ES');
    expect(!malformed.ok && [malformed.error.code, malformed.error.message]).toEqual([
      'CARBON_BAD_RESPONSE',
      expect.stringMatching(
        /^Electricity Maps latest for zone ES: malformed JSON \(\d+ bytes, truncated or invalid\)$/,
      ),
    ]);
    fake.misbehave('ES', { kind: 'content-type', contentType: 'text/html' });
    const html = await client().latest('ES');
    expect(!html.ok && html.error.message).toBe(
      'Electricity Maps latest for zone ES: content type "text/html" instead of JSON',
    );
    fake.misbehave('ES', { kind: 'truncated' });
    const cut = await client({
      policy: { retries: 1, timeoutMs: 2_000, baseDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 1000 },
    }).latest('ES');
    expect(!cut.ok && cut.error.code).toBe('CARBON_NETWORK');
    expect(fake.callCount({ zone: 'ES' })).toBe(4);
  });

  it('makes exactly one upstream call for 100 concurrent asks within the TTL, and one more after it', async () => {
    const c = client();
    const answers = await Promise.all(Array.from({ length: 100 }, () => c.latest('ES')));
    expect(new Set(answers.map((a) => (a.ok ? a.value.intensity : a.error.code)))).toEqual(
      new Set([Math.round(recorded('ES', '2022-06-01 12:00:00'))]),
    );
    expect(fake.callCount()).toBe(1);
    expect(c.upstreamCalls).toBe(1);
    clock = NOW + 4 * 60_000;
    await c.latest('ES');
    expect(fake.callCount()).toBe(1);
    clock = NOW + 5 * 60_000;
    await c.latest('ES');
    expect(fake.callCount()).toBe(2);
  });

  it('reads forecasts, recent history and long ranges in 10-day pieces', async () => {
    const c = client();
    const f = await c.forecast('ES', NOW, 6 * HOUR);
    if (!f.ok) throw f.error;
    expect(f.value.kind).toBe('forecast');
    expect(f.value.points.map((p) => p.intensity)).toEqual(
      ['13', '14', '15', '16', '17', '18'].map((h) => Math.round(recorded('ES', `2022-06-01 ${h}:00:00`))),
    );
    const recent = await c.history('ES', NOW - 3 * HOUR, NOW);
    expect(recent.ok && recent.value.map((r) => new Date(r.datetime).getUTCHours())).toEqual([10, 11, 12]);
    expect(fake.callCount({ path: '/carbon-intensity/history' })).toBe(1);
    const long = await c.history('ES', Date.parse('2022-03-01T00:00:00Z'), Date.parse('2022-03-26T00:00:00Z'));
    expect(long.ok && long.value.length).toBe(25 * 24);
    expect(fake.callCount({ path: '/carbon-intensity/past-range' })).toBe(3);
  });

  it('says which variable is missing when there is no token, without calling out', async () => {
    const r = await client({ token: undefined }).latest('ES');
    expect(!r.ok && [r.error.code, r.error.message]).toEqual([
      'CARBON_NO_TOKEN',
      'environment variable EM_TOKEN is not set; Electricity Maps needs an API token',
    ]);
    expect(fake.callCount()).toBe(0);
  });

  it('never lets the token into an error, whatever went wrong', async () => {
    const outcomes: unknown[] = [];
    for (const m of [
      { kind: 'status', status: 500 },
      { kind: 'status', status: 429 },
      { kind: 'status', status: 404 },
      { kind: 'malformed' },
      { kind: 'truncated' },
      { kind: 'content-type', contentType: 'text/html' },
      { kind: 'slow', delayMs: 5_000 },
    ] as const) {
      fake.misbehave('NO', m);
      outcomes.push(
        await client({
          policy: { retries: 1, timeoutMs: 300, baseDelayMs: 5, maxDelayMs: 5, maxRetryAfterMs: 100 },
        }).latest('NO'),
      );
    }
    outcomes.push(await client().latest('BR'));
    const unreachable = client({
      baseUrl: 'http://127.0.0.1:9/v3',
      policy: { retries: 0, timeoutMs: 500, baseDelayMs: 5, maxDelayMs: 5, maxRetryAfterMs: 100 },
    });
    outcomes.push(await unreachable.latest('ES'));
    expect(outcomes.every((o) => (o as { ok: boolean }).ok === false)).toBe(true);
    for (const o of outcomes) expect(leaks(o)).not.toContain(TOKEN);
  });
});
