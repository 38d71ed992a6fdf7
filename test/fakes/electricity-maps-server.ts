// A fake of the Electricity Maps API v3, for tests: a real HTTP server (node:http) on
// 127.0.0.1, port 0, speaking the real wire protocol, so the product's real HTTP client can be
// pointed at `baseUrl` and exercised end to end, including the ways the real service fails.
//
// Data comes from hourly CSV traces in Electricity Maps' export format (the loader below is
// self-contained on purpose: the fake must not share code with the product it tests).
//
// Endpoints (GET only), all under /v3:
//   /carbon-intensity/latest?zone=Z[&emissionFactorType=lifecycle|direct]
//   /carbon-intensity/forecast?zone=Z[&horizonHours=1..72][&emissionFactorType=…]
//   /carbon-intensity/history?zone=Z[&emissionFactorType=…]
//   /carbon-intensity/past-range?zone=Z&start=ISO&end=ISO[&emissionFactorType=…]
//
// Order of checks for one request, each ending it with the status shown:
//   unknown path 404 → method other than GET 405 (with `Allow: GET`) → missing or wrong
//   `auth-token` 401 → missing `zone` 400 → the zone's misbehaviour, if any (a `status`
//   misbehaviour ends the request here; `slow` delays, then the request carries on; the body
//   misbehaviours replace the body computed below) → unknown zone 404 → zone in
//   `unauthorizedZones` 401 → bad parameters 400 → no data for the time 404 → 200.
//
// Every request is recorded the moment it arrives; its `status` is filled in when the response
// head is written. A recorded status of 0 means no response was ever sent (the client went away
// during a slow response, or the fake was closed). `bodyBytes` counts the body bytes written and
// `closedEarly` says the connection closed before the response was complete (the client went
// away, or the fake was closed; `truncated` cutting its own answer off does not count).
//
// Lies, for the plausibility rule: `lie` serves the normal 200 answer with every `zone` field
// replaced (or removed, with null), every `datetime` replaced, and every `carbonIntensity`
// written as the given JSON number text, literally (so `1e308` or `1e309` reach the client as
// written). Error answers are not touched. Sizes, for the body cap: `padded` pads the normal
// answer with spaces to exactly `bytes` bytes (still valid JSON) under a Content-Length;
// `endless` sends a 200 JSON head without Content-Length (chunked) and then writes `chunkBytes`
// of an array that never closes, every `intervalMs` (0: as fast as the client reads), until the
// client goes away or the fake is closed.

import { readFile } from 'node:fs/promises';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface FakeElectricityMapsOptions {
  /** The only accepted `auth-token` header value. */
  token: string;
  /** CSV paths in Electricity Maps' hourly export format; the zone is the `Zone Id` column. */
  traceFiles: readonly string[];
  /** Epoch ms: the fake's "current time" for latest/forecast/history; settable later via `now`. */
  now: number;
  /** Zones this token may not read: 401 for those zones only. */
  unauthorizedZones?: readonly string[];
  /**
   * Serves the traces as if every row were this much later (a 2022 trace replayed as this
   * week's readings: every datetime in and out is shifted), default 0.
   */
  shiftMs?: number;
  /** Whether "current time" follows the wall clock (Date.now()) instead of `now`, default false. */
  wallClock?: boolean;
}

export type Misbehaviour =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; times?: number }
  | { kind: 'slow'; delayMs: number; times?: number }
  | { kind: 'truncated'; times?: number }
  | { kind: 'malformed'; times?: number }
  | { kind: 'content-type'; contentType: string; times?: number }
  | { kind: 'lie'; zone?: string | null; datetime?: string; carbonIntensity?: string; times?: number }
  | { kind: 'padded'; bytes: number; times?: number }
  | { kind: 'endless'; chunkBytes?: number; intervalMs?: number; times?: number };

