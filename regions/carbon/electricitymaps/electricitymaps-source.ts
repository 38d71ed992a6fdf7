import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { Secret } from '../../../scheduler/config/secret.js';
import { CarbonError, fail, ok, type CarbonErrorCode, type CarbonResult } from '../carbon-error.js';
import type { CarbonForecast, CarbonReading, EmissionFactor } from '../reading.js';
import type { CarbonSource } from '../source.js';
import { httpGetJson, type HttpOutcome, type RetryPolicy } from './http-get.js';
import { forecastSchema, historySchema, pastRangeSchema, readingSchema, type ReadingBody } from './responses.js';
import { SharedCache } from './shared-cache.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The API refuses past-range requests longer than this. */
const PAST_RANGE_MAX_MS = 10 * DAY;

export interface ElectricityMapsOptions {
  /** e.g. https://api.electricitymap.org/v3 (no trailing slash) */
  readonly baseUrl: string;
  /** Undefined when the environment variable is not set: every call then says so. */
  readonly token: Secret | undefined;
  /** Name of the variable the token comes from, for messages. */
  readonly tokenEnv: string;
  readonly emissionFactor: EmissionFactor;
  readonly cacheTtlMs: number;
  readonly policy: RetryPolicy;
  /** Wall clock, for the cache TTL only. */
  readonly now: () => number;
  readonly dispatcher?: Dispatcher;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

type Answer = CarbonResult<unknown>;

/**
 * Live carbon intensity from the Electricity Maps API v3 (`carbon-intensity/latest`,
 * `/forecast`, `/history`, `/past-range`). Answers are shared and cached per endpoint and
 * zone for the TTL; `upstreamCalls` counts every HTTP request sent, retries included.
 */
export class ElectricityMapsSource implements CarbonSource {
  readonly kind = 'electricitymaps' as const;
  private calls = 0;
  private readonly cache: SharedCache<Answer>;

  constructor(private readonly options: ElectricityMapsOptions) {
    // A token refused for a zone stays refused: remember that for the TTL too, so a
    // planner asking again does not spend quota on it.
    this.cache = new SharedCache<Answer>(
      options.cacheTtlMs,
      options.now,
      (a) => a.ok || a.error.code === 'CARBON_UNAUTHORIZED',
    );
  }

  /** HTTP requests sent to Electricity Maps so far, retries included. */
  get upstreamCalls(): number {
    return this.calls;
  }

  /** The API knows only "now": the run's time is not sent, it judges staleness afterwards. */
  async latest(zone: string): Promise<CarbonResult<CarbonReading>> {
    const answer = await this.get('latest', zone, {}, readingSchema);
    if (!answer.ok) return answer;
    const reading = this.reading(zone, answer.value);
    return reading
      ? ok(reading)
      : fail(new CarbonError('CARBON_NO_DATA', `Electricity Maps has no current intensity for zone ${zone}`, zone));
  }

  async forecast(zone: string, at: number, horizonMs: number): Promise<CarbonResult<CarbonForecast>> {
    const hours = Math.min(72, Math.max(1, Math.ceil(horizonMs / HOUR)));
    const answer = await this.get('forecast', zone, { horizonHours: String(hours) }, forecastSchema);
    if (!answer.ok) return answer;
    const points = answer.value.forecast
      .filter((p): p is { carbonIntensity: number; datetime: string } => p.carbonIntensity !== null)
      .map((p) => ({ datetime: Date.parse(p.datetime), intensity: p.carbonIntensity }))
      .filter((p) => p.datetime > at && p.datetime <= at + horizonMs);
    return ok({ zone: answer.value.zone ?? zone, points, source: this.kind, kind: 'forecast' });
  }

