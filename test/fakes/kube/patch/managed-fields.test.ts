import { describe, expect, it } from 'vitest';

import { fieldSetOf, formatPath, pathKey, removePath } from './field-paths.js';
import { decodeFieldsV1, encodeFieldsV1, readOwnerships, recordUpdate } from './managed-fields.js';

type Json = Record<string, unknown>;
const T0 = '2026-12-02T10:00:00Z';
const T1 = '2026-12-02T11:00:00Z';

const managedFields = (object: Json) => (object.metadata as { managedFields?: Json[] }).managedFields;

describe('FieldsV1', () => {
  // As a real API server writes it for a Deployment's container list.
  const real = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:template': {
        'f:spec': {
          'f:containers': {
            'k:{"name":"nginx"}': {
              '.': {},
              'f:image': {},
              'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
            },
          },
        },
      },
    },
  };

  it('decodes `{}` leaves and `.` members, and encodes them back the same', () => {
    const fields = decodeFieldsV1(real);
    expect(fields).toContain(pathKey(['f:metadata', 'f:labels']));
    expect(fields).toContain(pathKey(['f:metadata', 'f:labels', 'f:app']));
    expect(fields).not.toContain(pathKey(['f:metadata']));
    expect(encodeFieldsV1(fields)).toEqual(real);
  });

  it('decodes garbage to nothing', () => {
    expect(decodeFieldsV1('f:spec').size).toBe(0);
    expect(decodeFieldsV1(undefined).size).toBe(0);
  });
});

describe('field sets of objects', () => {
  it('hold leaves, keyed items (with their fields), set values and empty maps; never name or kind', () => {
    const fields = fieldSetOf({
      metadata: { finalizers: ['a'], labels: { app: 'x' } },
      spec: { resources: {}, args: ['1'], containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] },
    });
    expect([...fields].map((key) => formatPath(JSON.parse(key) as string[])).sort()).toEqual([
      '.metadata.finalizers[="a"]',
      '.metadata.labels.app',
      '.spec.args',
      '.spec.containers[name="c"]',
      '.spec.containers[name="c"].name',
      '.spec.containers[name="c"].ports[containerPort=80]',
      '.spec.containers[name="c"].ports[containerPort=80].containerPort',
      '.spec.resources',
    ]);
  });

  it('take an atomic map (a label selector) as one leaf', () => {
    const fields = fieldSetOf({
      spec: { selector: { matchLabels: { app: 'x' } }, template: { spec: { nodeSelector: { zone: 'a' } } } },
    });
    expect([...fields].sort()).toEqual([
      pathKey(['f:spec', 'f:selector']),
      pathKey(['f:spec', 'f:template', 'f:spec', 'f:nodeSelector']),
    ]);
  });

  it('removePath removes a field, a keyed item, or a set value', () => {
    const object = { metadata: { finalizers: ['a', 'b'] }, spec: { x: 1, containers: [{ name: 'c' }, { name: 'd' }] } };
    expect(removePath(object, ['f:spec', 'f:x'])).toEqual({ ...object, spec: { containers: object.spec.containers } });
    expect(removePath(object, ['f:spec', 'f:containers', 'k:{"name":"c"}'])).toMatchObject({
      spec: { containers: [{ name: 'd' }] },
    });
    expect(removePath(object, ['f:metadata', 'f:finalizers', 'v:"a"'])).toMatchObject({
      metadata: { finalizers: ['b'] },
    });
    expect(removePath(object, ['f:nope', 'f:x'])).toBe(object);
  });
});

describe('recordUpdate', () => {
  const configMap = (data: Json): Json => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data });

  it('on create, records an Update entry owning every field set', () => {
    const object = recordUpdate(undefined, configMap({ a: '1' }), 'shisa', T0);
    expect(managedFields(object)).toEqual([
      {
        manager: 'shisa',
        operation: 'Update',
        apiVersion: 'v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:a': {} } },
      },
    ]);
  });

  it('moves a changed field to the updater, drops removed fields from everyone, and adds to its previous set', () => {
    const created = recordUpdate(undefined, configMap({ a: '1', b: '2' }), 'creator', T0);
    const updated = recordUpdate(created, { ...created, data: { a: '9', c: '3' } }, 'editor', T1);
    const owners = readOwnerships(updated);
    // The creator kept nothing (a was taken, b removed), so its entry is gone.
    expect(owners.map((o) => [o.manager, [...o.fields].sort()])).toEqual([
      ['editor', [pathKey(['f:data', 'f:a']), pathKey(['f:data', 'f:c'])]],
    ]);
    const again = recordUpdate(updated, { ...updated, data: { a: '9', c: '3', d: '4' } }, 'editor', T1);
    expect(managedFields(again)?.[0]?.fieldsV1).toEqual({ 'f:data': { 'f:a': {}, 'f:c': {}, 'f:d': {} } });
  });

  it('keeps the previous managedFields when the new object has none, and changes nothing on a no-op', () => {
    const created = recordUpdate(undefined, configMap({ a: '1' }), 'shisa', T0);
    const withoutFields = { ...configMap({ a: '1' }) };
    expect(recordUpdate(created, withoutFields, 'other', T1)).toEqual(created);
  });

  it("takes managedFields a client set itself (kubectl's upgrade from client-side apply replaces them by JSON patch)", () => {
    const created = recordUpdate(undefined, configMap({ a: '1' }), 'kubectl-client-side-apply', T0);
    const upgraded = [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'v1',
        time: T1,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:a': {} } },
      },
    ];
    const replaced = { ...created, metadata: { ...(created.metadata as Json), managedFields: upgraded } };
    expect(managedFields(recordUpdate(created, replaced, 'kubectl', T1))).toEqual(upgraded);
  });

  it('records the subresource and sorts Apply before Update, then by time', () => {
    const created = recordUpdate(undefined, configMap({ a: '1' }), 'zeta', T1);
    const withApply = {
      ...created,
      metadata: {
        ...(created.metadata as Json),
        managedFields: [
          ...(managedFields(created) ?? []),
          {
            manager: 'omega',
            operation: 'Apply',
            apiVersion: 'v1',
            time: T1,
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:data': { 'f:a': {} } },
          },
        ],
      },
    };
    const updated = recordUpdate(withApply, { ...withApply, status: { phase: 'x' } }, 'alpha', T0, 'status');
    expect(managedFields(updated)?.map((e) => [e.manager, e.operation, e.subresource])).toEqual([
      ['omega', 'Apply', undefined],
      ['alpha', 'Update', 'status'],
      ['zeta', 'Update', undefined],
    ]);
  });
});