export interface RecordedRequest {
  method: string;
  /** The URL path, e.g. `/v3/carbon-intensity/latest`. */
  path: string;
  /** Query parameters; when a name repeats, the first value (the one the fake uses). */
  query: Record<string, string>;
  /** Request headers, names lower-cased (as node:http gives them). */
  headers: Record<string, string | string[] | undefined>;
  /** Wall-clock epoch ms (Date.now()) at which the request arrived. */
  at: number;
  /** Status of the response sent; 0 while none has been (or if none ever was). */
  status: number;
  /** Body bytes written so far. */
  bodyBytes: number;
  /** The connection closed before the response was complete (not counting `truncated`). */
  closedEarly: boolean;
}

type EmissionFactorType = 'lifecycle' | 'direct';

interface TraceRow {
  /** Epoch ms of the start of the hour. */
  time: number;
  direct: number | null;
  lifecycle: number | null;
  isEstimated: boolean;
  estimationMethod: string | null;
}

interface Result {
  status: number;
  body: unknown;
}

const HOUR_MS = 3_600_000;
const UPDATED_AFTER_MS = 10 * 60_000;
const PAST_RANGE_LIMIT_MS = 10 * 24 * HOUR_MS;
const DEFAULT_HORIZON_HOURS = 24;
const MAX_HORIZON_HOURS = 72;
const JSON_TYPE = 'application/json; charset=utf-8';
const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** Stands in for a lied intensity until the JSON text is written, then replaced by it verbatim. */
const RAW_INTENSITY = '__fake_raw_intensity__';
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const API_PREFIX = '/v3';

const ENDPOINTS = new Set(
  ['latest', 'forecast', 'history', 'past-range'].map((e) => `${API_PREFIX}/carbon-intensity/${e}`),
);

const HTML_BODY =
  '<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head>\n' +
  '<body><h1>Service Temporarily Unavailable</h1><p>Please try again later.</p></body></html>\n';

export class FakeElectricityMaps {
  readonly baseUrl: string;
  /** Whether the current time is the wall clock's rather than `now`. */
  wallClock = false;
  /** The fake's current time (epoch ms), read when a response is computed. */
  now: number;

