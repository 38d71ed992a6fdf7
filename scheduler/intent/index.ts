import { capErrorsPerFile, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
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
  return {
    intents: checked.intents,
    diagnostics: capErrorsPerFile(
      sortDiagnostics([...parsed.diagnostics, ...checked.diagnostics]),
      MAX_ERRORS_PER_FILE,
    ),
  };
}
