import type { Located } from '../../../scheduler/diagnostics/source-file.js';
import { fieldSpan } from '../../../scheduler/diagnostics/object-span.js';
import { INTENT_NAME } from '../../../scheduler/intent/checker.js';
import { WORKLOAD_NAME } from '../../../scheduler/inventory/workload-name.js';
import { CLUSTER_CODES } from './codes.js';
import { ownKey, type JsonObject } from './json.js';
import type { ObjectProblems } from './object-problems.js';
import { quote } from './quote.js';

export const INTENT_LABEL = 'shisa.io/intent';
export const DEPENDS_ON_ANNOTATION = 'shisa.io/depends-on';

/**
 * Bounds on `shisa.io/depends-on`, far above any real list (Kubernetes allows 256 KiB of
 * annotations in all): a longer value is refused whole, unread, rather than split into
 * thousands of findings.
 */
export const MAX_DEPENDS_ON_LENGTH = 64 * 1024;
export const MAX_DEPENDENCIES = 1000;

const INTENT_FIELD = `metadata.labels["${INTENT_LABEL}"]`;
const DEPENDS_ON_FIELD = `metadata.annotations["${DEPENDS_ON_ANNOTATION}"]`;

/** The intent the label `shisa.io/intent` names, if it is set and a valid intent name. */
export function intentLabel(labels: JsonObject | undefined, problems: ObjectProblems): string | undefined {
  const raw = ownKey(labels, INTENT_LABEL);
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && INTENT_NAME.test(raw)) return raw;
  problems.error(
    CLUSTER_CODES.badIntentLabel,
    `label ${INTENT_LABEL} is ${quote(raw)}, not an intent name`,
    INTENT_FIELD,
    {
      expected:
        'the name of an intent: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, ' +
        'at most 63 characters',
    },
  );
  return undefined;
}

/**
 * The workloads `shisa.io/depends-on` names: comma-separated `namespace/name`, spaces around
 * items ignored, each item checked as the inventory file checks `depends_on`. Empty and
 * repeated items are warnings and dropped; a bad name or the workload itself is an error.
 */
export function dependsOnAnnotation(
  annotations: JsonObject | undefined,
  self: string,
  problems: ObjectProblems,
): Located<string>[] {
  const raw = ownKey(annotations, DEPENDS_ON_ANNOTATION);
  if (raw === undefined) return [];
  const items = splitItems(raw, problems);
  const span = fieldSpan(problems.ref, DEPENDS_ON_FIELD);
  const seen = new Set<string>();
  const out: Located<string>[] = [];
  items.forEach((item, i) => {
    if (checkItem(item, i, self, seen, problems)) out.push({ value: item, span });
    seen.add(item);
  });
  return out;
}

/** The items of the annotation, or none when it is not a string or is too large to be meant. */
function splitItems(raw: unknown, problems: ObjectProblems): string[] {
  if (typeof raw !== 'string') {
    problems.error(
      CLUSTER_CODES.badField,
      `annotation ${DEPENDS_ON_ANNOTATION} is ${quote(raw)}, not a string`,
      DEPENDS_ON_FIELD,
    );
    return [];
  }
  if (raw.trim() === '') return [];
  if (raw.length > MAX_DEPENDS_ON_LENGTH) {
    tooLarge(problems, `is ${raw.length} characters long`, `at most ${MAX_DEPENDS_ON_LENGTH} characters`);
    return [];
  }
  const items = raw.split(',').map((s) => s.trim());
  if (items.length > MAX_DEPENDENCIES) {
    tooLarge(problems, `has ${items.length} items`, `at most ${MAX_DEPENDENCIES} items`);
    return [];
  }
  return items;
}

function tooLarge(problems: ObjectProblems, what: string, expected: string): void {
  problems.error(
    CLUSTER_CODES.annotationTooLarge,
    `annotation ${DEPENDS_ON_ANNOTATION} ${what}; none of it was read`,
    DEPENDS_ON_FIELD,
    { expected },
  );
}

/** Whether item `i` names a dependency to keep; reports it if not. */
function checkItem(item: string, i: number, self: string, seen: Set<string>, problems: ObjectProblems): boolean {
  const which = `item ${i + 1} of annotation ${DEPENDS_ON_ANNOTATION}`;
  if (item === '') {
    problems.warning(CLUSTER_CODES.emptyDependency, `${which} is empty; it is ignored`, DEPENDS_ON_FIELD);
    return false;
  }
  if (!WORKLOAD_NAME.test(item)) {
    const lower = item.toLowerCase();
    problems.error(CLUSTER_CODES.badDependency, `${which}, ${quote(item)}, is not namespace/name`, DEPENDS_ON_FIELD, {
      expected: 'namespace/name of a workload in lowercase (Kubernetes names), e.g. "payments/ledger-db"',
      ...(WORKLOAD_NAME.test(lower) ? { hint: `did you mean ${quote(lower)}?` } : {}),
    });
    return false;
  }
  if (item === self) {
    problems.error(CLUSTER_CODES.selfDependency, `${which} names the workload itself`, DEPENDS_ON_FIELD);
    return false;
  }
  if (seen.has(item)) {
    problems.warning(
      CLUSTER_CODES.duplicateDependency,
      `${which}, ${quote(item)}, is listed before; it counts once`,
      DEPENDS_ON_FIELD,
    );
    return false;
  }
  return true;
}
