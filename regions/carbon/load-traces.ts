import { join } from 'node:path';
import { diagnostic, type Diagnostic } from '../../scheduler/diagnostics/diagnostic.js';
import { readSource } from '../../scheduler/diagnostics/read-source.js';
import type { SourceFile } from '../../scheduler/diagnostics/source-file.js';
import { filesNamed } from '../fleet/files-named.js';
import type { FileRef } from '../fleet/model.js';
import { parseTrace, type Trace } from './trace.js';

const MAX_TRACE_BYTES = 64 * 1024 * 1024;

/**
 * Reads the replay traces a fleet names: CSV files, or folders of them (searched recursively). Two traces for the
 * same zone are an error (which one would be right?). All or nothing, with located errors.
 */
export async function loadTraces(
  refs: readonly FileRef[],
  fleetSource?: SourceFile,
): Promise<{ traces?: Trace[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const traces: Trace[] = [];
  const byZone = new Map<string, Trace>();
  for (const ref of refs) {
    const files = await filesNamed(
      ref,
      { extension: '.csv', what: 'replay trace path', expected: 'a CSV file or a folder of them', strictFile: false },
      fleetSource,
      diagnostics,
    );
    if (!files) continue;
    if (files.length === 0) {
      diagnostics.push(
        diagnostic({
          code: 'fleet/missing-file',
          message: `folder "${ref.display}" holds no *.csv traces`,
          span: ref.span,
          ...(fleetSource ? { source: fleetSource } : {}),
        }),
      );
    }
    for (const file of files) {
      const display = ref.path === file ? ref.display : join(ref.display, file.slice(ref.path.length + 1));
      const read = await readSource(file, display, MAX_TRACE_BYTES, 'trace file');
      if (!read.ok) {
        diagnostics.push(read.diagnostic);
        continue;
      }
      const parsed = parseTrace(read.source);
      diagnostics.push(...parsed.diagnostics);
      if (!parsed.trace) continue;
      const first = byZone.get(parsed.trace.zone);
      if (first) {
        diagnostics.push(
          diagnostic({
            code: 'trace/duplicate-zone',
            message: `zone ${parsed.trace.zone} has a trace in ${first.file} already`,
            span: read.source.span(0),
            source: read.source,
          }),
        );
        continue;
      }
      byZone.set(parsed.trace.zone, parsed.trace);
      traces.push(parsed.trace);
    }
  }
  return diagnostics.some((d) => d.severity === 'error') ? { diagnostics } : { traces, diagnostics };
}
