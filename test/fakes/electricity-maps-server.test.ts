import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeElectricityMaps } from './electricity-maps-server.js';

const TOKEN = 'test-token-123';
const ZONES = ['BR', 'ES', 'NO', 'US-CAL-CISO'] as const;
const TRACE_FILES = ZONES.map((z) => `regions/data/hourly/${z}_2022.csv`);
const NOW = Date.parse('2022-06-01T12:30:00Z');
const HOUR = 3_600_000;
const JSON_TYPE = 'application/json; charset=utf-8';

// An independent, deliberately naive reading of the traces (they hold no quoted fields), so the
// fake's own loader is checked against the file rather than against itself.
interface CsvRow {
  direct: number;
  lca: number;
  estimated: boolean;
  method: string | null;
}
const csv = new Map<string, Map<string, CsvRow>>();
for (const [i, zone] of ZONES.entries()) {
  const rows = new Map<string, CsvRow>();
  for (const line of readFileSync(TRACE_FILES[i]!, 'utf8').trim().split('\n').slice(1)) {
    const f = line.split(',');
    rows.set(f[0]!, { direct: Number(f[4]), lca: Number(f[5]), estimated: f[9] === 'true', method: f[10] || null });
  }
  csv.set(zone, rows);
}
/** The CSV row for `zone` at the hour starting at `ms`. */
function row(zone: string, ms: number): CsvRow {
  const key = new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  const r = csv.get(zone)?.get(key);
  if (r === undefined) throw new Error(`no CSV row ${zone} ${key}`);
  return r;
}
const iso = (ms: number): string => new Date(ms).toISOString();

/** A reading as the API answers it: `latest`, and each entry of `history` and `past-range`. */
interface ApiReading {
  zone: string;
  carbonIntensity: number;
  datetime: string;
  updatedAt: string;
  emissionFactorType: string;
  isEstimated: boolean;
  estimationMethod: string | null;
}

/**
 * The fields of the fake's JSON answers that the tests read. Each answer carries those of
 * its endpoint only (the tests check which, with Object.keys); typing them all as present
 * keeps the assertions short, and a missing one fails the assertion that reads it.
 */
interface ApiBody extends ApiReading {
  forecast: { carbonIntensity: number; datetime: string }[];
  history: ApiReading[];
  data: ApiReading[];
  error: string;
}

let fake: FakeElectricityMaps;

async function get(path: string, opts: { token?: string | null; method?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token !== null) headers['auth-token'] = opts.token ?? TOKEN;
  return fetch(`${fake.baseUrl}${path}`, { method: opts.method ?? 'GET', headers });
}
async function getJson(
  path: string,
  opts: { token?: string | null; method?: string } = {},
): Promise<{ status: number; body: ApiBody; res: Response }> {
  const res = await get(path, opts);
  expect(res.headers.get('content-type')).toBe(JSON_TYPE);
  return { status: res.status, body: (await res.json()) as ApiBody, res };
}

beforeAll(async () => {
  fake = await FakeElectricityMaps.start({
    token: TOKEN,
    traceFiles: TRACE_FILES,
    now: NOW,
    unauthorizedZones: ['NO'],
  });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  fake.now = NOW;
});

