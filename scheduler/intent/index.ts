import { diagnostic, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import { checkIntentFile } from './checker.js';
import type { Intent } from './model.js';
import { MAX_ERRORS_PER_FILE, parseIntentFile } from './parser.js';

export interface IntentFileResult {
  readonly intents: readonly Intent[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Parses and checks one intent file on its own (no fleet needed); diagnostics in file order. */
export function loadIntentSource(source: SourceFile): IntentFileResult {
  const parsed = parseIntentFile(source);
  const checked = checkIntentFile(source, parsed.ast);
  return { intents: checked.intents, diagnostics: capErrors(sortDiagnostics([...parsed.diagnostics, ...checked.diagnostics]), source) };
}

/** Past MAX_ERRORS_PER_FILE the rest is noise: keep the first ones and say so once. */
function capErrors(diagnostics: Diagnostic[], source: SourceFile): Diagnostic[] {
  const limitCode = 'intent/too-many-errors';
  const kept = diagnostics.filter((d) => d.code !== limitCode).slice(0, MAX_ERRORS_PER_FILE);
  if (kept.length === diagnostics.length) return diagnostics;
  const last = kept[kept.length - 1];
  return [
    ...kept,
    diagnostic({
      code: limitCode,
      message: `too many errors (more than ${MAX_ERRORS_PER_FILE}); the rest of this file was not checked`,
      span: last ? last.span : source.span(0),
      source,
    }),
  ];
}
