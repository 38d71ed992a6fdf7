import { resolve } from 'node:path';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { readSource } from '../diagnostics/read-source.js';
import { loadIntentSource } from '../intent/index.js';
import { LIMITS, loadWorkspace } from '../workspace/load-workspace.js';
import { formatSummary, summarise } from '../workspace/summary.js';
import { displayPath } from '../diagnostics/display-path.js';
import { EXIT, type CliIo } from './io.js';
import { diagnosticsJson, printDiagnostics } from './report.js';

export interface ValidateOptions {
  readonly json: boolean;
}

/**
 * `shisa validate FILE...`: a fleet file (with everything it names) or single intent files.
 * Exit 0 when every file is valid (warnings allowed), 2 otherwise.
 */
export async function validateCommand(files: readonly string[], options: ValidateOptions, io: CliIo): Promise<number> {
  const diagnostics: Diagnostic[] = [];
  const results: Record<string, unknown>[] = [];
  const texts: string[] = [];
  for (const file of files) {
    if (file.endsWith('.intent')) {
      const read = await readSource(
        resolve(io.cwd, file),
        displayPath(io.cwd, file),
        LIMITS.intentBytes,
        'intent file',
      );
      if (!read.ok) {
        diagnostics.push(read.diagnostic);
        continue;
      }
      const loaded = loadIntentSource(read.source);
      diagnostics.push(...loaded.diagnostics);
      if (!hasErrors(loaded.diagnostics)) {
        const names = loaded.intents.map((i) => i.name);
        results.push({ file, kind: 'intent', intents: names });
        texts.push(
          `${read.source.name}: valid, ${names.length} intent${names.length === 1 ? '' : 's'} (${names.join(', ')}); ` +
            'region and channel names are checked when a fleet file is validated',
        );
      }
    } else {
      const loaded = await loadWorkspace(file, { cwd: io.cwd });
      diagnostics.push(...loaded.diagnostics);
      if (loaded.workspace) {
        const summary = summarise(loaded.workspace);
        results.push({ file, kind: 'fleet', summary });
        texts.push(formatSummary(summary));
      }
    }
  }
  const ok = !hasErrors(diagnostics);
  if (options.json) {
    io.stdout(
      JSON.stringify({ ok, files: ok ? results : [], diagnostics: diagnosticsJson(diagnostics) }, null, 2) + '\n',
    );
  } else {
    printDiagnostics(io, diagnostics);
    if (ok) io.stdout(texts.join('\n') + '\n');
  }
  return ok ? EXIT.ok : EXIT.invalidInput;
}