describe('FakeElectricityMaps: latest', () => {
  it('listens on 127.0.0.1 with a /v3 base URL', () => {
    expect(fake.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v3$/);
  });

  it('serves the LCA value of the hour containing now, rounded, in the API shape', async () => {
    const { status, body } = await getJson('/carbon-intensity/latest?zone=ES');
    expect(status).toBe(200);
    const hour = Date.parse('2022-06-01T12:00:00Z');
    expect(body).toStrictEqual({
      zone: 'ES',
      carbonIntensity: Math.round(row('ES', hour).lca),
      datetime: '2022-06-01T12:00:00.000Z',
      updatedAt: '2022-06-01T12:10:00.000Z',
      createdAt: '2022-06-01T12:00:00.000Z',
      emissionFactorType: 'lifecycle',
      isEstimated: false,
      estimationMethod: null,
    });
    expect(Object.keys(body)).toEqual([
      'zone',
      'carbonIntensity',
      'datetime',
      'updatedAt',
      'createdAt',
      'emissionFactorType',
      'isEstimated',
      'estimationMethod',
    ]);
  });

  it('serves lifecycle by default and direct on request, for every zone except the unauthorized one', async () => {
    const hour = Date.parse('2022-06-01T12:00:00Z');
    for (const zone of ['BR', 'ES', 'US-CAL-CISO']) {
      const lifecycle = (await getJson(`/carbon-intensity/latest?zone=${zone}&emissionFactorType=lifecycle`)).body;
      const direct = (await getJson(`/carbon-intensity/latest?zone=${zone}&emissionFactorType=direct`)).body;
      expect(lifecycle).toMatchObject({
        zone,
        carbonIntensity: Math.round(row(zone, hour).lca),
        emissionFactorType: 'lifecycle',
      });
      expect(direct).toMatchObject({
        zone,
        carbonIntensity: Math.round(row(zone, hour).direct),
        emissionFactorType: 'direct',
      });
      expect(direct.carbonIntensity).toBeLessThan(lifecycle.carbonIntensity);
    }
    expect((await getJson('/carbon-intensity/latest?zone=ES&emissionFactorType=marginal')).status).toBe(400);
  });

  it('reports estimated rows with their method, and follows a changed now', async () => {
    fake.now = Date.parse('2022-01-01T23:59:59.999Z');
    const { body } = await getJson('/carbon-intensity/latest?zone=ES');
    expect(row('ES', Date.parse('2022-01-01T23:00:00Z')).estimated).toBe(true);
    expect(body).toMatchObject({
      datetime: '2022-01-01T23:00:00.000Z',
      isEstimated: true,
      estimationMethod: 'ESTIMATED_TIME_SLICER_AVERAGE',
    });
    fake.now = Date.parse('2022-12-31T23:00:00Z');
    expect((await getJson('/carbon-intensity/latest?zone=BR')).body.carbonIntensity).toBe(
      Math.round(row('BR', fake.now).lca),
    );
  });
});

describe('FakeElectricityMaps: forecast and history', () => {
  it('forecasts the recorded rows of the 24 hours after the current hour by default', async () => {
    const { status, body } = await getJson('/carbon-intensity/forecast?zone=US-CAL-CISO');
    expect(status).toBe(200);
    const current = Date.parse('2022-06-01T12:00:00Z');
    expect(Object.keys(body)).toEqual(['zone', 'forecast', 'updatedAt']);
    expect(body.zone).toBe('US-CAL-CISO');
    expect(body.updatedAt).toBe('2022-06-01T12:10:00.000Z');
    expect(body.forecast).toHaveLength(24);
    expect(body.forecast).toStrictEqual(
      Array.from({ length: 24 }, (_, i) => ({
        carbonIntensity: Math.round(row('US-CAL-CISO', current + (i + 1) * HOUR).lca),
        datetime: iso(current + (i + 1) * HOUR),
      })),
    );
  });

  it('honours horizonHours up to 72, refuses more, and stops at the end of the trace', async () => {
    const h72 = (await getJson('/carbon-intensity/forecast?zone=ES&horizonHours=72')).body.forecast;
    expect(h72).toHaveLength(72);
    expect(h72[71]).toEqual({
      carbonIntensity: Math.round(row('ES', NOW - 30 * 60_000 + 72 * HOUR).lca),
      datetime: '2022-06-04T12:00:00.000Z',
    });
    expect((await getJson('/carbon-intensity/forecast?zone=ES&horizonHours=6')).body.forecast).toHaveLength(6);
    expect((await getJson('/carbon-intensity/forecast?zone=ES&horizonHours=73')).status).toBe(400);
    expect((await getJson('/carbon-intensity/forecast?zone=ES&horizonHours=abc')).status).toBe(400);
    fake.now = Date.parse('2022-12-31T20:30:00Z');
    const tail = (await getJson('/carbon-intensity/forecast?zone=ES')).body.forecast;
    expect(tail.map((f: { datetime: string }) => f.datetime)).toEqual([
      '2022-12-31T21:00:00.000Z',
      '2022-12-31T22:00:00.000Z',
      '2022-12-31T23:00:00.000Z',
    ]);
  });

  it('gives the 24 hours of history up to and including the current hour, oldest first', async () => {
    const { status, body } = await getJson('/carbon-intensity/history?zone=BR');
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['zone', 'history']);
    const history = body.history;
    expect(history).toHaveLength(24);
    expect(history[0]!.datetime).toBe('2022-05-31T13:00:00.000Z');
    expect(history[23]!.datetime).toBe('2022-06-01T12:00:00.000Z');
    expect(history[23]).toStrictEqual((await getJson('/carbon-intensity/latest?zone=BR')).body);
    for (const h of history) expect(h.carbonIntensity).toBe(Math.round(row('BR', Date.parse(h.datetime)).lca));
    const direct = (await getJson('/carbon-intensity/history?zone=BR&emissionFactorType=direct')).body.history;
    expect(direct[0]?.carbonIntensity).toBe(Math.round(row('BR', Date.parse('2022-05-31T13:00:00Z')).direct));
  });
});