  async history(zone: string, from: number, to: number): Promise<CarbonResult<readonly CarbonReading[]>> {
    if (to <= from) return ok([]);
    const out: CarbonReading[] = [];
    // The last 24 hours come from /history; anything older from /past-range, in the
    // 10-day pieces the API accepts.
    const recent = this.options.now() - DAY;
    if (from >= recent) {
      const answer = await this.get('history', zone, {}, historySchema);
      if (!answer.ok) return answer;
      out.push(...this.readings(answer.value.zone ?? zone, answer.value.history));
    } else {
      for (let start = from; start < to; start += PAST_RANGE_MAX_MS) {
        const end = Math.min(to, start + PAST_RANGE_MAX_MS);
        const answer = await this.get(
          'past-range',
          zone,
          { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
          pastRangeSchema,
        );
        if (!answer.ok) return answer;
        out.push(...this.readings(answer.value.zone ?? zone, answer.value.data));
      }
    }
    return ok(out.filter((r) => r.datetime >= from && r.datetime < to).sort((a, b) => a.datetime - b.datetime));
  }

  /** One endpoint's answer for a zone, checked against `schema`, shared and cached. */
  private get<T>(
    endpoint: string,
    zone: string,
    params: Record<string, string>,
    schema: z.ZodType<T>,
  ): Promise<CarbonResult<T>> {
    const query = new URLSearchParams({ zone, emissionFactorType: this.options.emissionFactor, ...params });
    const url = `${this.options.baseUrl}/carbon-intensity/${endpoint}?${query.toString()}`;
    return this.cache.get(url, () => this.fetch(endpoint, zone, url, schema)) as Promise<CarbonResult<T>>;
  }

  private async fetch<T>(endpoint: string, zone: string, url: string, schema: z.ZodType<T>): Promise<Answer> {
    const token = this.options.token;
    if (!token) {
      return fail(
        new CarbonError(
          'CARBON_NO_TOKEN',
          `environment variable ${this.options.tokenEnv} is not set; Electricity Maps needs an API token`,
          zone,
        ),
      );
    }
    const outcome = await httpGetJson(url, token, this.options.policy, {
      ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
      random: this.options.random ?? Math.random,
      sleep: this.options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      onRequest: () => this.calls++,
    });
    if (outcome.kind !== 'json') return fail(toError(outcome, endpoint, zone, this.options.policy.timeoutMs));
    const parsed = schema.safeParse(outcome.body);
    return parsed.success ? ok(parsed.data) : fail(this.badShape(zone, endpoint));
  }

  private readings(zone: string, bodies: readonly ReadingBody[]): CarbonReading[] {
    return bodies.map((b) => this.reading(zone, b)).filter((r): r is CarbonReading => r !== undefined);
  }

  /**
   * A reading as the answer gives it, for the zone the answer names (`zone` when it names
   * none): whether it is the zone asked for, and believable, is the plausibility rule's call.
   */
  private reading(zone: string, b: ReadingBody): CarbonReading | undefined {
    if (b.carbonIntensity === null) return undefined;
    return {
      zone: b.zone ?? zone,
      intensity: b.carbonIntensity,
      datetime: Date.parse(b.datetime),
      isEstimated: b.isEstimated === true,
      ...(b.estimationMethod ? { estimationMethod: b.estimationMethod } : {}),
      emissionFactor:
        b.emissionFactorType === 'direct'
          ? 'direct'
          : b.emissionFactorType === 'lifecycle'
            ? 'lifecycle'
            : this.options.emissionFactor,
      source: this.kind,
      granularity: 'hour',
    };
  }

  private badShape(zone: string, endpoint: string): CarbonError {
    return new CarbonError(
      'CARBON_BAD_RESPONSE',
      `Electricity Maps answered ${endpoint} for zone ${zone} with JSON of an unexpected shape`,
      zone,
      200,
    );
  }
}

function toError(
  o: Exclude<HttpOutcome, { kind: 'json' }>,
  endpoint: string,
  zone: string,
  timeoutMs: number,
): CarbonError {
  const what = `Electricity Maps ${endpoint} for zone ${zone}`;
  switch (o.kind) {
    case 'timeout':
      return new CarbonError(
        'CARBON_TIMEOUT',
        `${what}: no answer within ${timeoutMs} ms (${o.attempts} attempt${o.attempts === 1 ? '' : 's'})`,
        zone,
      );
    case 'network':
      return new CarbonError(
        'CARBON_NETWORK',
        `${what}: network error ${o.detail} (${o.attempts} attempt${o.attempts === 1 ? '' : 's'})`,
        zone,
      );
    case 'bad-body':
      return new CarbonError('CARBON_BAD_RESPONSE', `${what}: ${o.detail}`, zone, o.status);
    case 'status': {
      const detail = o.detail ? `: ${o.detail}` : '';
      const code: CarbonErrorCode =
        o.status === 401 || o.status === 403
          ? 'CARBON_UNAUTHORIZED'
          : o.status === 404
            ? 'CARBON_NO_DATA'
            : o.status === 429
              ? 'CARBON_RATE_LIMITED'
              : o.status >= 500
                ? 'CARBON_UPSTREAM'
                : 'CARBON_BAD_REQUEST';
      const after =
        o.status === 429 || o.status >= 500 ? ` after ${o.attempts} attempt${o.attempts === 1 ? '' : 's'}` : '';
      const lead = code === 'CARBON_UNAUTHORIZED' ? `token unauthorized for zone ${zone} (${endpoint})` : `${what}`;
      return new CarbonError(code, `${lead}: HTTP ${o.status}${after}${detail}`, zone, o.status);
    }
  }
}
