import type { Diagnostic } from './diagnostic.js';
import { printable } from './printable.js';
import { redactSecrets } from './redact.js';
import type { SourceFile } from './source-file.js';
import { spanLabel } from './span-label.js';

const MAX_EXCERPT = 120;

/**
 * Renders a diagnostic the way compilers do:
 *
 *   fleet.yaml:12:5: error[fleet/unknown-key]: unknown key "capactiy" in region
 *      12 |     capactiy: { cpu: 64 }
 *         |     ^^^^^^^^
 *      = expected: one of name, zone, country, compliance, cluster, capacity, labels
 *      = help: did you mean "capacity"?
 */
export function renderDiagnostic(d: Diagnostic): string {
  const head = `${spanLabel(d.span)}: ${d.severity}[${d.code}]: ${d.message}`;
  const lines = [head];
  if (d.source) lines.push(...excerpt(d.source, d.span.line, d.span.col, d.span.end - d.span.start));
  const pad = d.source ? gutterWidth(d.span.line) : 1;
  if (d.expected !== undefined) lines.push(`${' '.repeat(pad)} = expected: ${d.expected}`);
  if (d.hint !== undefined) lines.push(`${' '.repeat(pad)} = help: ${d.hint}`);
  for (const r of d.related ?? []) {
    lines.push(`${' '.repeat(pad)} = note: ${r.message} at ${spanLabel(r.span)}`);
  }
  return lines.join('\n');
}

function gutterWidth(line: number): number {
  return String(line).length + 1;
}

function excerpt(source: SourceFile, line: number, col: number, length: number): string[] {
  const raw = source.lineText(line);
  // Quote a window of the line around the caret so a 5 MB single-line file stays readable.
  const start = Math.max(0, Math.min(col - 1 - 40, raw.length - MAX_EXCERPT));
  const shown = redactSecrets(printable(raw.slice(start, start + MAX_EXCERPT)));
  const prefix = start > 0 ? '…' : '';
  const suffix = start + MAX_EXCERPT < raw.length ? '…' : '';
  const caretCol = col - 1 - start + prefix.length;
  const width = Math.max(1, Math.min(length, shown.length - (col - 1 - start)));
  const g = gutterWidth(line);
  return [
    `${String(line).padStart(g)} | ${prefix}${shown}${suffix}`,
    `${' '.repeat(g)} | ${' '.repeat(Math.max(0, caretCol))}${'^'.repeat(width)}`,
  ];
}
