import { resolve } from 'node:path';
import { deepFreeze } from '../../scheduler/freeze.js';
import { diagnostic, hasErrors, sortDiagnostics, type Diagnostic } from '../../scheduler/diagnostics/diagnostic.js';
import { indexUnique } from '../../scheduler/diagnostics/index-unique.js';
import type { SourceFile } from '../../scheduler/diagnostics/source-file.js';
import { closestMatch } from '../../scheduler/diagnostics/suggest.js';
import { parseLabelSelector } from '../clusters/label-selector.js';
import { firesWithinAMinute, onlyOnLeapDay, parseCron } from '../cron.js';
import { LatencyMatrix } from '../latency-matrix.js';
import type { CarbonSettings, FileRef, Fleet, NotifyChannel, Region } from './model.js';
import { validateYaml } from './schema-diagnostics.js';
import { carbonSchema, fleetSchema, type FleetParsed } from './schema.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';

export interface FleetParseResult {
  readonly fleet?: Fleet;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Turns the text of a fleet file into a Fleet: YAML, then the schema, then the checks the
 * schema cannot express (duplicate regions, latency entries naming unknown regions or
 * contradicting each other). Pure: paths are resolved against `dir`, not touched.
 */
export function parseFleet(source: SourceFile, dir: string, displayPath: (abs: string) => string): FleetParseResult {
  const result = parseFleetUnsorted(source, dir, displayPath);
  return { ...result, diagnostics: sortDiagnostics(result.diagnostics) };
}

function parseFleetUnsorted(source: SourceFile, dir: string, displayPath: (abs: string) => string): FleetParseResult {
  const parsed = parseYamlSource(source, 'fleet file', 'fleet');
  if (!parsed.yaml) return { diagnostics: parsed.diagnostics };
  const yaml = parsed.yaml;
  const validated = validateYaml(fleetSchema, yaml, 'fleet', 'fleet file');
  if (!validated.value) return { diagnostics: validated.diagnostics };
  const raw = validated.value;
  const diagnostics: Diagnostic[] = [];

  const all: Region[] = raw.regions.map((r, i) => ({
    name: r.name,
    zone: r.zone,
    country: r.country,
    compliance: r.compliance,
    cluster: r.cluster,
    clusterSpan: yaml.valueSpan(['regions', i, 'cluster']),
    capacity: { cpu: r.capacity.cpu, memoryGib: r.capacity.memory_gib },
    labels: r.labels,
    span: yaml.valueSpan(['regions', i, 'name']),
  }));
  const unique = indexUnique(
    all,
    (r) => r.name,
    { code: 'fleet/duplicate-region', message: (n) => `region "${n}" is defined twice`, verb: 'defined' },
    () => source,
  );
  diagnostics.push(...unique.diagnostics);
  const byName = unique.byName;
  const regions = [...byName.values()];

  const latency = buildLatency(raw, yaml, byName, diagnostics);
  const ref = (p: string, path: PropertyKey[]): FileRef => {
    const abs = resolve(dir, p);
    return { path: abs, display: displayPath(abs), span: yaml.valueSpan(path) };
  };
  const c = raw.carbon;
  const carbon = toCarbonSettings(c, (t, i) => ref(t, ['carbon', 'replay', 'traces', i]));
  if (c.source === 'replay' && !c.replay) {
    diagnostics.push(
      diagnostic({
        code: 'fleet/missing-key',
        message: 'carbon.source is "replay" but carbon.replay.traces is not given',
        span: yaml.valueSpan(['carbon', 'source']),
        source,
        expected: 'carbon.replay.traces: a list of hourly CSV files or folders',
      }),
    );
  }
  const notify = new Map<string, NotifyChannel>();
  for (const [name, ch] of Object.entries(raw.notify)) {
    notify.set(name, { name, webhookEnv: ch.webhook_env, events: ch.events, span: yaml.keySpan(['notify'], name) });
  }
  diagnostics.push(...scheduleWarnings(raw.policy.schedule, yaml));
  if (hasErrors(diagnostics)) return { diagnostics };

  const fleet: Fleet = {
    file: source.name,
    ...(raw.name !== undefined ? { name: raw.name } : {}),
    regions,
    regionsByName: byName,
    latency,
    carbon,
    power: { wattsPerCpu: raw.power.watts_per_cpu, wattsPerGib: raw.power.watts_per_gib, pue: raw.power.pue },
    policy: {
      schedule: raw.policy.schedule,
      migrationBudget: raw.policy.migration_budget,
      minSavingPercent: raw.policy.min_saving,
      cooldownMs: raw.policy.cooldown,
      migrationCostGPerH: raw.policy.migration_cost_g_per_h,
      readyTimeoutMs: raw.policy.ready_timeout,
      verifyWindowMs: raw.policy.verify_window,
      maxParallel: raw.policy.max_parallel,
      maxParallelPerCluster: raw.policy.max_parallel_per_cluster,
    },
    notify,
    intents: raw.intents.map((p, i) => ref(p, ['intents', i])),
    ...inventorySettings(raw.inventory, ref, yaml, diagnostics),
  };
  if (hasErrors(diagnostics)) return { diagnostics };
  return { fleet: deepFreeze(fleet), diagnostics };
}

/** `inventory:` as a file, or as the clusters (with its label selector checked where it is written). */
function inventorySettings(
  raw: FleetParsed['inventory'],
  ref: (p: string, path: (string | number)[]) => FileRef,
  yaml: YamlSource,
  diagnostics: Diagnostic[],
): Pick<Fleet, 'inventory' | 'clusterInventory'> {
  if (raw === undefined) return {};
  if (typeof raw === 'string') return { inventory: ref(raw, ['inventory']) };
  const span = yaml.valueSpan(['inventory', 'source']);
  if (raw.selector === undefined) return { clusterInventory: { namespaces: raw.namespaces, span } };
  const parsed = parseLabelSelector(raw.selector);
  if (!parsed.ok) {
    diagnostics.push(selectorDiagnostic(raw.selector, parsed, yaml));
    return {};
  }
  return {
    clusterInventory: { namespaces: raw.namespaces, selector: raw.selector, requirements: parsed.requirements, span },
  };
}

function selectorDiagnostic(
  selector: string,
  failed: { offset: number; message: string },
  yaml: YamlSource,
): Diagnostic {
  const at = yaml.valueSpan(['inventory', 'selector']);
  // Point into the value when it is written plainly on one line (so the column is exact).
  const quoted = yaml.source.text.slice(at.start, at.end);
  const inner = quoted === selector ? 0 : quoted.slice(1, -1) === selector ? 1 : undefined;
  const span =
    inner === undefined ? at : yaml.source.span(at.start + inner + failed.offset, at.start + inner + failed.offset + 1);
  return diagnostic({
    code: 'fleet/bad-selector',
    message: `inventory.selector is not a label selector Kubernetes accepts`,
    span,
    source: yaml.source,
    expected: failed.message,
  });
}

/**
 * A schedule that fires only on 29 February is valid (node-cron runs it in leap years) but
 * almost certainly not what was meant for rebalancing: say so, without refusing it.
 */
function scheduleWarnings(schedule: string, yaml: YamlSource): Diagnostic[] {
  const parsed = parseCron(schedule);
  if (!('fields' in parsed)) return [];
  const span = yaml.valueSpan(['policy', 'schedule']);
  const warnings: Diagnostic[] = [];
  if (firesWithinAMinute(parsed.fields))
    warnings.push(
      diagnostic({
        code: 'fleet/sub-minute-schedule',
        severity: 'warning',
        message: `policy.schedule "${schedule}" fires more than once a minute; ticks while a run goes are skipped`,
        span,
        source: yaml.source,
        expected: 'a schedule in minutes for a fleet; seconds are for demonstrations and tests',
      }),
    );
  if (!onlyOnLeapDay(parsed.fields)) return warnings;
  return [
    ...warnings,
    diagnostic({
      code: 'fleet/leap-day-schedule',
      severity: 'warning',
      message: `policy.schedule "${schedule}" fires only on 29 February, so only in leap years`,
      span,
      source: yaml.source,
      expected: 'a schedule that fires at least once a year',
    }),
  ];
}

/** The carbon section in working units; trace paths resolved by `ref`. */
function toCarbonSettings(c: FleetParsed['carbon'], ref: (path: string, index: number) => FileRef): CarbonSettings {
  return {
    source: c.source,
    maxStalenessMs: c.max_staleness,
    emissionFactor: c.emission_factor,
    static: { year: c.static.year },
    electricitymaps: {
      baseUrl: c.electricitymaps.base_url.replace(/\/+$/, ''),
      tokenEnv: c.electricitymaps.token_env,
      timeoutMs: c.electricitymaps.timeout,
      cacheTtlMs: c.electricitymaps.cache_ttl,
      retries: c.electricitymaps.retries,
    },
    ...(c.replay ? { replay: { traces: c.replay.traces.map(ref) } } : {}),
  };
}

/** The carbon settings of a fleet file that says nothing about carbon: the documented defaults. */
export function defaultCarbonSettings(): CarbonSettings {
  return deepFreeze(
    toCarbonSettings(carbonSchema.parse({}), () => {
      throw new Error('the default carbon settings name no traces');
    }),
  );
}

function buildLatency(
  raw: FleetParsed,
  yaml: YamlSource,
  regions: ReadonlyMap<string, Region>,
  diagnostics: Diagnostic[],
): LatencyMatrix {
  const seen = new Map<string, { ms: number; path: PropertyKey[] }>();
  const entries: [string, string, number][] = [];
  const unknown = (name: string, path: PropertyKey[], key: string): void => {
    const near = closestMatch(name, regions.keys());
    diagnostics.push(
      diagnostic({
        code: 'fleet/unknown-region',
        message: `latency_ms names unknown region "${name}"`,
        span: yaml.keySpan(path, key),
        source: yaml.source,
        expected: 'a region defined under regions',
        ...(near ? { hint: `did you mean "${near}"?` } : {}),
      }),
    );
  };
  for (const [from, row] of Object.entries(raw.latency_ms)) {
    if (!regions.has(from)) {
      unknown(from, ['latency_ms'], from);
      continue;
    }
    for (const [to, ms] of Object.entries(row)) {
      if (!regions.has(to)) {
        unknown(to, ['latency_ms', from], to);
        continue;
      }
      const pair = from < to ? `${from}\u0000${to}` : `${to}\u0000${from}`;
      const prior = seen.get(pair);
      const path = ['latency_ms', from, to];
      if (prior !== undefined) {
        if (prior.ms !== ms) {
          diagnostics.push(
            diagnostic({
              code: 'fleet/latency-conflict',
              message:
                `latency between "${from}" and "${to}" is given twice with different values ` +
                `(${prior.ms} ms and ${ms} ms)`,
              span: yaml.valueSpan(path),
              source: yaml.source,
              expected: 'each pair once (latency is symmetric), or the same value both ways',
              related: [{ message: 'first given', span: yaml.valueSpan(prior.path) }],
            }),
          );
        }
        continue;
      }
      seen.set(pair, { ms, path });
      entries.push([from, to, ms]);
    }
  }
  return new LatencyMatrix(entries);
}