  private readonly recorded: RecordedRequest[] = [];
  private readonly misbehaviours = new Map<string, { m: Misbehaviour; remaining: number }>();
  private readonly pendingDelays = new Set<() => void>();
  private readonly sockets = new Set<Socket>();
  /** Responses the fake cut off itself (`truncated`): not the client going away. */
  private readonly cutOff = new WeakSet<ServerResponse>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    port: number,
    private readonly token: string,
    private readonly traces: ReadonlyMap<string, ReadonlyMap<number, TraceRow>>,
    private readonly unauthorizedZones: ReadonlySet<string>,
    now: number,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}${API_PREFIX}`;
    this.now = now;
  }

  static async start(options: FakeElectricityMapsOptions): Promise<FakeElectricityMaps> {
    if (typeof options.token !== 'string' || options.token === '')
      throw new TypeError('FakeElectricityMaps: token must be a non-empty string');
    if (!Number.isFinite(options.now)) throw new TypeError('FakeElectricityMaps: now must be a finite epoch-ms number');
    const loaded = new Map<string, Map<number, TraceRow>>();
    for (const file of options.traceFiles) loadTrace(file, await readFile(file, 'utf8'), loaded);
    const shift = options.shiftMs ?? 0;
    const traces = new Map(
      [...loaded].map(([zone, rows]) => [
        zone,
        new Map([...rows.values()].map((r) => [r.time + shift, { ...r, time: r.time + shift }])),
      ]),
    );

    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const fake = new FakeElectricityMaps(
      server,
      port,
      options.token,
      traces,
      new Set(options.unauthorizedZones ?? []),
      options.now,
    );
    fake.wallClock = options.wallClock ?? false;
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (req, res) => void fake.handle(req, res));
    return fake;
  }

  get requests(): readonly RecordedRequest[] {
    return this.recorded;
  }

  /**
   * Number of recorded requests, optionally only those for one path and/or zone. `path` may be
   * the full URL path (`/v3/carbon-intensity/latest`) or relative to `baseUrl`
   * (`/carbon-intensity/latest`).
   */
  callCount(filter?: { path?: string; zone?: string }): number {
    return this.recorded.filter(
      (r) =>
        (filter?.path === undefined || r.path === filter.path || r.path === API_PREFIX + filter.path) &&
        (filter?.zone === undefined || r.query.zone === filter.zone),
    ).length;
  }

  /**
   * From now on, requests for `zone` (on every endpoint) misbehave as `m`: the next `m.times`
   * of them (default: all), then normal service resumes. `undefined` restores normal service.
   */
  misbehave(zone: string, m: Misbehaviour | undefined): void {
    if (m === undefined) {
      this.misbehaviours.delete(zone);
      return;
    }
    validateMisbehaviour(m);
    this.misbehaviours.set(zone, { m, remaining: m.times ?? Infinity });
  }

  /** Forgets recorded requests and misbehaviours (not `now`). */
  reset(): void {
    this.recorded.length = 0;
    this.misbehaviours.clear();
  }

  /** Stops the server, abandoning slow responses and destroying every open connection. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    for (const cancel of [...this.pendingDelays]) cancel();
    this.closing = new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    return this.closing;
  }

  // ---- request handling ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query: Record<string, string> = {};
    for (const [name, value] of new URLSearchParams(q === -1 ? '' : url.slice(q + 1))) {
      if (!(name in query)) query[name] = value;
    }
    const rec: RecordedRequest = {
      method: req.method ?? '',
      path,
      query,
      headers: { ...req.headers },
      at: Date.now(),
      status: 0,
      bodyBytes: 0,
      closedEarly: false,
    };
    this.recorded.push(rec);
    res.once('close', () => {
      if (!res.writableFinished && !this.cutOff.has(res)) rec.closedEarly = true;
    });
    // Drain any request body so keep-alive connections stay usable.
    req.resume();
    try {
      await this.route(req, res, rec);
    } catch (err) {
      if (!res.headersSent)
        this.sendJson(res, rec, { status: 500, body: { error: `fake internal error: ${String(err)}` } });
      else res.destroy();
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, rec: RecordedRequest): Promise<void> {
    if (!ENDPOINTS.has(rec.path)) return this.sendJson(res, rec, error(404, `Not found: ${rec.path}`));
    if (rec.method !== 'GET')
      return this.sendJson(res, rec, error(405, `Method ${rec.method} not allowed`), { allow: 'GET' });

    const token = req.headers['auth-token'];
    if (token === undefined) return this.sendJson(res, rec, error(401, 'No auth-token header provided'));
    if (token !== this.token) return this.sendJson(res, rec, error(401, 'Invalid auth-token'));

    const zone = rec.query.zone;
    if (zone === undefined || zone === '') return this.sendJson(res, rec, error(400, 'The zone parameter is required'));

    const m = this.takeMisbehaviour(zone);
    if (m?.kind === 'status') {
      const headers: Record<string, string> = {};
      if (m.retryAfterSeconds !== undefined) headers['retry-after'] = String(m.retryAfterSeconds);
      return this.sendJson(res, rec, error(m.status, STATUS_CODES[m.status] ?? `Status ${m.status}`), headers);
    }
    if (m?.kind === 'slow' && !(await this.delay(m.delayMs, res))) return;

    const result = this.compute(rec.path, zone, rec.query);
    switch (m?.kind) {
      case 'truncated': {
        if (gone(res)) return;
        const full = Buffer.from(JSON.stringify(result.body), 'utf8');
        const half = full.subarray(0, Math.floor(full.length / 2));
        rec.status = 200;
        // Announce the whole body, send half, then drop the connection: what a client sees when
        // the transfer is cut off mid-body.
        this.cutOff.add(res);
        res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': full.length });
        rec.bodyBytes = half.length;
        res.write(half, () => res.destroy());
        return;
      }
      case 'lie':
        return result.status === 200
          ? this.send(res, rec, 200, JSON_TYPE, lieAbout(result.body, m))
          : this.sendJson(res, rec, result);
      case 'padded': {
        const text = JSON.stringify(result.body);
        return this.send(
          res,
          rec,
          result.status,
          JSON_TYPE,
          text.padEnd(m.bytes - (Buffer.byteLength(text) - text.length), ' '),
        );
      }
      case 'endless':
        return this.sendEndless(res, rec, m.chunkBytes ?? DEFAULT_CHUNK_BYTES, m.intervalMs ?? 0);
      case 'malformed':
        return this.send(res, rec, 200, JSON_TYPE, `{"zone": ${JSON.stringify(zone)}, carbonIntensity: }`);
      case 'content-type':
        return this.send(res, rec, 200, m.contentType, HTML_BODY);
      default:
        return this.sendJson(res, rec, result);
    }
  }

  private compute(path: string, zone: string, query: Record<string, string>): Result {
    const rows = this.traces.get(zone);
    if (rows === undefined) return error(404, `Zone ${zone} not found`);
    if (this.unauthorizedZones.has(zone)) return error(401, `token unauthorized for zone ${zone}`);

    const eft = query.emissionFactorType ?? 'lifecycle';
    if (eft !== 'lifecycle' && eft !== 'direct')
      return error(400, `emissionFactorType must be lifecycle or direct, got ${JSON.stringify(eft)}`);
    const valued = (time: number): TraceRow | undefined => {
      const row = rows.get(time);
      return row !== undefined && row[eft] !== null ? row : undefined;
    };
    const current = floorHour(this.wallClock ? Date.now() : this.now);

    switch (path) {
      case `${API_PREFIX}/carbon-intensity/latest`: {
        const row = valued(current);
        if (row === undefined) return error(404, `No data for zone ${zone} at ${iso(current)}`);
        return { status: 200, body: intensity(zone, row, eft) };
      }
      case `${API_PREFIX}/carbon-intensity/forecast`: {
        const raw = query.horizonHours;
        let horizon = DEFAULT_HORIZON_HOURS;
        if (raw !== undefined) {
          horizon = /^\d+$/.test(raw) ? Number(raw) : NaN;
          if (!(horizon >= 1 && horizon <= MAX_HORIZON_HOURS))
            return error(
              400,
              `horizonHours must be an integer from 1 to ${MAX_HORIZON_HOURS}, got ${JSON.stringify(raw)}`,
            );
        }
        const forecast = [];
        for (let h = 1; h <= horizon; h++) {
          const row = valued(current + h * HOUR_MS);
          if (row !== undefined) forecast.push({ carbonIntensity: Math.round(row[eft]!), datetime: iso(row.time) });
        }
        if (forecast.length === 0) return error(404, `No forecast for zone ${zone} after ${iso(current)}`);
        return { status: 200, body: { zone, forecast, updatedAt: iso(current + UPDATED_AFTER_MS) } };
      }
      case `${API_PREFIX}/carbon-intensity/history`: {
        const history = [];
        for (let h = 23; h >= 0; h--) {
          const row = valued(current - h * HOUR_MS);
          if (row !== undefined) history.push(intensity(zone, row, eft));
        }
        if (history.length === 0) return error(404, `No history for zone ${zone} up to ${iso(current)}`);
        return { status: 200, body: { zone, history } };
      }
      case `${API_PREFIX}/carbon-intensity/past-range`: {
        if (query.start === undefined || query.end === undefined)
          return error(400, 'The start and end parameters are required');
        const start = parseIsoTime(query.start);
        const end = parseIsoTime(query.end);
        if (start === undefined)
          return error(400, `start is not a valid ISO 8601 datetime: ${JSON.stringify(query.start)}`);
        if (end === undefined) return error(400, `end is not a valid ISO 8601 datetime: ${JSON.stringify(query.end)}`);
        if (start >= end) return error(400, 'start must be before end');
        if (end - start > PAST_RANGE_LIMIT_MS)
          return error(400, 'The range between start and end must not exceed 10 days');
        const data = [];
        for (let t = Math.ceil(start / HOUR_MS) * HOUR_MS; t < end; t += HOUR_MS) {
          const row = valued(t);
          if (row !== undefined) data.push(intensity(zone, row, eft));
        }
        if (data.length === 0) return error(404, `No data for zone ${zone} from ${iso(start)} to ${iso(end)}`);
        return { status: 200, body: { zone, data } };
      }
      default:
        return error(404, `Not found: ${path}`);
    }
  }

  private takeMisbehaviour(zone: string): Misbehaviour | undefined {
    const entry = this.misbehaviours.get(zone);
    if (entry === undefined) return undefined;
    if (entry.remaining <= 0) {
      this.misbehaviours.delete(zone);
      return undefined;
    }
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.misbehaviours.delete(zone);
    return entry.m;
  }

  /**
   * Waits at least `ms` (re-arming if a timer fires early). Resolves false, early, if the client
   * goes away or the fake is closed: then no response must be written.
   */
  private delay(ms: number, res: ServerResponse): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (completed: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pendingDelays.delete(cancel);
        res.off('close', cancel);
        resolve(completed);
      };
      const cancel = (): void => finish(false);
      const arm = (): void => {
        const remaining = ms - (performance.now() - started);
        if (remaining <= 0) finish(true);
        else timer = setTimeout(arm, Math.ceil(remaining));
      };
      this.pendingDelays.add(cancel);
      res.on('close', cancel);
      arm();
    });
  }

  /** Writes an array that never closes, honouring backpressure, until the connection is gone. */
  private async sendEndless(
    res: ServerResponse,
    rec: RecordedRequest,
    chunkBytes: number,
    intervalMs: number,
  ): Promise<void> {
    if (gone(res)) return;
    rec.status = 200;
    res.writeHead(200, { 'content-type': JSON_TYPE });
    const chunk = Buffer.from('0,'.repeat(Math.ceil(chunkBytes / 2)).slice(0, chunkBytes));
    const write = (b: Buffer): Promise<boolean> =>
      new Promise((resolve) => {
        if (gone(res)) return resolve(false);
        rec.bodyBytes += b.length;
        if (res.write(b)) return resolve(true);
        const done = (ok: boolean) => () => {
          res.off('drain', drained);
          res.off('close', closed);
          resolve(ok);
        };
        const drained = done(true);
        const closed = done(false);
        res.once('drain', drained);
        res.once('close', closed);
      });
    if (!(await write(Buffer.from('{"data":[')))) return;
    while (await write(chunk)) {
      // Yield to the event loop even when the socket takes everything at once.
      if (intervalMs === 0) await new Promise((resolve) => setImmediate(resolve));
      else if (!(await this.delay(intervalMs, res))) return;
    }
  }

  private sendJson(
    res: ServerResponse,
    rec: RecordedRequest,
    result: Result,
    headers: Record<string, string> = {},
  ): void {
    this.send(res, rec, result.status, JSON_TYPE, JSON.stringify(result.body), headers);
  }

  private send(
    res: ServerResponse,
    rec: RecordedRequest,
    status: number,
    contentType: string,
    body: string,
    headers: Record<string, string> = {},
  ): void {
    if (res.headersSent || gone(res)) return;
    rec.status = status;
    res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    rec.bodyBytes = Buffer.byteLength(body);
    res.end(body);
  }
}

// ---- helpers ----

function gone(res: ServerResponse): boolean {
  return res.destroyed || res.socket === null || res.socket.destroyed;
}

function error(status: number, message: string): Result {
  return { status, body: { error: message } };
}

/** The JSON text of `body` with the lie told in every reading of it (see the header comment). */
function lieAbout(body: unknown, lie: Extract<Misbehaviour, { kind: 'lie' }>): string {
  const tell = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(tell);
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (key === 'zone' && lie.zone !== undefined) {
        if (lie.zone !== null) out[key] = lie.zone;
      } else if (key === 'datetime' && lie.datetime !== undefined) out[key] = lie.datetime;
      else if (key === 'carbonIntensity' && lie.carbonIntensity !== undefined) out[key] = RAW_INTENSITY;
      else out[key] = tell(v);
    }
    return out;
  };
  return JSON.stringify(tell(body)).replaceAll(`"${RAW_INTENSITY}"`, lie.carbonIntensity ?? '');
}

function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function intensity(zone: string, row: TraceRow, eft: EmissionFactorType) {
  return {
    zone,
    carbonIntensity: Math.round(row[eft]!),
    datetime: iso(row.time),
    updatedAt: iso(row.time + UPDATED_AFTER_MS),
    createdAt: iso(row.time),
    emissionFactorType: eft,
    isEstimated: row.isEstimated,
    estimationMethod: row.estimationMethod,
  };
}

/**
 * Strict ISO 8601: `YYYY-MM-DD`, optionally `THH:MM[:SS[.fff…]]` (a space is accepted for `T`),
 * optionally `Z` or `±HH[:]MM`. Without an offset the time is UTC, as the API reads it.
 */
function parseIsoTime(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(
    text.trim(),
  );
  if (m === null) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', offset] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const check = new Date(local);
  // Reject rollovers such as 2022-02-30 or 25:00.
  if (
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    check.getUTCHours() !== Number(h) ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return undefined;
  }
  if (offset === undefined || offset.toUpperCase() === 'Z') return local;
  const om = /^([+-])(\d{2}):?(\d{2})$/.exec(offset)!;
  const offsetMs = (Number(om[2]) * 60 + Number(om[3])) * 60_000 * (om[1] === '-' ? -1 : 1);
  return local - offsetMs;
}

// ---- CSV trace loader ----

const COLUMNS = {
  datetime: (h: string) => h === 'Datetime (UTC)',
  zoneId: (h: string) => h === 'Zone Id',
  direct: (h: string) => h.startsWith('Carbon Intensity') && h.endsWith('(direct)'),
  lifecycle: (h: string) => h.startsWith('Carbon Intensity') && h.endsWith('(LCA)'),
  estimated: (h: string) => h === 'Data Estimated',
  estimationMethod: (h: string) => h === 'Data Estimation Method',
} as const;

function loadTrace(file: string, text: string, into: Map<string, Map<number, TraceRow>>): void {
  const records = parseCsv(file, text.replace(/^\uFEFF/, ''));
  const header = records[0];
  if (header === undefined) throw new Error(`${file}: empty trace file`);
  const col = {} as Record<keyof typeof COLUMNS, number>;
  for (const [name, matches] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, (h: string) => boolean][]) {
    const index = header.findIndex((h) => matches(h.trim()));
    if (index === -1 && name !== 'estimationMethod' && name !== 'estimated')
      throw new Error(`${file}: no column for ${name} in header ${JSON.stringify(header)}`);
    col[name] = index;
  }
  for (let r = 1; r < records.length; r++) {
    const fields = records[r]!;
    const where = `${file}: record ${r + 1}`;
    const field = (index: number): string => (index === -1 ? '' : (fields[index] ?? '').trim());
    const time = parseTraceTime(field(col.datetime));
    if (time === undefined) throw new Error(`${where}: bad datetime ${JSON.stringify(field(col.datetime))}`);
    if (time % HOUR_MS !== 0) throw new Error(`${where}: datetime ${iso(time)} is not on the hour`);
    const zone = field(col.zoneId);
    if (zone === '') throw new Error(`${where}: empty Zone Id`);
    const estimated = field(col.estimated).toLowerCase();
    if (estimated !== '' && estimated !== 'true' && estimated !== 'false')
      throw new Error(`${where}: Data Estimated is ${JSON.stringify(estimated)}`);
    const row: TraceRow = {
      time,
      direct: parseNumber(field(col.direct), where),
      lifecycle: parseNumber(field(col.lifecycle), where),
      isEstimated: estimated === 'true',
      estimationMethod: field(col.estimationMethod) || null,
    };
    let zoneRows = into.get(zone);
    if (zoneRows === undefined) into.set(zone, (zoneRows = new Map<number, TraceRow>()));
    if (zoneRows.has(time)) throw new Error(`${where}: second row for zone ${zone} at ${iso(time)}`);
    zoneRows.set(time, row);
  }
}

function parseTraceTime(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\.0+)?Z?$/.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s = '0'] = m;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

function parseNumber(text: string, where: string): number | null {
  if (text === '') return null;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new Error(`${where}: not a number: ${JSON.stringify(text)}`);
  return n;
}

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF. */
function parseCsv(file: string, text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  const endRecord = (): void => {
    record.push(field);
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
    } else field += c;
  }
  if (quoted) throw new Error(`${file}: unterminated quoted field at end of file`);
  if (field !== '' || record.length > 0) endRecord();
  return records;
}

function validateMisbehaviour(m: Misbehaviour): void {
  if (m.times !== undefined && !(Number.isInteger(m.times) && m.times >= 0))
    throw new RangeError(`misbehave: times must be a non-negative integer, got ${m.times}`);
  switch (m.kind) {
    case 'status':
      if (!(Number.isInteger(m.status) && m.status >= 400 && m.status <= 599))
        throw new RangeError(`misbehave: status must be an integer from 400 to 599, got ${m.status}`);
      if (m.retryAfterSeconds !== undefined && !(Number.isInteger(m.retryAfterSeconds) && m.retryAfterSeconds >= 0)) {
        throw new RangeError(`misbehave: retryAfterSeconds must be a non-negative integer, got ${m.retryAfterSeconds}`);
      }
      break;
    case 'slow':
      if (!(Number.isFinite(m.delayMs) && m.delayMs >= 0))
        throw new RangeError(`misbehave: delayMs must be a non-negative number, got ${m.delayMs}`);
      break;
    case 'content-type':
      if (typeof m.contentType !== 'string' || m.contentType === '')
        throw new RangeError('misbehave: contentType must be a non-empty string');
      break;
    case 'lie':
      if (m.carbonIntensity !== undefined && !JSON_NUMBER.test(m.carbonIntensity))
        throw new RangeError(
          `misbehave: carbonIntensity must be JSON number text, got ${JSON.stringify(m.carbonIntensity)}`,
        );
      if (m.zone === undefined && m.datetime === undefined && m.carbonIntensity === undefined)
        throw new RangeError('misbehave: a lie must change zone, datetime or carbonIntensity');
      break;
    case 'padded':
      if (!(Number.isInteger(m.bytes) && m.bytes >= 0))
        throw new RangeError(`misbehave: bytes must be a non-negative integer, got ${m.bytes}`);
      break;
    case 'endless':
      if (m.chunkBytes !== undefined && !(Number.isInteger(m.chunkBytes) && m.chunkBytes >= 1))
        throw new RangeError(`misbehave: chunkBytes must be a positive integer, got ${m.chunkBytes}`);
      if (m.intervalMs !== undefined && !(Number.isFinite(m.intervalMs) && m.intervalMs >= 0))
        throw new RangeError(`misbehave: intervalMs must be a non-negative number, got ${m.intervalMs}`);
      break;
    case 'truncated':
    case 'malformed':
      break;
    default:
      throw new RangeError(`misbehave: unknown kind ${JSON.stringify((m as { kind: unknown }).kind)}`);
  }
}
