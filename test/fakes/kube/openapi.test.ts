import { describe, expect, it } from 'vitest';

import { openApiV3Document, openApiV3Index, schemaName } from './openapi.js';
import { isAtomicMapAt, listStrategyAt } from './patch/list-keys.js';
import { groupVersion, RESOURCE_TYPES, type ResourceType } from './resource-types.js';

type Json = Record<string, unknown>;
interface Document {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json> };
}

const documentFor = (gv: string): Document => {
  const document = openApiV3Document(RESOURCE_TYPES, gv);
  if (document === undefined) throw new Error(`no document for ${gv}`);
  return document as Document;
};

const typeOf = (kind: string): ResourceType => {
  const type = RESOURCE_TYPES.find((t) => t.kind === kind);
  if (type === undefined) throw new Error(kind);
  return type;
};

/** kubectl's supportsQueryParamV3: the patch operation for the kind, and whether it takes the query parameter inline. */
function patchOperationFor(document: Document, type: ResourceType): Json | undefined {
  return Object.values(document.paths)
    .map((path) => path.patch)
    .find((patch) => {
      const gvk = patch?.['x-kubernetes-group-version-kind'] as Json | undefined;
      return gvk?.group === type.group && gvk.version === type.version && gvk.kind === type.kind;
    });
}

const takesQueryParameter = (operation: Json, name: string): boolean =>
  (operation.parameters as Json[]).some((p) => p.name === name && p.in === 'query');

/**
 * kubectl's PatchMetaFromOpenAPIV3: find the kind's schema by its x-kubernetes-group-version-kind,
 * then walk `properties` (a missing one is an error, as in kubectl), unwrapping `allOf[0]`, `$ref`
 * and, for lists, `items`. Returns the list's patch metadata.
 */
function patchMetaAt(document: Document, type: ResourceType, fieldPath: readonly string[]) {
  const schemas = document.components.schemas;
  const root = Object.values(schemas).find((schema) =>
    (schema['x-kubernetes-group-version-kind'] as Json[] | undefined)?.some(
      (gvk) => gvk.group === type.group && gvk.version === type.version && gvk.kind === type.kind,
    ),
  );
  const resolve = (schema: Json): Json => {
    const inner = Array.isArray(schema.allOf) ? (schema.allOf[0] as Json) : schema;
    const ref = inner.$ref;
    if (typeof ref !== 'string') return inner;
    const target = schemas[ref.replace('#/components/schemas/', '')];
    if (target === undefined) throw new Error(`unable to resolve ${ref} in OpenAPI V3`);
    return target;
  };
  let schema = root;
  let field: Json = {};
  for (const name of fieldPath) {
    if (schema === undefined) throw new Error('no schema for the kind');
    const properties = schema.properties as Record<string, Json> | undefined;
    const next = properties?.[name];
    if (next === undefined) throw new Error(`unable to find api field "${name}"`);
    field = next;
    schema = resolve(next.items === undefined ? next : (next.items as Json));
  }
  return { mergeKey: field['x-kubernetes-patch-merge-key'], strategy: field['x-kubernetes-patch-strategy'] };
}

describe('GET /openapi/v3', () => {
  const index = openApiV3Index(RESOURCE_TYPES) as { paths: Record<string, { serverRelativeURL: string }> };

  it('lists every group-version served, core under api/, groups under apis/', () => {
    const expected = [...new Set(RESOURCE_TYPES.map(groupVersion))].map((gv) =>
      gv === 'v1' ? 'api/v1' : `apis/${gv}`,
    );
    expect(Object.keys(index.paths).sort()).toEqual(expected.sort());
  });

  it('points at each document with a hash of its content, as the real server does', () => {
    const apps = index.paths['apis/apps/v1']?.serverRelativeURL ?? '';
    expect(apps).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
    expect(index.paths['api/v1']?.serverRelativeURL).toMatch(/^\/openapi\/v3\/api\/v1\?hash=/);
    expect((openApiV3Index(RESOURCE_TYPES) as typeof index).paths['apis/apps/v1']?.serverRelativeURL).toBe(apps);
    const onlyDeployments = openApiV3Index([typeOf('Deployment')]) as typeof index;
    expect(onlyDeployments.paths['apis/apps/v1']?.serverRelativeURL).not.toBe(apps);
  });
});

