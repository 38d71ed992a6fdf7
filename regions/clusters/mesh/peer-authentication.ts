import type { Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import { objectSpan } from '../../../scheduler/diagnostics/object-span.js';
import type { Span } from '../../../scheduler/diagnostics/source-file.js';
import { CLUSTER_CODES } from '../inventory/codes.js';
import { identify } from '../inventory/identify.js';
import { at, isObject, type JsonObject } from '../inventory/json.js';
import { ObjectProblems } from '../inventory/object-problems.js';
import { quote } from '../inventory/quote.js';

/** Istio's `PeerAuthentication.MutualTLS.Mode`, as security.istio.io/v1 spells it. */
export const MTLS_MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] as const;
export type MtlsMode = (typeof MTLS_MODES)[number];

export const PEER_AUTHENTICATION_KIND = 'PeerAuthentication';

/** Label keys and values, as a selector or a pod template holds them. */
export type Labels = Readonly<Record<string, string>>;

/** A port of `spec.portLevelMtls` and the mode written for it. */
export interface PortMtls {
  readonly port: number;
  readonly mode: MtlsMode;
}

/** One PeerAuthentication read in full. */
export interface PeerAuthentication {
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  /** `metadata.creationTimestamp`, epoch ms: Istio lets the oldest of competing policies win. */
  readonly createdAt: number;
  /**
   * `spec.selector.matchLabels`; absent when there is no selector or it is empty, which
   * Istio reads as "every workload of the namespace" (or of the mesh, in the root namespace).
   */
  readonly selector?: Labels;
  /** `spec.mtls.mode`; `UNSET` when `spec.mtls` or its mode is not written (inherit from the parent). */
  readonly mode: MtlsMode;
  /** `spec.portLevelMtls`, by port; empty when absent. */
  readonly portLevel: readonly PortMtls[];
  readonly span: Span;
}

/**
 * A PeerAuthentication with a field shisa could not read: it may apply to a workload with a
 * mode nobody can tell, so any workload it may apply to cannot be checked. `namespace` is
 * absent when even that could not be read (it may then be anywhere); `selector` is
 * `'unknown'` when the selector itself is what could not be read.
 */
export interface UnreadablePeerAuthentication {
  readonly cluster: string;
  readonly namespace?: string;
  readonly name: string;
  readonly selector?: Labels | 'unknown';
  readonly span: Span;
}

/** All the PeerAuthentications of one cluster. */
export interface PeerAuthenticationReading {
  readonly cluster: string;
  /** Sorted by namespace, then name. */
  readonly policies: readonly PeerAuthentication[];
  readonly unreadable: readonly UnreadablePeerAuthentication[];
  readonly diagnostics: readonly Diagnostic[];
}

/** RFC 3339 as Kubernetes writes `metav1.Time` (seconds; a fraction and an offset are accepted). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const PORT = /^[1-9]\d{0,4}$/;
const MAX_PORT = 65535;

/**
 * Reads the PeerAuthentications one cluster lists (security.istio.io/v1, plain JSON as the
 * API server gives them, nothing trusted). Every field Istio's precedence depends on is
 * checked: metadata.namespace/name, metadata.creationTimestamp, spec.selector.matchLabels,
 * spec.mtls.mode and spec.portLevelMtls. A field of the wrong type or out of its domain is a
 * `cluster/bad-field` error at that object and field, and the object is unreadable; an item
 * without a valid namespace/name is `cluster/bad-object`. Same items in any order, same result.
 */
