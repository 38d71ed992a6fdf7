import { diagnosticToJson, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { renderDiagnostic } from '../diagnostics/render.js';
import type { CliIo } from './io.js';
import { plural } from '../words.js';

/** Prints diagnostics to stderr, sorted, with a closing count line. */
export function printDiagnostics(io: CliIo, diagnostics: readonly Diagnostic[]): void {
  const sorted = sortDiagnostics(diagnostics);
  for (const d of sorted) io.stderr(renderDiagnostic(d) + '\n\n');
  const errors = sorted.filter((d) => d.severity === 'error');
  const warnings = sorted.length - errors.length;
  if (errors.length > 0) {
    const files = new Set(errors.map((d) => d.span.file)).size;
    const w = warnings ? ` and ${plural(warnings, 'warning')}` : '';
    io.stderr(`shisa: ${plural(errors.length, 'error')}${w} in ${plural(files, 'file')}; nothing was loaded\n`);
  } else if (warnings > 0) {
    io.stderr(`shisa: ${plural(warnings, 'warning')}\n`);
  }
}

export function diagnosticsJson(diagnostics: readonly Diagnostic[]): Record<string, unknown>[] {
  return sortDiagnostics(diagnostics).map(diagnosticToJson);
}

export { plural } from '../words.js';
