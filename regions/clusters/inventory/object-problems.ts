import { diagnostic, type Diagnostic, type DiagnosticInit } from '../../../scheduler/diagnostics/diagnostic.js';
import { fieldSpan, objectSpan } from '../../../scheduler/diagnostics/object-span.js';
import type { ObjectRef } from '../../../scheduler/diagnostics/source-file.js';
import { CLUSTER_CODES } from './codes.js';

/** Past this many findings about one object the rest is noise (a list of 10,000 bad items). */
export const MAX_PROBLEMS_PER_OBJECT = 10;

type Extra = Pick<DiagnosticInit, 'expected' | 'hint' | 'related'>;

/**
 * The findings about one cluster object, located at it and the field concerned. Keeps at
 * most MAX_PROBLEMS_PER_OBJECT and says how many more there were, and remembers whether
 * any was an error: an object shisa could not read in full is never moved.
 */
export class ObjectProblems {
  private shown = 0;
  private hidden = 0;
  private errors = 0;

  constructor(
    readonly ref: ObjectRef,
    private readonly out: Diagnostic[],
  ) {}

  get hasErrors(): boolean {
    return this.errors > 0;
  }

  error(code: string, message: string, field?: string, extra: Extra = {}): void {
    this.errors++;
    this.push(code, 'error', message, field, extra);
  }

  warning(code: string, message: string, field?: string, extra: Extra = {}): void {
    this.push(code, 'warning', message, field, extra);
  }

  /** Adds the note for what was left out, if anything; call once, after the object is read. */
  finish(): void {
    if (this.hidden === 0) return;
    const more = this.hidden;
    this.hidden = 0;
    this.out.push(
      diagnostic({
        code: CLUSTER_CODES.tooManyProblems,
        severity: this.errors > 0 ? 'error' : 'warning',
        message: `${more} more problem${more === 1 ? '' : 's'} in this object not shown`,
        span: objectSpan(this.ref),
      }),
    );
  }

  private push(code: string, severity: 'error' | 'warning', message: string, field: string | undefined, extra: Extra) {
    if (this.shown >= MAX_PROBLEMS_PER_OBJECT) {
      this.hidden++;
      return;
    }
    this.shown++;
    const span = field === undefined ? objectSpan(this.ref) : fieldSpan(this.ref, field);
    this.out.push(diagnostic({ code, severity, message, span, ...extra }));
  }
}
