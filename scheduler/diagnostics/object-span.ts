import type { ObjectRef, Span } from './source-file.js';

/**
 * The span of an object read from a cluster (or of one of its fields): diagnostics about
 * cluster objects travel through the same sorting, capping, rendering and JSON as those
 * about files. `file` is `cluster <name>`, so capping per file caps per cluster and sorting
 * groups a cluster's findings; offsets, line and column are 0, since there is no text.
 */
export function objectSpan(ref: ObjectRef): Span {
  return { file: `cluster ${ref.cluster}`, start: 0, end: 0, line: 0, col: 0, object: ref };
}

/** The same object, another field of it. */
export function fieldSpan(ref: ObjectRef, field: string): Span {
  return objectSpan({ ...ref, field });
}
