// Metadata-only reads, as the real server gives them to a client that asks with `Accept:
// application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1` (client-go's metadata
// informers; shisa for ReplicaSets and Jobs, whose owners are all it needs): each item is the
// object's metadata alone, kind PartialObjectMetadata of meta.k8s.io/v1.

import type { KubeObject } from './objects.js';

export const PARTIAL_METADATA_API_VERSION = 'meta.k8s.io/v1';

/**
 * Whether the first media range of `accept` the fake can serve asks for metadata only
 * (`as=PartialObjectMetadata` for one object, `as=PartialObjectMetadataList` for a list). A
 * range the server does not know is skipped, as the real server's negotiation does.
 */
export function wantsPartialMetadata(accept: string | undefined, list: boolean): boolean {
  for (const part of (accept ?? '').split(',')) {
    const [type = '', ...params] = part.split(';').map((p) => p.trim());
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    const as = params.find((p) => p.startsWith('as='));
    if (as === undefined) return false;
    const asked = as === (list ? 'as=PartialObjectMetadataList' : 'as=PartialObjectMetadata');
    if (asked && params.includes('g=meta.k8s.io') && params.includes('v=v1')) return true;
    if (as === 'as=Table') return false;
  }
  return false;
}

export function partialMetadata(o: KubeObject): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: PARTIAL_METADATA_API_VERSION, metadata: o.metadata };
}