describe('GET /openapi/v3/<group-version>', () => {
  it('answers for both spellings of a group-version and is undefined for one not served', () => {
    expect(openApiV3Document(RESOURCE_TYPES, 'apps/v1')).toEqual(openApiV3Document(RESOURCE_TYPES, 'apis/apps/v1'));
    expect(openApiV3Document(RESOURCE_TYPES, 'v1')).toEqual(openApiV3Document(RESOURCE_TYPES, 'api/v1'));
    expect(openApiV3Document(RESOURCE_TYPES, 'apps/v2')).toBeUndefined();
    expect(openApiV3Document(RESOURCE_TYPES, 'apis/nope.io/v1')).toBeUndefined();
  });

  it.each(RESOURCE_TYPES.map((t) => [t.kind, t] as const))(
    '%s: a patch operation tagged with its kind takes fieldValidation inline (what kubectl checks)',
    (_kind, type) => {
      const operation = patchOperationFor(documentFor(groupVersion(type)), type);
      expect(operation).toBeDefined();
      expect(takesQueryParameter(operation as Json, 'fieldValidation')).toBe(true);
      expect(takesQueryParameter(operation as Json, 'fieldManager')).toBe(true);
      expect(takesQueryParameter(operation as Json, 'force')).toBe(true);
    },
  );

  it.each(RESOURCE_TYPES.map((t) => [t.kind, t] as const))(
    '%s: its kind and list kind have schemas tagged with them',
    (_kind, type) => {
      const schemas = documentFor(groupVersion(type)).components.schemas;
      expect(schemas[schemaName(type)]?.['x-kubernetes-group-version-kind']).toEqual([
        { group: type.group, kind: type.kind, version: type.version },
      ]);
      expect(schemas[`${schemaName(type)}List`]?.['x-kubernetes-group-version-kind']).toEqual([
        { group: type.group, kind: type.listKind, version: type.version },
      ]);
    },
  );

  it('has paths for namespaced and cluster-scoped types, with subresources and the all-namespaces list', () => {
    const core = Object.keys(documentFor('v1').paths);
    expect(core).toContain('/api/v1/namespaces/{namespace}/pods/{name}');
    expect(core).toContain('/api/v1/namespaces/{namespace}/pods/{name}/status');
    expect(core).toContain('/api/v1/pods');
    expect(core).toContain('/api/v1/namespaces/{name}');
    expect(core).toContain('/api/v1/nodes/{name}');
    expect(core).not.toContain('/api/v1/namespaces/{namespace}/nodes/{name}');
    const lease =
      documentFor('coordination.k8s.io/v1').paths['/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}'];
    expect(lease?.patch?.operationId).toBe('patchCoordinationV1NamespacedLease');
  });

  it('tags the scale subresource with autoscaling/v1 Scale and serves its schema', () => {
    const document = documentFor('apps/v1');
    const scale = document.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
    expect(scale?.patch?.['x-kubernetes-group-version-kind']).toEqual({
      group: 'autoscaling',
      kind: 'Scale',
      version: 'v1',
    });
    expect(document.components.schemas['io.k8s.api.autoscaling.v1.Scale']).toBeDefined();
  });

  it('every $ref resolves within its document', () => {
    for (const gv of new Set(RESOURCE_TYPES.map(groupVersion))) {
      const document = documentFor(gv);
      const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
        (m) => m[1],
      );
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) expect(document.components.schemas, `${gv}: ${ref}`).toHaveProperty([ref ?? '']);
    }
  });

  it('offers strategic merge for built-in kinds only; a custom resource keeps unknown fields', () => {
    const content = (type: ResourceType) =>
      Object.keys(
        ((patchOperationFor(documentFor(groupVersion(type)), type) as Json).requestBody as { content: Json }).content,
      );
    expect(content(typeOf('Deployment'))).toContain('application/strategic-merge-patch+json');
    expect(content(typeOf('Deployment'))).toContain('application/apply-patch+yaml');
    const peer = typeOf('PeerAuthentication');
    expect(content(peer)).not.toContain('application/strategic-merge-patch+json');
    expect(content(peer)).toContain('application/merge-patch+json');
    expect(documentFor(groupVersion(peer)).components.schemas[schemaName(peer)]).toMatchObject({
      'x-kubernetes-preserve-unknown-fields': true,
    });
  });
});

