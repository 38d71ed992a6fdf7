import { describe, expect, it } from 'vitest';

import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch } from './strategic-merge.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** A live Deployment with two containers, each with fields the manifest never set (the server's defaults). */
const liveDeployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { [LAST_APPLIED]: '{}' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'app:1',
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            terminationMessagePath: '/dev/termination-log',
            imagePullPolicy: 'IfNotPresent',
          },
          { name: 'sidecar', image: 'proxy:1', imagePullPolicy: 'IfNotPresent' },
        ],
        volumes: [{ name: 'cache', emptyDir: {} }],
        tolerations: [{ key: 'a', operator: 'Exists' }],
      },
    },
  },
});

type Json = Record<string, unknown>;
const containersOf = (object: Json): Json[] =>
  ((object.spec as Json).template as { spec: { containers: Json[] } }).spec.containers;
const podSpecOf = (object: Json): Json => ((object.spec as Json).template as { spec: Json }).spec;

function patched(patch: unknown, current: Json = liveDeployment()): Json {
  const result = applyStrategicMergePatch(current, patch);
  if (!result.ok) throw new Error(`patch failed: ${result.code} ${result.message}`);
  return result.object;
}

const podPatch = (spec: Json): Json => ({ spec: { template: { spec } } });

describe("kubectl's client-side apply on an existing Deployment", () => {
  // What kubectl 1.32 sends after the image of one container changed in the manifest.
  const kubectlPatch = {
    metadata: { annotations: { [LAST_APPLIED]: '{"new":"config"}\n' } },
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
          containers: [{ image: 'app:2', name: 'app' }],
        },
      },
    },
  };

  it('changes that one image and keeps the other container and every other field', () => {
    const object = patched(kubectlPatch);
    const expected = liveDeployment();
    expected.spec.template.spec.containers[0]!.image = 'app:2';
    expected.metadata.annotations[LAST_APPLIED] = '{"new":"config"}\n';
    expect(object).toEqual(expected);
  });

  it('where a JSON merge patch of the same body would have dropped the sidecar and the defaults', () => {
    const merged = applyMergePatch(liveDeployment(), kubectlPatch);
    expect(merged.ok && containersOf(merged.object)).toEqual([{ image: 'app:2', name: 'app' }]);
  });

  it('removes a container the manifest dropped ($patch: delete) and keeps the order it names', () => {
    const object = patched(
      podPatch({
        '$setElementOrder/containers': [{ name: 'sidecar' }],
        containers: [{ $patch: 'delete', name: 'app' }],
      }),
    );
    expect(containersOf(object)).toEqual([liveDeployment().spec.template.spec.containers[1]]);
  });

  it('adds a container where $setElementOrder puts it', () => {
    const object = patched(
      podPatch({
        '$setElementOrder/containers': [{ name: 'app' }, { name: 'new' }, { name: 'sidecar' }],
        containers: [{ name: 'new', image: 'new:1' }],
      }),
    );
    expect(containersOf(object).map((c) => c.name)).toEqual(['app', 'new', 'sidecar']);
  });

  it('changes one env var by name inside a container, keeping the others', () => {
    const object = patched(
      podPatch({
        '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
        containers: [
          { name: 'app', '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }], env: [{ name: 'B', value: '3' }] },
        ],
      }),
    );
    expect(containersOf(object)[0]!.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '3' },
    ]);
  });

  it('drops the sidecar and switches to Recreate, from the patch kubectl 1.32 sent for exactly that', () => {
    const object = patched({
      spec: {
        strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' },
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }],
            containers: [{ $patch: 'delete', name: 'sidecar' }],
          },
        },
      },
    });
    expect((object.spec as Json).strategy).toEqual({ type: 'Recreate' });
    expect(containersOf(object).map((c) => c.name)).toEqual(['app']);
  });

  it('removes a label the manifest dropped (null) and clears keys outside $retainKeys', () => {
    const object = patched({
      metadata: { labels: { app: null } },
      spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } },
    });
    expect(object.metadata).not.toHaveProperty('labels.app');
    expect((object.spec as Json).strategy).toEqual({ type: 'Recreate' });
  });
});

