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

/** The header an Electricity Maps hourly export has, as the help of a header problem. */
const EXPECTED_HEADER =
  'the header of an Electricity Maps hourly export: Datetime (UTC),…,Zone Id,' +
  'Carbon Intensity gCO₂eq/kWh (direct),Carbon Intensity gCO₂eq/kWh (LCA),…,Data Estimated,Data Estimation Method';

type Report = (line: number, col: number, message: string, expected?: string) => void;
type ColumnIndex = Record<keyof typeof COLUMNS, number>;

/** The rows read so far, as growing parallel arrays. */
interface Rows {
  zone: string | undefined;
  readonly times: number[];
  readonly lifecycle: number[];
  readonly direct: number[];
  readonly estimated: number[];
  readonly methods: (string | undefined)[];
}

/**
 * Parses an hourly trace in Electricity Maps' export format (`Datetime (UTC)`, `Zone Id`,
 * `Carbon Intensity gCO₂eq/kWh (direct)`, `… (LCA)`, `Data Estimated`, `Data Estimation
 * Method`, …). Hours without an intensity are gaps, not errors; anything malformed is a
 * located diagnostic.
 */
export function parseTrace(source: SourceFile): { trace?: Trace; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lines = source.text.split(/\r\n|\n|\r/);
  const report: Report = (line, col, message, expected) => {
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
  const index = findColumns(lines[0] ?? '', report);
  if (diagnostics.length > 0) return { diagnostics };

  const rows: Rows = { zone: undefined, times: [], lifecycle: [], direct: [], estimated: [], methods: [] };
  for (let i = 1; i < lines.length; i++) {
    const text = lines[i] as string;
    if (text.trim() !== '') readRow(text, i + 1, index, rows, report);
  }
  const { zone, times } = rows;
  if (zone === undefined || times.length === 0) {
    report(1, 1, 'trace has no rows with a carbon intensity', 'at least one hourly row');
  }
  if (diagnostics.length > 0 || zone === undefined) return { diagnostics };
  return {
    trace: {
      zone,
      file: source.name,
      times: Float64Array.from(times),
      lifecycle: Float64Array.from(rows.lifecycle),
      direct: Float64Array.from(rows.direct),
      estimated: Uint8Array.from(rows.estimated),
      methods: rows.methods,
    },
    diagnostics,
  };
}

/** Where each column is in the header; every column but the estimation method must be there. */
function findColumns(headerLine: string, report: Report): ColumnIndex {
  const header = splitCsv(headerLine).map((h) => h.trim().toLowerCase());
  const index = {} as ColumnIndex;
  for (const [name, match] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, (h: string) => boolean][]) {
    index[name] = header.findIndex(match);
    if (index[name] < 0 && name !== 'method') report(1, 1, `trace header has no ${name} column`, EXPECTED_HEADER);
  }
  return index;
}

/** Adds one data row to `rows`, or reports why it cannot be read; a row without an intensity is a gap. */
function readRow(text: string, line: number, index: ColumnIndex, rows: Rows, report: Report): void {
  const cells = splitCsv(text);
  const cell = (k: keyof typeof COLUMNS): string => (index[k] >= 0 ? (cells[index[k]] ?? '').trim() : '');
  const t = parseUtc(cell('datetime'));
  if (Number.isNaN(t)) {
    report(line, 1, `"${cell('datetime')}" is not a UTC time`, 'YYYY-MM-DD HH:MM:SS (UTC) or ISO 8601');
    return;
  }
  const z = cell('zone');
  if (rows.zone === undefined) rows.zone = z;
  else if (z !== rows.zone) {
    report(line, 1, `row is for zone "${z}" but the trace is for "${rows.zone}"`, 'one zone per trace file');
    return;
  }
  const prev = rows.times[rows.times.length - 1];
  if (prev !== undefined && t <= prev) {
    report(
      line,
      1,
      `hour ${new Date(t).toISOString()} is not after the previous row`,
      'rows in increasing time order, one per hour',
    );
    return;
  }
  const lca = cell('lifecycle');
  const dir = cell('direct');
  if (lca === '' && dir === '') return; // a gap in the record
  const lcaValue = Number(lca === '' ? NaN : lca);
  const dirValue = Number(dir === '' ? NaN : dir);
  if ((lca !== '' && !(lcaValue >= 0)) || (dir !== '' && !(dirValue >= 0))) {
    report(line, 1, 'carbon intensity is not a non-negative number', 'gCO2eq/kWh, e.g. 175.54');
    return;
  }
  rows.times.push(t);
  rows.lifecycle.push(lcaValue);
  rows.direct.push(dirValue);
  rows.estimated.push(cell('estimated').toLowerCase() === 'true' ? 1 : 0);
  rows.methods.push(cell('method') || undefined);
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