describe('strategic-merge metadata kubectl reads from the schemas', () => {
  const template = ['spec', 'template', 'spec'];
  const cases: [kind: string, fieldPath: string[], mergeKey: string, strategy: string][] = [
    ['Deployment', [...template, 'containers'], 'name', 'merge'],
    ['Deployment', [...template, 'initContainers'], 'name', 'merge'],
    ['Deployment', [...template, 'containers', 'ports'], 'containerPort', 'merge'],
    ['Deployment', [...template, 'containers', 'env'], 'name', 'merge'],
    ['Deployment', [...template, 'containers', 'volumeMounts'], 'mountPath', 'merge'],
    ['Deployment', [...template, 'volumes'], 'name', 'merge,retainKeys'],
    ['Deployment', [...template, 'imagePullSecrets'], 'name', 'merge'],
    ['Deployment', ['metadata', 'ownerReferences'], 'uid', 'merge'],
    ['Deployment', ['status', 'conditions'], 'type', 'merge'],
    ['StatefulSet', [...template, 'containers'], 'name', 'merge'],
    ['DaemonSet', [...template, 'containers', 'env'], 'name', 'merge'],
    ['Job', [...template, 'containers'], 'name', 'merge'],
    ['CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers'], 'name', 'merge'],
    ['Pod', ['spec', 'containers'], 'name', 'merge'],
    ['Pod', ['spec', 'ephemeralContainers'], 'name', 'merge'],
    ['Pod', ['status', 'conditions'], 'type', 'merge'],
    ['Service', ['spec', 'ports'], 'port', 'merge'],
    ['Node', ['status', 'addresses'], 'type', 'merge'],
  ];

  it.each(cases)('%s %j merges by %s', (kind, fieldPath, mergeKey, strategy) => {
    const type = typeOf(kind);
    expect(patchMetaAt(documentFor(groupVersion(type)), type, fieldPath)).toEqual({ mergeKey, strategy });
  });

  it.each(cases)(
    '%s %j: the fake merges that list by the same key the schema announces',
    (_kind, fieldPath, mergeKey) => {
      expect(listStrategyAt(fieldPath)).toEqual({ type: 'map', key: mergeKey });
    },
  );

  it('lists without a strategy are atomic in both', () => {
    const type = typeOf('Deployment');
    const document = documentFor('apps/v1');
    for (const fieldPath of [
      [...template, 'tolerations'],
      [...template, 'containers', 'args'],
    ]) {
      expect(patchMetaAt(document, type, fieldPath)).toEqual({ mergeKey: undefined, strategy: undefined });
      expect(listStrategyAt(fieldPath)).toEqual({ type: 'atomic' });
    }
    expect(patchMetaAt(document, type, ['metadata', 'finalizers'])).toEqual({ mergeKey: undefined, strategy: 'merge' });
    expect(listStrategyAt(['metadata', 'finalizers'])).toEqual({ type: 'set' });
  });

  it('the maps server-side apply treats as atomic are atomic in the schemas too', () => {
    const schemas = documentFor('apps/v1').components.schemas;
    expect(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']?.['x-kubernetes-map-type']).toBe('atomic');
    expect(isAtomicMapAt(['spec', 'selector'])).toBe(true);
    const podSpec = schemas['io.k8s.api.core.v1.PodSpec']?.properties as Record<string, Json>;
    expect(podSpec.nodeSelector?.['x-kubernetes-map-type']).toBe('atomic');
    expect(isAtomicMapAt([...template, 'nodeSelector'])).toBe(true);
    expect(isAtomicMapAt(['metadata', 'labels'])).toBe(false);
  });

  it('the maps a manifest carries are in the schemas, so kubectl does not fall back to its built-in types', () => {
    const type = typeOf('Deployment');
    const document = documentFor('apps/v1');
    const c = [...template, 'containers'];
    for (const fieldPath of [
      ['metadata', 'labels'],
      ['metadata', 'annotations'],
      ['spec', 'selector', 'matchLabels'],
      ['spec', 'strategy', 'rollingUpdate'],
      ['spec', 'template', 'metadata', 'labels'],
      [...template, 'nodeSelector'],
      [...template, 'affinity', 'nodeAffinity'],
      [...template, 'securityContext'],
      [...c, 'resources', 'limits'],
      [...c, 'resources', 'requests'],
      [...c, 'readinessProbe', 'httpGet'],
      [...c, 'livenessProbe', 'exec'],
      [...c, 'securityContext', 'capabilities'],
      [...c, 'env', 'valueFrom', 'secretKeyRef'],
      [...template, 'volumes', 'configMap'],
    ]) {
      expect(() => patchMetaAt(document, type, fieldPath), fieldPath.join('.')).not.toThrow();
    }
    expect(() => patchMetaAt(document, type, ['spec', 'nonsense'])).toThrow('unable to find api field "nonsense"');
  });
});
