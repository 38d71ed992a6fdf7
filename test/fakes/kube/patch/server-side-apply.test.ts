import { describe, expect, it } from 'vitest';

import { recordUpdate } from './managed-fields.js';
import { serverSideApply } from './server-side-apply.js';

type Json = Record<string, unknown>;
const T0 = '2026-12-02T10:00:00Z';
const T1 = '2026-12-02T11:00:00Z';
const T2 = '2026-12-02T12:00:00Z';

/** The configuration shisa applies, with the knobs tests turn. */
function config(options: { replicas?: number; image?: string; labels?: Json; containers?: Json[] } = {}): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: options.labels ?? { app: 'web' } },
    spec: {
      replicas: options.replicas ?? 2,
      template: {
        spec: { containers: options.containers ?? [{ name: 'app', image: options.image ?? 'app:1' }] },
      },
    },
  };
}

function applied(current: Json | undefined, body: Json, manager = 'shisa', force = false, now = T1): Json {
  const result = serverSideApply(current, body, manager, force, now);
  if (!result.ok) throw new Error(`apply failed: ${result.message}`);
  return result.object;
}

const managedFields = (object: Json) => (object.metadata as { managedFields: Json[] }).managedFields;
const entryOf = (object: Json, manager: string) => managedFields(object).find((e) => e.manager === manager);
const containersOf = (object: Json): Json[] =>
  ((object.spec as Json).template as { spec: { containers: Json[] } }).spec.containers;

/** The object kubectl's client-side apply created (a POST with fieldManager=kubectl-client-side-apply). */
const createdByKubectl = (body: Json = config()) => recordUpdate(undefined, body, 'kubectl-client-side-apply', T0);

describe('server-side apply creates a missing object', () => {
  it('from the applied configuration, with one Apply entry in FieldsV1', () => {
    const object = applied(undefined, config());
    expect(object).toEqual({
      ...config(),
      metadata: {
        name: 'web',
        namespace: 'default',
        labels: { app: 'web' },
        managedFields: [
          {
            manager: 'shisa',
            operation: 'Apply',
            apiVersion: 'apps/v1',
            time: T1,
            fieldsType: 'FieldsV1',
            fieldsV1: {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': {
                'f:replicas': {},
                'f:template': {
                  'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
                },
              },
            },
          },
        ],
      },
    });
  });

  it("ignores the client's managedFields and resourceVersion", () => {
    const body = config();
    (body.metadata as Json).managedFields = [{ manager: 'forged', operation: 'Apply', fieldsV1: { 'f:spec': {} } }];
    (body.metadata as Json).resourceVersion = '42';
    const object = applied(undefined, body);
    expect(managedFields(object).map((e) => e.manager)).toEqual(['shisa']);
    expect(object.metadata).not.toHaveProperty('resourceVersion');
  });
});

describe('the same manager applying again', () => {
  it('changes its own fields without conflict and moves its time', () => {
    const object = applied(applied(undefined, config()), config({ replicas: 5 }), 'shisa', false, T2);
    expect((object.spec as Json).replicas).toBe(5);
    expect(entryOf(object, 'shisa')?.time).toBe(T2);
  });

  it('keeps its time when nothing changed', () => {
    const object = applied(applied(undefined, config()), config(), 'shisa', false, T2);
    expect(entryOf(object, 'shisa')?.time).toBe(T1);
  });

  it('removes fields it applied before and omits now: a label and a container', () => {
    const first = applied(
      undefined,
      config({
        labels: { app: 'web', old: 'yes' },
        containers: [
          { name: 'app', image: 'a' },
          { name: 'side', image: 's' },
        ],
      }),
    );
    const second = applied(first, config({ labels: { app: 'web' }, containers: [{ name: 'app', image: 'a' }] }));
    expect((second.metadata as Json).labels).toEqual({ app: 'web' });
    expect(containersOf(second)).toEqual([{ name: 'app', image: 'a' }]);
    expect(JSON.stringify(entryOf(second, 'shisa')?.fieldsV1)).not.toContain('side');
  });

  it('keeps a dropped field another manager also owns', () => {
    const first = applied(undefined, config({ labels: { app: 'web', team: 'x' } }));
    const other = recordUpdate(
      first,
      { ...first, metadata: { ...(first.metadata as Json), labels: { app: 'web', team: 'y' } } },
      'kubectl-label',
      T1,
    );
    const second = applied(other, config({ labels: { app: 'web' } }), 'shisa', false, T2);
    expect((second.metadata as Json).labels).toEqual({ app: 'web', team: 'y' });
  });

  it('keeps a dropped container when another manager owns a field inside it', () => {
    const first = applied(
      undefined,
      config({
        containers: [
          { name: 'app', image: 'a' },
          { name: 'side', image: 's' },
        ],
      }),
    );
    const edited = structuredClone(first);
    containersOf(edited)[1]!.image = 's2';
    const other = recordUpdate(first, edited, 'kubectl-edit', T1);
    const second = applied(other, config({ containers: [{ name: 'app', image: 'a' }] }), 'shisa', false, T2);
    expect(containersOf(second)).toEqual([
      { name: 'app', image: 'a' },
      { name: 'side', image: 's2' },
    ]);
  });
});