describe('$setElementOrder', () => {
  const withContainers = (...names: string[]) =>
    podPatch({ containers: names.map((name) => ({ name, image: `${name}:1` })) });

  it('reorders a list even when the patch does not change it', () => {
    const object = patched(podPatch({ '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }] }));
    expect(containersOf(object).map((c) => c.name)).toEqual(['sidecar', 'app']);
  });

  it('keeps an item the client does not know (added on the server) next to its live neighbours', () => {
    const live = withContainers('a', 'server', 'b');
    const keep = patched(podPatch({ '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }] }), live);
    expect(containersOf(keep).map((c) => c.name)).toEqual(['a', 'server', 'b']);
    const swapped = patched(podPatch({ '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] }), live);
    expect(containersOf(swapped).map((c) => c.name)).toEqual(['server', 'b', 'a']);
  });

  it('orders lists of scalars too', () => {
    const live = { metadata: { finalizers: ['x', 'y', 'z'] } };
    const object = patched({ metadata: { '$setElementOrder/finalizers': ['z', 'x', 'y'] } }, live);
    expect(object.metadata).toEqual({ finalizers: ['z', 'x', 'y'] });
  });

  it('422 when an entry lacks the merge key, 400 when it is not a list', () => {
    expect(
      applyStrategicMergePatch(liveDeployment(), podPatch({ '$setElementOrder/containers': [{ image: 'x' }] })),
    ).toMatchObject({ ok: false, code: 422 });
    expect(
      applyStrategicMergePatch(liveDeployment(), podPatch({ '$setElementOrder/containers': 'app' })),
    ).toMatchObject({
      ok: false,
      code: 400,
    });
  });
});

describe('$patch directives', () => {
  it('replace on a map takes the patch as it is', () => {
    const object = patched({ spec: { selector: { $patch: 'replace', matchExpressions: [] } } });
    expect((object.spec as Json).selector).toEqual({ matchExpressions: [] });
  });
  it('delete on a map empties it', () => {
    expect(patched({ metadata: { labels: { $patch: 'delete' } } }).metadata).toMatchObject({ labels: {} });
  });
  it('merge is the default and changes nothing about merging', () => {
    expect(patched({ metadata: { $patch: 'merge', labels: { x: 'y' } } }).metadata).toMatchObject({
      name: 'web',
      labels: { app: 'web', x: 'y' },
    });
  });
  it('a {$patch: replace} item replaces a keyed list with the other items', () => {
    const object = patched(podPatch({ containers: [{ name: 'only', image: 'only:1' }, { $patch: 'replace' }] }));
    expect(containersOf(object)).toEqual([{ name: 'only', image: 'only:1' }]);
  });
  it('delete of an item not in the list is a no-op; of an item without its key is 422', () => {
    expect(containersOf(patched(podPatch({ containers: [{ $patch: 'delete', name: 'ghost' }] })))).toHaveLength(2);
    expect(
      applyStrategicMergePatch(liveDeployment(), podPatch({ containers: [{ $patch: 'delete', image: 'x' }] })),
    ).toMatchObject({
      ok: false,
      code: 422,
      message: expect.stringContaining('does not contain declared merge key: name') as string,
    });
  });
  it('an unknown directive is 400', () => {
    expect(applyStrategicMergePatch(liveDeployment(), { spec: { $patch: 'explode' } })).toMatchObject({
      ok: false,
      code: 400,
    });
  });
  it('no directive survives into the stored object', () => {
    const object = patched(
      podPatch({
        volumes: [{ name: 'new', configMap: { $patch: 'replace', name: 'cm' } }],
        containers: [{ $patch: 'replace' }],
      }),
    );
    expect(JSON.stringify(object)).not.toContain('$');
  });
});

describe('$retainKeys and $deleteFromPrimitiveList', () => {
  it('$retainKeys clears keys outside the list, keeps those inside', () => {
    const object = patched(
      podPatch({ volumes: [{ name: 'cache', $retainKeys: ['name', 'configMap'], configMap: { name: 'cm' } }] }),
    );
    expect(podSpecOf(object).volumes).toEqual([{ name: 'cache', configMap: { name: 'cm' } }]);
  });
  it('$retainKeys must be a list of strings naming every key the patch sets (else 400)', () => {
    expect(applyStrategicMergePatch(liveDeployment(), { spec: { strategy: { $retainKeys: 'type' } } })).toMatchObject({
      ok: false,
      code: 400,
    });
    expect(
      applyStrategicMergePatch(liveDeployment(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }),
    ).toMatchObject({ ok: false, code: 400 });
  });
  it('$deleteFromPrimitiveList removes values from a list of scalars', () => {
    const live = { metadata: { finalizers: ['a', 'b', 'c'] } };
    expect(patched({ metadata: { '$deleteFromPrimitiveList/finalizers': ['a', 'c', 'zz'] } }, live).metadata).toEqual({
      finalizers: ['b'],
    });
  });
});

describe('lists by field', () => {
  it('merges container ports by containerPort', () => {
    const object = patched(
      podPatch({
        containers: [{ name: 'app', ports: [{ containerPort: 9090 }, { containerPort: 8080, name: 'http' }] }],
      }),
    );
    expect(containersOf(object)[0]!.ports).toEqual([
      { containerPort: 8080, protocol: 'TCP', name: 'http' },
      { containerPort: 9090 },
    ]);
  });
  it('merges volumeMounts by mountPath, volumes and imagePullSecrets by name', () => {
    const live = podPatch({
      containers: [{ name: 'a', volumeMounts: [{ name: 'v', mountPath: '/a' }] }],
      volumes: [{ name: 'v', emptyDir: {} }],
      imagePullSecrets: [{ name: 'one' }],
    });
    const object = patched(
      podPatch({
        containers: [{ name: 'a', volumeMounts: [{ name: 'w', mountPath: '/b' }] }],
        volumes: [{ name: 'w', emptyDir: {} }],
        imagePullSecrets: [{ name: 'two' }],
      }),
      live,
    );
    expect(containersOf(object)[0]!.volumeMounts).toHaveLength(2);
    expect(podSpecOf(object).volumes).toHaveLength(2);
    expect(podSpecOf(object).imagePullSecrets).toEqual([{ name: 'one' }, { name: 'two' }]);
  });
  it('replaces tolerations and args (no merge strategy)', () => {
    const object = patched(
      podPatch({ tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'app', args: ['x'] }] }),
    );
    expect(podSpecOf(object).tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
    const live = patched(podPatch({ containers: [{ name: 'app', args: ['1', '2'] }] }));
    expect(containersOf(patched(podPatch({ containers: [{ name: 'app', args: ['3'] }] }), live))[0]!.args).toEqual([
      '3',
    ]);
  });
  it('merges Service ports by port, ownerReferences by uid, conditions by type, finalizers as a set', () => {
    const live = {
      metadata: { ownerReferences: [{ uid: 'u1', name: 'one' }], finalizers: ['a'] },
      spec: { ports: [{ port: 80, targetPort: 8080 }] },
      status: {
        conditions: [
          { type: 'Available', status: 'False' },
          { type: 'Progressing', status: 'True' },
        ],
      },
    };
    const object = patched(
      {
        metadata: { ownerReferences: [{ uid: 'u2', name: 'two' }], finalizers: ['b', 'a'] },
        spec: { ports: [{ port: 443, targetPort: 8443 }] },
        status: { conditions: [{ type: 'Available', status: 'True' }] },
      },
      live,
    );
    expect(object).toEqual({
      metadata: {
        ownerReferences: [
          { uid: 'u1', name: 'one' },
          { uid: 'u2', name: 'two' },
        ],
        finalizers: ['a', 'b'],
      },
      spec: {
        ports: [
          { port: 80, targetPort: 8080 },
          { port: 443, targetPort: 8443 },
        ],
      },
      status: {
        conditions: [
          { type: 'Available', status: 'True' },
          { type: 'Progressing', status: 'True' },
        ],
      },
    });
  });
  it('an item of a keyed list without its key is 422', () => {
    expect(applyStrategicMergePatch(liveDeployment(), podPatch({ containers: [{ image: 'x' }] }))).toMatchObject({
      ok: false,
      code: 422,
      message: 'map: {"image":"x"} does not contain declared merge key: name',
    });
  });
  it('an empty list in the patch empties a keyed list only with $patch: replace; an atomic one directly', () => {
    expect(containersOf(patched(podPatch({ containers: [] })))).toHaveLength(2);
    expect(podSpecOf(patched(podPatch({ tolerations: [] }))).tolerations).toEqual([]);
  });
});

describe('maps and nulls', () => {
  it('merges a label selector key by key (it is atomic only for server-side apply)', () => {
    const object = patched({ spec: { selector: { matchLabels: { tier: 'front' } } } });
    expect((object.spec as Json).selector).toEqual({ matchLabels: { app: 'web', tier: 'front' } });
  });
  it('null deletes; a null for an absent key is ignored; nulls in new maps are dropped', () => {
    const object = patched({ spec: { replicas: null, paused: null, newMap: { a: 1, b: null } } });
    expect(object.spec).not.toHaveProperty('replicas');
    expect(object.spec).not.toHaveProperty('paused');
    expect((object.spec as Json).newMap).toEqual({ a: 1 });
  });
  it('is not a JSON object: 400', () => {
    expect(applyStrategicMergePatch(liveDeployment(), [])).toMatchObject({ ok: false, code: 400 });
  });
  it('never changes the object it was given', () => {
    const live = liveDeployment();
    patched(
      podPatch({
        containers: [
          { name: 'app', image: 'x' },
          { $patch: 'delete', name: 'sidecar' },
        ],
      }),
      live,
    );
    expect(live).toEqual(liveDeployment());
  });
});
