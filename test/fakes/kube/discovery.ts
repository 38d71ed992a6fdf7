// Legacy discovery documents, built from the resource-type registry: /version, /api,
// /api/v1, /apis, /apis/GROUP and /apis/GROUP/VERSION. kubectl first asks for aggregated
// discovery (apidiscovery.k8s.io/v2); these plain application/json answers make it fall back
// to the legacy documents, which is what an older server does.

import { RESOURCE_TYPES, groupVersion, type ResourceType } from './resource-types.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4-fake',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T00:00:00Z',
  goVersion: 'go1.23.8',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function legacyVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupEntry(name: string): unknown {
  const versions = [...new Set(RESOURCE_TYPES.filter((t) => t.group === name).map((t) => t.version))].map((v) => ({
    groupVersion: `${name}/${v}`,
    version: v,
  }));
  return { name, versions, preferredVersion: versions[0] };
}

const namedGroups = (): string[] => [...new Set(RESOURCE_TYPES.map((t) => t.group).filter((g) => g !== ''))];

export function groupList(): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: namedGroups().map(groupEntry) };
}

/** The APIGroup document, or undefined for a group the fake does not serve. */
export function group(name: string): unknown {
  if (!namedGroups().includes(name)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...(groupEntry(name) as object) };
}

/** Subresources the fake implements, with the verbs and kinds the real server lists for them. */
const SUBRESOURCE_SHAPES: Record<string, { verbs: string[]; group?: string; version?: string; kind?: string }> = {
  status: { verbs: ['get', 'patch', 'update'] },
  scale: { verbs: ['get', 'patch', 'update'], group: 'autoscaling', version: 'v1', kind: 'Scale' },
};

/** The kinds `kubectl get all` lists, as the real server's discovery puts them in category `all`. */
const IN_CATEGORY_ALL = new Set([
  'Pod',
  'Service',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
]);

function resourceEntries(t: ResourceType): unknown[] {
  const main = {
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.verbs,
    ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
    ...(IN_CATEGORY_ALL.has(t.kind) ? { categories: ['all'] } : {}),
    storageVersionHash: Buffer.from(`${groupVersion(t)}/${t.kind}`)
      .toString('base64')
      .slice(0, 11),
  };
  const subs = t.subresources
    .filter((s) => s in SUBRESOURCE_SHAPES)
    .map((s) => {
      const shape = SUBRESOURCE_SHAPES[s]!;
      return {
        name: `${t.plural}/${s}`,
        singularName: '',
        namespaced: t.namespaced,
        kind: shape.kind ?? t.kind,
        verbs: shape.verbs,
        ...(shape.group ? { group: shape.group, version: shape.version } : {}),
      };
    });
  return [main, ...subs];
}

/** The APIResourceList of a group-version, or undefined when the fake serves none of it. */
export function resourceList(groupName: string, version: string): unknown {
  const types = RESOURCE_TYPES.filter((t) => t.group === groupName && t.version === version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupName ? `${groupName}/${version}` : version,
    resources: types.flatMap(resourceEntries),
  };
}