describe('FakeElectricityMaps: past-range', () => {
  it('returns rows with start <= datetime < end', async () => {
    const { status, body } = await getJson(
      '/carbon-intensity/past-range?zone=ES&start=2022-03-01T00:00:00Z&end=2022-03-02T00:00:00Z',
    );
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['zone', 'data']);
    expect(body.data).toHaveLength(24);
    expect(body.data[0]?.datetime).toBe('2022-03-01T00:00:00.000Z');
    expect(body.data[23]?.datetime).toBe('2022-03-01T23:00:00.000Z');
    for (const d of body.data) expect(d.carbonIntensity).toBe(Math.round(row('ES', Date.parse(d.datetime)).lca));
    const offset = (
      await getJson(
        '/carbon-intensity/past-range?zone=ES&start=2022-03-01T00:30:00.000Z&end=2022-03-01T03:00:01Z&emissionFactorType=direct',
      )
    ).body.data;
    expect(offset.map((d: { datetime: string }) => d.datetime)).toEqual([
      '2022-03-01T01:00:00.000Z',
      '2022-03-01T02:00:00.000Z',
      '2022-03-01T03:00:00.000Z',
    ]);
    expect(offset[0]).toMatchObject({
      emissionFactorType: 'direct',
      carbonIntensity: Math.round(row('ES', Date.parse('2022-03-01T01:00:00Z')).direct),
    });
  });

  it('allows exactly 10 days and refuses more, reversed, empty or unparsable ranges with 400', async () => {
    const ten = (
      await getJson('/carbon-intensity/past-range?zone=ES&start=2022-03-01T00:00:00Z&end=2022-03-11T00:00:00Z')
    ).body.data;
    expect(ten).toHaveLength(240);
    expect(ten[239]?.datetime).toBe('2022-03-10T23:00:00.000Z');
    for (const q of [
      'start=2022-03-01T00:00:00Z&end=2022-03-11T00:00:01Z',
      'start=2022-03-02T00:00:00Z&end=2022-03-01T00:00:00Z',
      'start=2022-03-01T00:00:00Z&end=2022-03-01T00:00:00Z',
      'start=yesterday&end=2022-03-01T00:00:00Z',
      'start=2022-02-30T00:00:00Z&end=2022-03-01T00:00:00Z',
      'start=2022-03-01T00:00:00Z',
    ]) {
      const { status, body } = await getJson(`/carbon-intensity/past-range?zone=ES&${q}`);
      expect(status, q).toBe(400);
      expect(typeof body.error, q).toBe('string');
    }
  });
});

