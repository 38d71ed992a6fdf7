import { diagnostic, type Diagnostic } from '../../scheduler/diagnostics/diagnostic.js';
import type { SourceFile } from '../../scheduler/diagnostics/source-file.js';

/** One zone's recorded hourly intensity, as parallel arrays sorted by time. */
export interface Trace {
  readonly zone: string;
  readonly file: string;
  /** Hour starts, epoch ms, strictly increasing. */
  readonly times: Float64Array;
  readonly lifecycle: Float64Array;
  readonly direct: Float64Array;
  readonly estimated: Uint8Array;
  readonly methods: readonly (string | undefined)[];
}

const MAX_ERRORS = 50;

/** Columns of Electricity Maps' CSV export, found by name so column order may vary. */
const COLUMNS = {
  datetime: (h: string) => h.startsWith('datetime'),
  zone: (h: string) => h === 'zone id',
  direct: (h: string) => h.startsWith('carbon intensity') && h.includes('direct'),
  lifecycle: (h: string) =>
    h.startsWith('carbon intensity') && (h.includes('lca') || h.includes('life cycle') || h.includes('lifecycle')),
  estimated: (h: string) => h === 'data estimated',
  method: (h: string) => h === 'data estimation method',
} as const;

/**
 * Parses an hourly trace in Electricity Maps' export format (`Datetime (UTC)`, `Zone Id`,
 * `Carbon Intensity gCO₂eq/kWh (direct)`, `… (LCA)`, `Data Estimated`, `Data Estimation
 * Method`, …). Hours without an intensity are gaps, not errors; anything malformed is a
 * located diagnostic.
 */
export function parseTrace(source: SourceFile): { trace?: Trace; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lines = source.text.split(/\r\n|\n|\r/);
  const report = (line: number, col: number, message: string, expected?: string): void => {
    if (diagnostics.length >= MAX_ERRORS) return;
    const start = source.lineStart(line) + col - 1;
    diagnostics.push(
      diagnostic({
        code: 'trace/invalid',
        message,
        span: source.span(start, start + 1),
        source,
        ...(expected ? { expected } : {}),
      }),
    );
  };
  const header = splitCsv(lines[0] ?? '').map((h) => h.trim().toLowerCase());
  const index = {} as Record<keyof typeof COLUMNS, number>;
  for (const [name, match] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, (h: string) => boolean][]) {
    index[name] = header.findIndex(match);
    if (index[name] < 0 && name !== 'method') {
      report(
        1,
        1,
        `trace header has no ${name} column`,
        'the header of an Electricity Maps hourly export: Datetime (UTC),…,Zone Id,Carbon Intensity gCO₂eq/kWh (direct),Carbon Intensity gCO₂eq/kWh (LCA),…,Data Estimated,Data Estimation Method',
      );
    }
  }
  if (diagnostics.length > 0) return { diagnostics };

  const times: number[] = [];
  const lifecycle: number[] = [];
  const direct: number[] = [];
  const estimated: number[] = [];
  const methods: (string | undefined)[] = [];
  let zone: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const text = lines[i] as string;
    if (text.trim() === '') continue;
    const line = i + 1;
    const cells = splitCsv(text);
    const cell = (k: keyof typeof COLUMNS): string => (index[k] >= 0 ? (cells[index[k]] ?? '').trim() : '');
    const t = parseUtc(cell('datetime'));
    if (Number.isNaN(t)) {
      report(line, 1, `"${cell('datetime')}" is not a UTC time`, 'YYYY-MM-DD HH:MM:SS (UTC) or ISO 8601');
      continue;
    }
    const z = cell('zone');
    if (zone === undefined) zone = z;
    else if (z !== zone) {
      report(line, 1, `row is for zone "${z}" but the trace is for "${zone}"`, 'one zone per trace file');
      continue;
    }
    const prev = times[times.length - 1];
    if (prev !== undefined && t <= prev) {
      report(
        line,
        1,
        `hour ${new Date(t).toISOString()} is not after the previous row`,
        'rows in increasing time order, one per hour',
      );
      continue;
    }
    const lca = cell('lifecycle');
    const dir = cell('direct');
    if (lca === '' && dir === '') continue; // a gap in the record
    const lcaValue = Number(lca === '' ? NaN : lca);
    const dirValue = Number(dir === '' ? NaN : dir);
    if ((lca !== '' && !(lcaValue >= 0)) || (dir !== '' && !(dirValue >= 0))) {
      report(line, 1, 'carbon intensity is not a non-negative number', 'gCO2eq/kWh, e.g. 175.54');
      continue;
    }
    times.push(t);
    lifecycle.push(lcaValue);
    direct.push(dirValue);
    estimated.push(cell('estimated').toLowerCase() === 'true' ? 1 : 0);
    methods.push(cell('method') || undefined);
  }
  if (zone === undefined || times.length === 0) {
    report(1, 1, 'trace has no rows with a carbon intensity', 'at least one hourly row');
  }
  if (diagnostics.length > 0 || zone === undefined) return { diagnostics };
  return {
    trace: {
      zone,
      file: source.name,
      times: Float64Array.from(times),
      lifecycle: Float64Array.from(lifecycle),
      direct: Float64Array.from(direct),
      estimated: Uint8Array.from(estimated),
      methods,
    },
    diagnostics,
  };
}

/** `2022-06-01 12:00:00` (UTC, as the export writes it) or any ISO 8601 time. */
export function parseUtc(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0));
  return /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(text) ? Date.parse(text) : NaN;
}

/** Splits one CSV line, honouring double-quoted fields with "" escapes. */
export function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
