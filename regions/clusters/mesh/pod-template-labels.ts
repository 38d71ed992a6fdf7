import type { Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import type { ObjectRef } from '../../../scheduler/diagnostics/source-file.js';
import { CLUSTER_CODES } from '../inventory/codes.js';
import { at, isObject } from '../inventory/json.js';
import type { WorkloadKind } from '../inventory/model.js';
import { ObjectProblems } from '../inventory/object-problems.js';
import { quote } from '../inventory/quote.js';
import { readLabels, type Labels } from './peer-authentication.js';

/** Where each kind keeps the labels its pods get, as a path and as kubectl writes it. */
const POD_LABELS: Readonly<Record<WorkloadKind, { readonly path: readonly string[]; readonly field: string }>> = {
  Deployment: { path: ['spec', 'template', 'metadata', 'labels'], field: 'spec.template.metadata.labels' },
  StatefulSet: { path: ['spec', 'template', 'metadata', 'labels'], field: 'spec.template.metadata.labels' },
  DaemonSet: { path: ['spec', 'template', 'metadata', 'labels'], field: 'spec.template.metadata.labels' },
  CronJob: {
    path: ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels'],
    field: 'spec.jobTemplate.spec.template.metadata.labels',
  },
  Pod: { path: ['metadata', 'labels'], field: 'metadata.labels' },
};

/**
 * The labels a workload's pods carry, read from its object as the API server lists it
 * (`kind` is passed in, since list items carry none): the pod template's labels, or a bare
 * pod's own. Absent labels are none (`{}`). Labels that are not a string map are reported at
 * `ref` and its field into `out` (`cluster/bad-field`), and the answer is undefined: which
 * workload-specific PeerAuthentication selects the pods is then unknown.
 *
 * Labels that controllers add to the pods they create (`pod-template-hash`,
 * `controller-revision-hash`, `job-name`, …) are not in the template, so a selector on them
 * is not seen here.
 */
export function podTemplateLabels(
  kind: WorkloadKind,
  object: unknown,
  ref: ObjectRef,
  out: Diagnostic[],
): Labels | undefined {
  const where = POD_LABELS[kind];
  const problems = new ObjectProblems(ref, out);
  const broken = brokenStep(object, where.path);
  const labels =
    broken === undefined ? readLabels(at(object, ...where.path), where.field, problems) : ('unknown' as const);
  if (broken !== undefined) {
    problems.error(CLUSTER_CODES.badField, `${broken.field} is ${quote(broken.value)}`, broken.field, {
      expected: 'an object',
    });
  }
  problems.finish();
  if (labels === 'unknown') return undefined;
  return labels ?? Object.freeze({});
}

/** The first step on the way to the labels that is present but not an object (`spec.template: "x"`). */
function brokenStep(object: unknown, path: readonly string[]): { field: string; value: unknown } | undefined {
  for (let i = 1; i < path.length; i++) {
    const value = at(object, ...path.slice(0, i));
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) return { field: path.slice(0, i).join('.'), value };
  }
  return undefined;
}
