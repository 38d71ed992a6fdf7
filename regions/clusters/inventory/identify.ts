import { diagnostic, type Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import { objectSpan } from '../../../scheduler/diagnostics/object-span.js';
import type { ObjectRef } from '../../../scheduler/diagnostics/source-file.js';
import { clip } from '../../../scheduler/diagnostics/clip.js';
import { WORKLOAD_NAME } from '../../../scheduler/inventory/workload-name.js';
import { CLUSTER_CODES } from './codes.js';
import { isObject, objectAt, stringAt, type JsonObject } from './json.js';

/** An object with a namespace and name shisa can use as a workload name. */
export interface Identified {
  readonly object: JsonObject;
  /** `namespace/name` */
  readonly name: string;
  readonly ref: ObjectRef;
}

/**
 * Who item `index` of a list of `kind` is. An item that is not an object, or whose namespace
 * and name do not make a workload name, is reported (located by its place in the list, since
 * its name cannot be trusted) and skipped.
 */
export function identify(
  item: unknown,
  kind: string,
  index: number,
  cluster: string,
  out: Diagnostic[],
): Identified | undefined {
  const namespace = stringAt(item, 'metadata', 'namespace');
  const name = stringAt(item, 'metadata', 'name');
  const full = `${namespace}/${name}`;
  if (isObject(item) && namespace !== undefined && name !== undefined && WORKLOAD_NAME.test(full)) {
    return { object: item, name: full, ref: { cluster, namespace, kind, name } };
  }
  out.push(
    diagnostic({
      code: CLUSTER_CODES.badObject,
      message: `${kind} number ${index + 1} of the list has no valid namespace and name; it is ignored`,
      span: objectSpan({ cluster, kind, name: `#${index + 1}`, ...(name ? { field: 'metadata.name' } : {}) }),
      expected: 'metadata.namespace and metadata.name that are Kubernetes names (lowercase), e.g. payments/ledger',
      ...(name !== undefined ? { hint: `its name reads ${JSON.stringify(clip(name, 40))}` } : {}),
    }),
  );
  return undefined;
}

/** A DNS subdomain, as Kubernetes names Nodes. */
const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * A cluster-scoped object's name (Nodes), or undefined when it has none that Kubernetes would
 * accept: then it is named by its place in the list, so nothing unchecked reaches a report.
 */
export function nameOf(item: unknown): string | undefined {
  const name = stringAt(item, 'metadata', 'name');
  return name !== undefined && NODE_NAME.test(name) ? name : undefined;
}

export function labelsOf(item: JsonObject): JsonObject | undefined {
  return objectAt(item, 'metadata', 'labels');
}

export function annotationsOf(item: JsonObject): JsonObject | undefined {
  return objectAt(item, 'metadata', 'annotations');
}