describe('FakeElectricityMaps: errors', () => {
  it('answers 401 without or with a wrong auth-token, and records those requests', async () => {
    const none = await getJson('/carbon-intensity/latest?zone=ES', { token: null });
    const wrong = await getJson('/carbon-intensity/latest?zone=ES', { token: 'nope' });
    expect(none.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(typeof none.body.error).toBe('string');
    expect(typeof wrong.body.error).toBe('string');
    expect(fake.requests.map((r) => r.status)).toEqual([401, 401]);
    expect(fake.requests[0]!.headers['auth-token']).toBeUndefined();
    expect(fake.requests[1]!.headers['auth-token']).toBe('nope');
  });

  it('answers 401 for an unauthorized zone only', async () => {
    const no = await getJson('/carbon-intensity/latest?zone=NO');
    expect(no.status).toBe(401);
    expect(no.body).toEqual({ error: 'token unauthorized for zone NO' });
    expect((await getJson('/carbon-intensity/history?zone=NO')).status).toBe(401);
    expect((await getJson('/carbon-intensity/latest?zone=ES')).status).toBe(200);
  });

  it('answers 404 for unknown zones, times without data and unknown paths; 400 without zone; 405 for other methods', async () => {
    expect((await getJson('/carbon-intensity/latest?zone=XX')).status).toBe(404);
    expect((await getJson('/carbon-intensity/latest?zone=es')).status).toBe(404);
    fake.now = Date.parse('2021-06-01T00:00:00Z');
    const early = await getJson('/carbon-intensity/latest?zone=ES');
    expect(early.status).toBe(404);
    expect(typeof early.body.error).toBe('string');
    expect((await getJson('/carbon-intensity/history?zone=ES')).status).toBe(404);
    expect(
      (await getJson('/carbon-intensity/past-range?zone=ES&start=2023-03-01T00:00:00Z&end=2023-03-02T00:00:00Z'))
        .status,
    ).toBe(404);
    fake.now = NOW;
    expect((await getJson('/carbon-intensity/nonsense?zone=ES')).status).toBe(404);
    expect((await getJson('/carbon-intensity/latest')).status).toBe(400);
    expect((await getJson('/carbon-intensity/latest?zone=')).status).toBe(400);
    const post = await getJson('/carbon-intensity/latest?zone=ES', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.res.headers.get('allow')).toBe('GET');
    expect(fake.requests.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404, 400, 400, 405]);
  });
});