describe('conflicts with other managers', () => {
  it('changing a field kubectl-client-side-apply set is a 409 worded as the API server words it', () => {
    const result = serverSideApply(createdByKubectl(), config({ replicas: 3 }), 'shisa', false, T1);
    expect(result).toEqual({
      ok: false,
      code: 409,
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
      conflicts: [{ manager: 'kubectl-client-side-apply', field: '.spec.replicas' }],
    });
  });

  it('lists several conflicts under their manager, and names fields inside keyed lists', () => {
    const result = serverSideApply(createdByKubectl(), config({ replicas: 3, image: 'app:2' }), 'shisa', false, T1);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n' +
        '- .spec.replicas\n' +
        '- .spec.template.spec.containers[name="app"].image',
    );
  });

  it('an Apply owner is named without an apiVersion; two owners are listed in name order', () => {
    const byKubectl = applied(undefined, config(), 'kubectl');
    const scaled = recordUpdate(
      byKubectl,
      { ...byKubectl, spec: { ...(byKubectl.spec as Json), paused: true } },
      'hpa',
      T1,
    );
    const result = serverSideApply(
      scaled,
      { ...config({ replicas: 3 }), spec: { replicas: 3, paused: false } },
      'shisa',
      false,
      T2,
    );
    expect(!result.ok && result.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "hpa" using apps/v1:\n- .spec.paused\nconflicts with "kubectl":\n- .spec.replicas',
    );
  });

  it('applying the same value another manager set is no conflict: both own it', () => {
    const object = applied(createdByKubectl(), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 2 },
    });
    expect(entryOf(object, 'shisa')?.fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });
    expect(entryOf(object, 'kubectl-client-side-apply')?.fieldsV1).toMatchObject({ 'f:spec': { 'f:replicas': {} } });
  });

  it('force takes the field over: the value changes and the old owner loses it', () => {
    const object = applied(createdByKubectl(), config({ replicas: 3 }), 'shisa', true);
    expect((object.spec as Json).replicas).toBe(3);
    const kubectlFields = entryOf(object, 'kubectl-client-side-apply')?.fieldsV1 as Json;
    expect(kubectlFields['f:spec']).not.toHaveProperty('f:replicas');
    expect(kubectlFields).toHaveProperty(['f:metadata', 'f:labels', 'f:app']);
  });

  it('a manager that loses every field loses its entry', () => {
    const minimal = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1 } };
    const object = applied(createdByKubectl(minimal), config({ replicas: 3 }), 'shisa', true);
    expect(managedFields(object).map((e) => e.manager)).toEqual(['shisa']);
  });

  it('the same name updating (not applying) is another owner, as in the real server', () => {
    const created = recordUpdate(undefined, config(), 'shisa', T0);
    const result = serverSideApply(created, config({ replicas: 4 }), 'shisa', false, T1);
    expect(!result.ok && result.message).toBe(
      'Apply failed with 1 conflict: conflict with "shisa" using apps/v1: .spec.replicas',
    );
  });

  it('a status-subresource owner is named with its subresource', () => {
    const withStatus = recordUpdate(
      createdByKubectl(),
      { ...createdByKubectl(), status: { replicas: 1 } },
      'kube-controller-manager',
      T1,
      'status',
    );
    const result = serverSideApply(withStatus, { ...config(), status: { replicas: 2 } }, 'shisa', false, T2);
    expect(!result.ok && result.message).toContain(
      'conflict with "kube-controller-manager" with subresource "status" using apps/v1: .status.replicas',
    );
  });
});

describe('kubectl apply --server-side, then shisa', () => {
  it('kubectl owns what it applied; shisa adds a field without conflict and both entries stay', () => {
    const byKubectl = applied(undefined, config(), 'kubectl', false, T0);
    const object = applied(byKubectl, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', annotations: { 'shisa.io/region': 'eu' } },
    });
    expect((object.metadata as Json).annotations).toEqual({ 'shisa.io/region': 'eu' });
    expect(managedFields(object).map((e) => `${String(e.manager)}/${String(e.operation)}`)).toEqual([
      'kubectl/Apply',
      'shisa/Apply',
    ]);
    expect((object.spec as Json).replicas).toBe(2);
  });
});

describe('atomic maps (label selectors, node selectors)', () => {
  const withSelector = (matchLabels: Json): Json => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { selector: { matchLabels } },
  });

  it('are owned as one field and replaced whole, where strategic merge would merge them', () => {
    const object = applied(applied(undefined, withSelector({ a: '1' })), withSelector({ b: '2' }), 'shisa', false, T2);
    expect((object.spec as Json).selector).toEqual({ matchLabels: { b: '2' } });
    expect(entryOf(object, 'shisa')?.fieldsV1).toEqual({ 'f:spec': { 'f:selector': {} } });
  });

  it('conflict as one field', () => {
    const created = recordUpdate(undefined, withSelector({ a: '1' }), 'kubectl-client-side-apply', T0);
    const result = serverSideApply(created, withSelector({ a: '2' }), 'shisa', false, T1);
    expect(!result.ok && result.conflicts).toEqual([{ manager: 'kubectl-client-side-apply', field: '.spec.selector' }]);
  });
});
