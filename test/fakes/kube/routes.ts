// Which Kubernetes API a request path names. Resource paths have the real server's shape:
//   /api/v1[/watch][/namespaces/NS]/PLURAL[/NAME[/SUBRESOURCE]]
//   /apis/GROUP/VERSION[/watch][/namespaces/NS]/PLURAL[/NAME[/SUBRESOURCE]]
// `/api/v1/namespaces/NAME[/status]` is the Namespace object itself: a path is read as
// namespaced only when its third segment is a namespaced type of that group-version.

import { RESOURCE_TYPES, type ResourceType } from './resource-types.js';

export type Route =
  | { kind: 'version' }
  | { kind: 'health' }
  | { kind: 'legacy-versions' }
  | { kind: 'group-list' }
  | { kind: 'group'; group: string }
  | { kind: 'resource-list'; group: string; version: string }
  | { kind: 'openapi-v2' }
  | { kind: 'openapi-v3-index' }
  | { kind: 'openapi-v3-document'; groupVersion: string }
  | ResourceRoute
  | { kind: 'unknown' };

export interface ResourceRoute {
  kind: 'resource';
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The deprecated `/watch/` path form. */
  watchPath: boolean;
}

export function findType(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.plural === plural);
}

export function parseRoute(path: string): Route {
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  const [first, second, third] = segments;
  if (path === '/version' || path === '/version/') return { kind: 'version' };
  if (first === 'healthz' || first === 'livez' || first === 'readyz') return { kind: 'health' };
  if (first === 'openapi') return openApiRoute(segments.slice(1));
  if (first === 'api') {
    if (second === undefined) return { kind: 'legacy-versions' };
    if (second !== 'v1') return { kind: 'unknown' };
    return segments.length === 2
      ? { kind: 'resource-list', group: '', version: 'v1' }
      : resourceRoute('', 'v1', segments.slice(2));
  }
  if (first === 'apis') {
    if (second === undefined) return { kind: 'group-list' };
    if (third === undefined) return { kind: 'group', group: second };
    if (segments.length === 3) return { kind: 'resource-list', group: second, version: third };
    return resourceRoute(second, third, segments.slice(3));
  }
  return { kind: 'unknown' };
}

function openApiRoute(rest: string[]): Route {
  if (rest[0] === 'v2') return { kind: 'openapi-v2' };
  if (rest[0] !== 'v3') return { kind: 'unknown' };
  if (rest.length === 1) return { kind: 'openapi-v3-index' };
  return { kind: 'openapi-v3-document', groupVersion: rest.slice(1).join('/') };
}

function resourceRoute(group: string, version: string, rest: string[]): Route {
  const watchPath = rest[0] === 'watch';
  if (watchPath) rest = rest.slice(1);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && findType(group, version, rest[2]!)?.namespaced === true) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, extra] = rest;
  const type = plural === undefined ? undefined : findType(group, version, plural);
  if (type === undefined || extra !== undefined) return { kind: 'unknown' };
  if (subresource !== undefined && !type.subresources.includes(subresource)) return { kind: 'unknown' };
  return { kind: 'resource', type, namespace, name, subresource, watchPath };
}