describe('FakeElectricityMaps: misbehaviour', () => {
  it('fails with a status `times` times, then serves normally; other zones are unaffected', async () => {
    fake.misbehave('ES', { kind: 'status', status: 500, times: 2 });
    const first = await getJson('/carbon-intensity/latest?zone=ES');
    expect(first.status).toBe(500);
    expect(typeof first.body.error).toBe('string');
    expect((await getJson('/carbon-intensity/latest?zone=BR')).status).toBe(200);
    expect((await getJson('/carbon-intensity/forecast?zone=ES')).status).toBe(500);
    expect((await getJson('/carbon-intensity/latest?zone=ES')).status).toBe(200);
    expect((await getJson('/carbon-intensity/latest?zone=ES')).status).toBe(200);
    expect(fake.callCount({ zone: 'ES' })).toBe(4);
    expect(fake.callCount({ zone: 'BR' })).toBe(1);
    expect(fake.callCount({ path: '/carbon-intensity/latest', zone: 'ES' })).toBe(3);
    expect(fake.callCount({ path: '/v3/carbon-intensity/forecast' })).toBe(1);
    expect(fake.callCount()).toBe(5);
    expect(fake.requests.map((r) => r.status)).toEqual([500, 200, 500, 200, 200]);
  });

  it('sends Retry-After with a 429 when given, and misbehaves on every request without `times`', async () => {
    fake.misbehave('ES', { kind: 'status', status: 429, retryAfterSeconds: 7 });
    for (const path of [
      'latest?zone=ES',
      'forecast?zone=ES',
      'history?zone=ES',
      'past-range?zone=ES&start=2022-03-01&end=2022-03-02',
    ]) {
      const { status, res } = await getJson(`/carbon-intensity/${path}`);
      expect(status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
    }
    fake.misbehave('ES', { kind: 'status', status: 503 });
    const unavailable = await getJson('/carbon-intensity/latest?zone=ES');
    expect(unavailable.status).toBe(503);
    expect(unavailable.res.headers.get('retry-after')).toBeNull();
    fake.misbehave('ES', { kind: 'status', status: 400, times: 1 });
    expect((await getJson('/carbon-intensity/latest?zone=ES')).status).toBe(400);
    expect((await getJson('/carbon-intensity/latest?zone=ES')).status).toBe(200);
    fake.misbehave('ES', { kind: 'status', status: 500 });
    fake.misbehave('ES', undefined);
    expect((await getJson('/carbon-intensity/latest?zone=ES')).status).toBe(200);
    fake.misbehave('ES', { kind: 'status', status: 500 });
    fake.reset();
    expect(fake.requests).toHaveLength(0);
    expect((await getJson('/carbon-intensity/latest?zone=ES')).status).toBe(200);
  });

  it('refuses nonsensical misbehaviours', () => {
    expect(() => fake.misbehave('ES', { kind: 'status', status: 200 })).toThrow(RangeError);
    expect(() => fake.misbehave('ES', { kind: 'slow', delayMs: -1 })).toThrow(RangeError);
    expect(() => fake.misbehave('ES', { kind: 'truncated', times: 1.5 })).toThrow(RangeError);
  });

  it('truncates the body: 200, JSON content type, the connection drops mid-body', async () => {
    fake.misbehave('ES', { kind: 'truncated', times: 1 });
    const res = await get('/carbon-intensity/latest?zone=ES');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(JSON_TYPE);
    await expect(res.text()).rejects.toThrow();
    expect(fake.requests[0]!.status).toBe(200);
    expect((await getJson('/carbon-intensity/latest?zone=ES')).status).toBe(200);
  });

  it('sends a malformed JSON body with a JSON content type', async () => {
    fake.misbehave('ES', { kind: 'malformed', times: 1 });
    const res = await get('/carbon-intensity/history?zone=ES');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(JSON_TYPE);
    const text = await res.text();
    expect(text).toBe('{"zone": "ES", carbonIntensity: }');
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
    expect((await getJson('/carbon-intensity/history?zone=ES')).status).toBe(200);
  });

  it('sends HTML under another content type', async () => {
    fake.misbehave('ES', { kind: 'content-type', contentType: 'text/html; charset=utf-8', times: 1 });
    const res = await get('/carbon-intensity/latest?zone=ES');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toMatch(/^<!DOCTYPE html>/);
    expect((await getJson('/carbon-intensity/latest?zone=ES')).status).toBe(200);
  });

  it('delays the whole response, headers included, by delayMs', async () => {
    fake.misbehave('ES', { kind: 'slow', delayMs: 1000, times: 1 });
    const started = performance.now();
    const res = await get('/carbon-intensity/latest?zone=ES');
    const headersAfter = performance.now() - started;
    expect(headersAfter).toBeGreaterThanOrEqual(1000);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { carbonIntensity: number }).carbonIntensity).toBe(
      Math.round(row('ES', Date.parse('2022-06-01T12:00:00Z')).lca),
    );
    const again = performance.now();
    expect((await get('/carbon-intensity/latest?zone=ES')).status).toBe(200);
    // A delayed answer takes at least the delay; this one must not have been delayed.
    expect(performance.now() - again).toBeLessThan(1000);
  });
});

