import { createCarbonSource } from '../../regions/carbon/create-source.js';
import type { CarbonSourceKind } from '../../regions/carbon/reading.js';
import { readSignals } from '../../regions/carbon/signals.js';
import { formatAge, type ZoneSignal } from '../../regions/carbon/staleness.js';
import { defaultCarbonSettings } from '../../regions/fleet/parse-fleet.js';
import type { CarbonSettings } from '../../regions/fleet/model.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import { loadFleet } from '../workspace/load-workspace.js';
import { EXIT, environmentOf, type CliIo } from './io.js';
import { printDiagnostics } from './report.js';

export interface CarbonOptions {
  readonly config?: string;
  readonly source?: CarbonSourceKind;
  /** Already parsed, epoch ms. */
  readonly at?: number;
  readonly json: boolean;
}

const ZONE = /^[A-Z]{2,3}(-[A-Z0-9]+)*$/;

/**
 * `shisa carbon [ZONE…]`: the latest intensity per zone, judged fresh, stale or missing at
 * the run's time. Per-zone problems are part of the answer (exit 0); bad input is exit 2.
 */
export async function carbonCommand(zonesArg: readonly string[], options: CarbonOptions, io: CliIo): Promise<number> {
  const bad = zonesArg.filter((z) => !ZONE.test(z));
  if (bad.length > 0) {
    const what = bad.length === 1 ? 'is not an Electricity Maps zone code' : 'are not Electricity Maps zone codes';
    const named = bad.map((z) => `"${z}"`).join(', ');
    io.stderr(`shisa carbon: ${named} ${what} (e.g. JP-TK, SE-SE1, US-CAL-CISO)\n`);
    return EXIT.invalidInput;
  }
  let settings: CarbonSettings = defaultCarbonSettings();
  let zones = [...zonesArg];
  let fleetSource: SourceFile | undefined;
  if (options.config) {
    const loaded = await loadFleet(options.config, { cwd: io.cwd });
    if (!loaded.fleet) {
      printDiagnostics(io, loaded.diagnostics);
      return EXIT.invalidInput;
    }
    settings = loaded.fleet.carbon;
    fleetSource = loaded.source;
    if (zones.length === 0) zones = [...new Set(loaded.fleet.regions.map((r) => r.zone))];
  } else if (zones.length === 0) {
    io.stderr('shisa carbon: name zones (e.g. shisa carbon JP-TK NP FR) or a fleet file with --config\n');
    return EXIT.invalidInput;
  }
  const now = io.now ?? Date.now;
  const kind = options.source ?? settings.source;
  const env = environmentOf(io);
  const created = await createCarbonSource(settings, kind, { env, now, ...(fleetSource ? { fleetSource } : {}) });
  if (!created.source) {
    printDiagnostics(io, created.diagnostics);
    return EXIT.invalidInput;
  }
  const at = options.at ?? now();
  const signals = await readSignals(created.source, zones, at, settings.maxStalenessMs);
  if (options.json) {
    const calls = created.source.upstreamCalls;
    io.stdout(
      JSON.stringify(
        {
          at: new Date(at).toISOString(),
          source: kind,
          max_staleness_s: settings.maxStalenessMs / 1000,
          ...(calls !== undefined ? { upstream_calls: calls } : {}),
          zones: signals.map(toJson),
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    io.stdout(table(signals, kind, settings, at) + '\n');
    const calls = created.source.upstreamCalls;
    if (calls !== undefined) io.stdout(`${calls} request${calls === 1 ? '' : 's'} to Electricity Maps\n`);
  }
  return EXIT.ok;
}

function toJson(s: ZoneSignal): Record<string, unknown> {
  const r = s.reading;
  return {
    zone: s.zone,
    status: s.status,
    ...(r
      ? {
          intensity: r.intensity,
          datetime: new Date(r.datetime).toISOString(),
          age_s: Math.round((s.ageMs ?? 0) / 1000),
          estimated: r.isEstimated,
          ...(r.estimationMethod ? { estimation_method: r.estimationMethod } : {}),
          emission_factor: r.emissionFactor,
          granularity: r.granularity,
          source: r.source,
          ...(r.fallback ? { fallback: r.fallback.reason } : {}),
        }
      : {}),
    ...(s.problem ? { problem: s.problem } : {}),
  };
}

function table(signals: readonly ZoneSignal[], kind: CarbonSourceKind, settings: CarbonSettings, at: number): string {
  const sourceLabel = (s: ZoneSignal): string => {
    const r = s.reading;
    if (!r) return kind;
    if (r.source === 'static') return `static ${settings.static.year} yearly avg`;
    if (r.fallback) return `${r.source} (last good)`;
    return r.source;
  };
  const rows = signals.map((s) => [
    s.zone,
    s.reading ? String(Math.round(s.reading.intensity * 10) / 10) : '-',
    s.reading ? isoMinute(s.reading.datetime) : '-',
    s.ageMs !== undefined ? formatAge(s.ageMs) : '-',
    s.reading ? (s.reading.isEstimated ? 'yes' : 'no') : '-',
    sourceLabel(s),
    s.status === 'fresh' ? 'fresh' : `${s.status}: ${s.problem?.message ?? ''}`,
  ]);
  const head = ['ZONE', 'gCO2eq/kWh', 'TIME (UTC)', 'AGE', 'ESTIMATED', 'SOURCE', 'STATUS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === 1 ? c.padStart(widths[i] ?? 0) : i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const fresh = signals.filter((s) => s.status === 'fresh').length;
  const footer =
    `${signals.length} zone${signals.length === 1 ? '' : 's'} at ${isoMinute(at)} UTC: ` +
    `${fresh} fresh, ${signals.length - fresh} stale or missing ` +
    `(stale after ${formatAge(settings.maxStalenessMs)}; ${settings.emissionFactor} emission factors)`;
  return [fmt(head), ...rows.map(fmt), '', footer].join('\n');
}

function isoMinute(t: number): string {
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ');
}