export function readPeerAuthentications(cluster: string, items: readonly unknown[]): PeerAuthenticationReading {
  const diagnostics: Diagnostic[] = [];
  const policies: PeerAuthentication[] = [];
  const unreadable: UnreadablePeerAuthentication[] = [];
  items.forEach((item, index) => {
    const id = identify(item, PEER_AUTHENTICATION_KIND, index, cluster, diagnostics);
    if (id === undefined) {
      unreadable.push({
        cluster,
        name: `#${index + 1}`,
        span: objectSpan({ cluster, kind: PEER_AUTHENTICATION_KIND, name: `#${index + 1}` }),
      });
      return;
    }
    const namespace = id.ref.namespace as string;
    const name = id.ref.name;
    const problems = new ObjectProblems(id.ref, diagnostics);
    const createdAt = readTimestamp(id.object, problems);
    const spec = readSpec(id.object, problems);
    problems.finish();
    const span = objectSpan(id.ref);
    if (problems.hasErrors || createdAt === undefined || spec === undefined) {
      const selector = spec?.selectorKnown === false ? 'unknown' : spec?.selector;
      unreadable.push({ cluster, namespace, name, ...(selector !== undefined ? { selector } : {}), span });
      return;
    }
    policies.push({
      cluster,
      namespace,
      name,
      createdAt,
      ...(spec.selector !== undefined ? { selector: spec.selector } : {}),
      mode: spec.mode,
      portLevel: spec.portLevel,
      span,
    });
  });
  const byRef = (a: { namespace?: string; name: string }, b: { namespace?: string; name: string }) =>
    compare(a.namespace ?? '', b.namespace ?? '') || compare(a.name, b.name);
  return {
    cluster,
    policies: policies.sort(byRef),
    unreadable: unreadable.sort(byRef),
    diagnostics,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function readTimestamp(object: JsonObject, problems: ObjectProblems): number | undefined {
  const field = 'metadata.creationTimestamp';
  const raw = at(object, 'metadata', 'creationTimestamp');
  const ms = typeof raw === 'string' && TIMESTAMP.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isFinite(ms)) return ms;
  problems.error(
    CLUSTER_CODES.badField,
    raw === undefined ? `${field} is missing` : `${field} is ${quote(raw)}`,
    field,
    {
      expected: 'an RFC 3339 time, as the API server sets it (e.g. 2026-01-05T09:30:00Z)',
      hint: 'Istio lets the oldest of competing PeerAuthentications win, so their age must be known',
    },
  );
  return undefined;
}

interface Spec {
  /** False when the selector could not be read. */
  readonly selectorKnown: boolean;
  readonly selector?: Labels;
  readonly mode: MtlsMode;
  readonly portLevel: readonly PortMtls[];
}

/** The spec, or undefined when spec itself is not an object; fields that cannot be read are reported. */
function readSpec(object: JsonObject, problems: ObjectProblems): Spec | undefined {
  const spec = at(object, 'spec');
  if (spec === undefined) return { selectorKnown: true, mode: 'UNSET', portLevel: [] };
  if (!isObject(spec)) {
    problems.error(CLUSTER_CODES.badField, `spec is ${quote(spec)}`, 'spec', { expected: 'an object' });
    return undefined;
  }
  const selector = readSelector(spec, problems);
  const mode = readMode(at(spec, 'mtls'), 'spec.mtls', problems) ?? 'UNSET';
  const portLevel = readPortLevel(at(spec, 'portLevelMtls'), problems);
  return {
    selectorKnown: selector !== 'unknown',
    ...(selector !== 'unknown' && selector !== undefined ? { selector } : {}),
    mode,
    portLevel,
  };
}

/** `spec.selector.matchLabels`: undefined when absent or empty, `'unknown'` when it cannot be read. */
function readSelector(spec: JsonObject, problems: ObjectProblems): Labels | undefined | 'unknown' {
  const selector = at(spec, 'selector');
  if (selector === undefined || selector === null) return undefined;
  if (!isObject(selector)) {
    problems.error(CLUSTER_CODES.badField, `spec.selector is ${quote(selector)}`, 'spec.selector', {
      expected: 'an object with matchLabels',
    });
    return 'unknown';
  }
  const labels = readLabels(at(selector, 'matchLabels'), 'spec.selector.matchLabels', problems);
  if (labels === 'unknown') return 'unknown';
  return labels === undefined || Object.keys(labels).length === 0 ? undefined : labels;
}

/**
 * A string-to-string map of labels (`field` as kubectl writes it): undefined when absent,
 * `'unknown'` when it is not such a map (each bad entry reported).
 */
export function readLabels(raw: unknown, field: string, problems: ObjectProblems): Labels | undefined | 'unknown' {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) {
    problems.error(CLUSTER_CODES.badField, `${field} is ${quote(raw)}`, field, {
      expected: 'a map of label keys to string values',
    });
    return 'unknown';
  }
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  let bad = false;
  for (const [key, value] of Object.entries(raw)) {
    const at = `${field}[${JSON.stringify(key)}]`;
    if (key === '') {
      problems.error(CLUSTER_CODES.badField, `${field} has an empty key`, field, { expected: 'label keys' });
      bad = true;
    } else if (typeof value !== 'string') {
      problems.error(CLUSTER_CODES.badField, `${at} is ${quote(value)}`, at, { expected: 'a string' });
      bad = true;
    } else {
      labels[key] = value;
    }
  }
  return bad ? 'unknown' : Object.freeze(labels);
}

/** `<field>.mode` of a MutualTLS object; undefined when the object or its mode is absent (UNSET). */
function readMode(mtls: unknown, field: string, problems: ObjectProblems): MtlsMode | undefined {
  if (mtls === undefined || mtls === null) return undefined;
  if (!isObject(mtls)) {
    problems.error(CLUSTER_CODES.badField, `${field} is ${quote(mtls)}`, field, { expected: 'an object with mode' });
    return undefined;
  }
  const mode = at(mtls, 'mode');
  if (mode === undefined || mode === null) return undefined;
  if (typeof mode === 'string' && (MTLS_MODES as readonly string[]).includes(mode)) return mode as MtlsMode;
  problems.error(CLUSTER_CODES.badField, `${field}.mode is ${quote(mode)}`, `${field}.mode`, {
    expected: MTLS_MODES.join(', '),
  });
  return undefined;
}

/** `spec.portLevelMtls`: port number → MutualTLS; sorted by port. */
function readPortLevel(raw: unknown, problems: ObjectProblems): PortMtls[] {
  const field = 'spec.portLevelMtls';
  if (raw === undefined || raw === null) return [];
  if (!isObject(raw)) {
    problems.error(CLUSTER_CODES.badField, `${field} is ${quote(raw)}`, field, {
      expected: 'a map of port numbers to { mode }',
    });
    return [];
  }
  const out: PortMtls[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const entry = `${field}[${JSON.stringify(key)}]`;
    const port = PORT.test(key) ? Number(key) : NaN;
    if (!(port >= 1 && port <= MAX_PORT)) {
      problems.error(CLUSTER_CODES.badField, `${field} has the key ${quote(key)}, not a port`, entry, {
        expected: `a port number from 1 to ${MAX_PORT}`,
      });
      continue;
    }
    out.push({ port, mode: readMode(value, entry, problems) ?? 'UNSET' });
  }
  return out.sort((a, b) => a.port - b.port);
}