describe('FakeElectricityMaps: lies and sizes', () => {
  const settle = () => new Promise((r) => setTimeout(r, 50));

  it('lies in every reading of a 200 answer, writing the intensity text literally', async () => {
    fake.misbehave('ES', { kind: 'lie', zone: 'FR', datetime: '2099-01-01T00:00:00Z', carbonIntensity: '1e308' });
    const latest = await get('/carbon-intensity/latest?zone=ES');
    const text = await latest.text();
    expect(text).toContain('"carbonIntensity":1e308,');
    expect(JSON.parse(text)).toMatchObject({
      zone: 'FR',
      carbonIntensity: 1e308,
      datetime: '2099-01-01T00:00:00Z',
      updatedAt: '2022-06-01T12:10:00.000Z',
    });
    const history = (await getJson('/carbon-intensity/history?zone=ES')).body;
    expect(history.zone).toBe('FR');
    expect(
      new Set(history.history.map((h: { zone: string; carbonIntensity: number }) => `${h.zone} ${h.carbonIntensity}`)),
    ).toEqual(new Set(['FR 1e+308']));
    const forecast = (await getJson('/carbon-intensity/forecast?zone=ES&horizonHours=3')).body;
    expect(forecast.forecast.map((p: { carbonIntensity: number }) => p.carbonIntensity)).toEqual([1e308, 1e308, 1e308]);
    // Errors are not lied about; other zones are not touched.
    expect((await getJson('/carbon-intensity/latest?zone=ES&emissionFactorType=neither')).status).toBe(400);
    expect((await getJson('/carbon-intensity/latest?zone=BR')).body.zone).toBe('BR');
  });

  it('removes the zone field when the lie says null, and writes 1e309 and negatives as given', async () => {
    fake.misbehave('ES', { kind: 'lie', zone: null, carbonIntensity: '1e309', times: 1 });
    const text = await (await get('/carbon-intensity/latest?zone=ES')).text();
    expect(text).toMatch(/^\{"carbonIntensity":1e309,"datetime":/);
    fake.misbehave('ES', { kind: 'lie', carbonIntensity: '-5', times: 1 });
    expect((await getJson('/carbon-intensity/latest?zone=ES')).body.carbonIntensity).toBe(-5);
  });

  it('pads an answer to exactly the bytes asked for, still valid JSON', async () => {
    fake.misbehave('ES', { kind: 'padded', bytes: 100_000, times: 1 });
    const res = await get('/carbon-intensity/latest?zone=ES');
    expect(res.headers.get('content-length')).toBe('100000');
    const text = await res.text();
    expect(Buffer.byteLength(text)).toBe(100_000);
    expect((JSON.parse(text) as ApiBody).zone).toBe('ES');
    expect(fake.requests[0]).toMatchObject({ status: 200, bodyBytes: 100_000, closedEarly: false });
  });

  it('sends an endless chunked body until the client goes away, and records that', async () => {
    fake.misbehave('ES', { kind: 'endless', times: 1 });
    const res = await get('/carbon-intensity/latest?zone=ES');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(JSON_TYPE);
    expect(res.headers.get('content-length')).toBeNull();
    const reader = res.body!.getReader();
    let read = 0;
    while (read < 1_000_000) read += ((await reader.read()).value as Uint8Array).length;
    await reader.cancel();
    await settle();
    expect(fake.requests[0]).toMatchObject({ status: 200, closedEarly: true });
    expect(fake.requests[0]!.bodyBytes).toBeGreaterThanOrEqual(read);
    // A normal answer, and one the fake cuts off itself, are not "closed early".
    await getJson('/carbon-intensity/latest?zone=ES');
    fake.misbehave('ES', { kind: 'truncated', times: 1 });
    await get('/carbon-intensity/latest?zone=ES')
      .then((r) => r.text())
      .catch(() => undefined);
    await settle();
    expect(fake.requests.map((q) => q.closedEarly)).toEqual([true, false, false]);
  });

  it('refuses nonsensical lies and sizes', () => {
    expect(() => fake.misbehave('ES', { kind: 'lie' })).toThrow(RangeError);
    expect(() => fake.misbehave('ES', { kind: 'lie', carbonIntensity: 'Infinity' })).toThrow(RangeError);
    expect(() => fake.misbehave('ES', { kind: 'padded', bytes: -1 })).toThrow(RangeError);
    expect(() => fake.misbehave('ES', { kind: 'endless', chunkBytes: 0 })).toThrow(RangeError);
  });
});

describe('FakeElectricityMaps: close', () => {
  it('returns promptly with a slow request in flight, failing that request', { timeout: 5_000 }, async () => {
    const other = await FakeElectricityMaps.start({ token: TOKEN, traceFiles: [TRACE_FILES[1]!], now: NOW });
    other.misbehave('ES', { kind: 'slow', delayMs: 60_000 });
    const inFlight = fetch(`${other.baseUrl}/carbon-intensity/latest?zone=ES`, {
      headers: { 'auth-token': TOKEN },
    }).then(
      (r) => r.status,
      (e: unknown) => e,
    );
    const deadline = Date.now() + 2_000;
    while (other.callCount() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(other.callCount()).toBe(1);
    const started = performance.now();
    await other.close();
    expect(performance.now() - started).toBeLessThan(500);
    expect(await inFlight).toBeInstanceOf(Error);
    expect(other.requests[0]!.status).toBe(0);
    await other.close(); // idempotent
  });
});
