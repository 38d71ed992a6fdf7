import { redactSecrets } from './redact.js';
import type { ObjectRef, SourceFile, Span } from './source-file.js';

export type Severity = 'error' | 'warning';

/** A second location that helps explain a diagnostic (e.g. the first definition of a duplicate). */
export interface RelatedLocation {
  readonly message: string;
  readonly span: Span;
}

/**
 * One finding about a user's file. Diagnostics are values: loaders collect all of them
 * and the caller decides what to do, so one bad file never hides the errors of another.
 */
export interface Diagnostic {
  /** Stable, documented identifier, e.g. `intent/unknown-key`; scripts may match on it. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  /** What would have been accepted here. */
  readonly expected?: string;
  /** A concrete fix, typically a "did you mean" suggestion. */
  readonly hint?: string;
  readonly related?: readonly RelatedLocation[];
  /** The source the span points into, for quoting an excerpt; not serialised. */
  readonly source?: SourceFile;
}

export interface DiagnosticInit {
  code: string;
  message: string;
  span: Span;
  severity?: Severity;
  expected?: string;
  hint?: string;
  related?: readonly RelatedLocation[];
  source?: SourceFile;
}

/**
 * Makes a diagnostic. Its words are redacted here, once for every way it is shown (text,
 * JSON): a token or webhook URL pasted where a name belongs is quoted back masked.
 */
export function diagnostic(init: DiagnosticInit): Diagnostic {
  const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
    code: init.code,
    severity: init.severity ?? 'error',
    message: redactSecrets(init.message),
    span: init.span,
  };
  if (init.expected !== undefined) d.expected = redactSecrets(init.expected);
  if (init.hint !== undefined) d.hint = redactSecrets(init.hint);
  if (init.related !== undefined && init.related.length > 0)
    d.related = init.related.map((r) => ({ ...r, message: redactSecrets(r.message) }));
  if (init.source !== undefined) d.source = init.source;
  return Object.freeze(d);
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Orders diagnostics by file, then position, then code, so output is deterministic. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compare(a.span.file, b.span.file) ||
      a.span.start - b.span.start ||
      compareObjects(a.span.object, b.span.object) ||
      compare(a.code, b.code) ||
      compare(a.message, b.message),
  );
}

/** Cluster objects (all at offset 0 of their cluster) by namespace, kind, name, then field. */
function compareObjects(a: ObjectRef | undefined, b: ObjectRef | undefined): number {
  if (a === undefined || b === undefined) return (a === undefined ? 0 : 1) - (b === undefined ? 0 : 1);
  return (
    compare(a.namespace ?? '', b.namespace ?? '') ||
    compare(a.kind, b.kind) ||
    compare(a.name, b.name) ||
    compare(a.field ?? '', b.field ?? '')
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Keeps at most `limit` errors per file (warnings are kept), adding one note per file that
 * was cut short: past that point the rest is noise, and a runaway file (every workload of a
 * 50,000-line inventory naming the same wrong region) must not flood the terminal.
 */
export function capErrorsPerFile(diagnostics: readonly Diagnostic[], limit: number): Diagnostic[] {
  const count = new Map<string, number>();
  const out: Diagnostic[] = [];
  const cut = new Map<string, Diagnostic>();
  const marked = new Set<string>();
  for (const d of diagnostics) {
    // A parser that already stopped early has said so; keep its note and don't add another.
    if (d.code.endsWith('/too-many-errors')) {
      marked.add(d.span.file);
      out.push(d);
      continue;
    }
    if (d.severity === 'error') {
      const n = (count.get(d.span.file) ?? 0) + 1;
      count.set(d.span.file, n);
      if (n > limit) {
        if (!cut.has(d.span.file)) cut.set(d.span.file, d);
        continue;
      }
    }
    out.push(d);
  }
  for (const [file, first] of cut) {
    if (marked.has(file)) continue;
    out.push(
      diagnostic({
        code: 'file/too-many-errors',
        message: `too many errors in ${file} (${count.get(file)}); only the first ${limit} are shown`,
        span: first.span,
        ...(first.source ? { source: first.source } : {}),
      }),
    );
  }
  return sortDiagnostics(out);
}

/** The JSON form of a diagnostic, as printed by `--json`. */
export function diagnosticToJson(d: Diagnostic): Record<string, unknown> {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...locationJson(d.span),
    ...(d.expected !== undefined ? { expected: d.expected } : {}),
    ...(d.hint !== undefined ? { hint: d.hint } : {}),
    ...(d.related !== undefined
      ? {
          related: d.related.map((r) => ({ message: r.message, ...locationJson(r.span) })),
        }
      : {}),
  };
}

/** `file`, `line`, `col`, and for a cluster object the object itself (cluster, namespace, kind, name, field). */
function locationJson(span: Span): Record<string, unknown> {
  return {
    file: span.file,
    line: span.line,
    col: span.col,
    ...(span.object !== undefined ? { object: { ...span.object } } : {}),
  };
}
