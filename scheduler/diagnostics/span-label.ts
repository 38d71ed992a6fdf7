import { clip } from './clip.js';
import { printable } from './printable.js';
import { redactSecrets } from './redact.js';
import type { ObjectRef, Span } from './source-file.js';

/** Object names and fields come from a cluster, not from us: shown whole up to this length. */
const MAX_PART = 100;

/**
 * Where a span is, as people read it; the one place that writes a location.
 *
 *   fleet.yaml:12:5
 *   cluster gke-tokyo-01: namespace payments, Deployment ledger-writer, metadata.annotations["shisa.io/depends-on"]
 *   cluster gke-tokyo-01: Node pool-a-1, status.allocatable.cpu
 *
 * The parts of an object location are clipped, made printable and redacted like a message:
 * they were read from a cluster, which may hold anything.
 */
export function spanLabel(span: Span): string {
  if (span.object !== undefined) return objectLabel(span.object);
  return `${span.file}:${span.line}:${span.col}`;
}

function objectLabel(o: ObjectRef): string {
  const parts = [
    ...(o.namespace !== undefined ? [`namespace ${shown(o.namespace)}`] : []),
    `${shown(o.kind)} ${shown(o.name)}`,
    ...(o.field !== undefined ? [shown(o.field)] : []),
  ];
  return redactSecrets(`cluster ${shown(o.cluster)}: ${parts.join(', ')}`);
}

function shown(part: string): string {
  return printable(clip(part, MAX_PART));
}
