import { diagnostic, type Diagnostic } from './diagnostic.js';
import type { SourceFile, Span } from './source-file.js';

export interface Named {
  readonly span: Span;
}

export interface DuplicateReport {
  /** Stable code, e.g. `fleet/duplicate-region`. */
  readonly code: string;
  /** `region "x" is defined twice` */
  readonly message: (name: string) => string;
  /** What the first one was: "defined", "listed", "declared". */
  readonly verb: string;
}

/**
 * Indexes items by name, keeping the first of each and reporting every later one with a
 * pointer to the first: the one rule for regions, workloads and intents alike.
 */
export function indexUnique<T extends Named>(
  items: readonly T[],
  nameOf: (item: T) => string,
  report: DuplicateReport,
  sourceOf: (file: string) => SourceFile | undefined,
): { byName: Map<string, T>; diagnostics: Diagnostic[] } {
  const byName = new Map<string, T>();
  const diagnostics: Diagnostic[] = [];
  for (const item of items) {
    const name = nameOf(item);
    const first = byName.get(name);
    if (first === undefined) {
      byName.set(name, item);
      continue;
    }
    const source = sourceOf(item.span.file);
    diagnostics.push(
      diagnostic({
        code: report.code,
        message: report.message(name),
        span: item.span,
        ...(source ? { source } : {}),
        related: [{ message: `first ${report.verb}`, span: first.span }],
      }),
    );
  }
  return { byName, diagnostics };
}
