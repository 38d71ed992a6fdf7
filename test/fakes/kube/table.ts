// Server-side printing: the meta.k8s.io/v1 Table kubectl asks for (`Accept:
// application/json;as=Table;v=v1;g=meta.k8s.io`) and prints as columns. The columns per kind
// follow the real server's printers for the kinds shisa looks at; other kinds get NAME and AGE.
// Each row carries the object as `includeObject` asks: PartialObjectMetadata by default (kubectl
// reads namespaces and labels from it), the whole object for `Object`, nothing for `None`.

import { isRecord, meta, type KubeObject } from './objects.js';
import { partialMetadata } from './partial-metadata.js';

interface Column {
  name: string;
  type: 'string' | 'integer';
  format?: string;
  priority?: number;
  cell: (object: KubeObject, now: number) => string | number;
}

/** The header kubectl shows for `Accept … as=Table`; `;v=v1;g=meta.k8s.io` may be in any order. */
export function wantsTable(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io') && params.includes('v=v1');
  });
}

/** Kubernetes' HumanDuration, the AGE column's format. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 192) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 730) return `${d}d`;
  return `${Math.floor(d / 365)}y${d % 365}d`;
}

const path = (o: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((v, k) => (isRecord(v) ? v[k] : undefined), o);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const str = (v: unknown, fallback = '<none>'): string => (typeof v === 'string' && v !== '' ? v : fallback);
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);

const NAME: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => meta(o).name ?? '' };
const AGE: Column = {
  name: 'Age',
  type: 'string',
  cell: (o, now) => {
    const created = Date.parse(meta(o).creationTimestamp ?? '');
    return Number.isNaN(created) ? '<unknown>' : humanDuration(now - created);
  },
};
const containers = (o: KubeObject): Record<string, unknown>[] =>
  list(path(o, 'spec', 'template', 'spec', 'containers'));
const CONTAINERS: Column = {
  name: 'Containers',
  type: 'string',
  priority: 1,
  cell: (o) =>
    containers(o)
      .map((c) => str(c.name))
      .join(','),
};
const IMAGES: Column = {
  name: 'Images',
  type: 'string',
  priority: 1,
  cell: (o) =>
    containers(o)
      .map((c) => str(c.image))
      .join(','),
};
const SELECTOR: Column = {
  name: 'Selector',
  type: 'string',
  priority: 1,
  cell: (o) => {
    const labels = path(o, 'spec', 'selector', 'matchLabels');
    return isRecord(labels)
      ? Object.entries(labels)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(',')
      : '<none>';
  },
};

function podStatus(o: KubeObject): string {
  if (meta(o).deletionTimestamp !== undefined) return 'Terminating';
  for (const c of list(path(o, 'status', 'containerStatuses'))) {
    const waiting = str(path(c, 'state', 'waiting', 'reason'), '');
    if (waiting !== '') return waiting;
  }
  return str(path(o, 'status', 'reason'), str(path(o, 'status', 'phase'), 'Unknown'));
}

const POD_COLUMNS: Column[] = [
  NAME,
  {
    name: 'Ready',
    type: 'string',
    cell: (o) => {
      const statuses = list(path(o, 'status', 'containerStatuses'));
      const total = list(path(o, 'spec', 'containers')).length;
      return `${statuses.filter((c) => c.ready === true).length}/${total}`;
    },
  },
  { name: 'Status', type: 'string', cell: podStatus },
  {
    name: 'Restarts',
    type: 'string',
    cell: (o) => String(list(path(o, 'status', 'containerStatuses')).reduce((n, c) => n + num(c.restartCount), 0)),
  },
  AGE,
  { name: 'IP', type: 'string', priority: 1, cell: (o) => str(path(o, 'status', 'podIP')) },
  { name: 'Node', type: 'string', priority: 1, cell: (o) => str(path(o, 'spec', 'nodeName')) },
];

const COLUMNS_BY_KIND: Record<string, Column[]> = {
  Pod: POD_COLUMNS,
  Deployment: [
    NAME,
    {
      name: 'Ready',
      type: 'string',
      cell: (o) => `${num(path(o, 'status', 'readyReplicas'))}/${num(path(o, 'spec', 'replicas') ?? 1)}`,
    },
    { name: 'Up-to-date', type: 'integer', cell: (o) => num(path(o, 'status', 'updatedReplicas')) },
    { name: 'Available', type: 'integer', cell: (o) => num(path(o, 'status', 'availableReplicas')) },
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  ReplicaSet: [
    NAME,
    { name: 'Desired', type: 'integer', cell: (o) => num(path(o, 'spec', 'replicas')) },
    { name: 'Current', type: 'integer', cell: (o) => num(path(o, 'status', 'replicas')) },
    { name: 'Ready', type: 'integer', cell: (o) => num(path(o, 'status', 'readyReplicas')) },
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  StatefulSet: [
    NAME,
    {
      name: 'Ready',
      type: 'string',
      cell: (o) => `${num(path(o, 'status', 'readyReplicas'))}/${num(path(o, 'spec', 'replicas') ?? 1)}`,
    },
    AGE,
  ],
  Namespace: [NAME, { name: 'Status', type: 'string', cell: (o) => str(path(o, 'status', 'phase'), 'Active') }, AGE],
  ConfigMap: [NAME, { name: 'Data', type: 'integer', cell: (o) => Object.keys(path(o, 'data') ?? {}).length }, AGE],
  Lease: [NAME, { name: 'Holder', type: 'string', cell: (o) => str(path(o, 'spec', 'holderIdentity'), '') }, AGE],
};

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(o: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return o;
  return partialMetadata(o);
}

/** A Table of `objects` (all of one kind), as the real server renders it. */
export function toTable(
  kind: string,
  objects: readonly KubeObject[],
  listMetadata: Record<string, unknown>,
  include: IncludeObject,
  now = Date.now(),
): unknown {
  const columns = COLUMNS_BY_KIND[kind] ?? [NAME, AGE];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMetadata,
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: `${c.name} of the ${kind}`,
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => ({ cells: columns.map((c) => c.cell(o, now)), object: rowObject(o, include) })),
  };
}
