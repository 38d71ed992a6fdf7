/** Properties that tie the patch flavours to each other, checked on generated objects. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { applyMergePatch } from './merge-patch.js';
import { serverSideApply } from './server-side-apply.js';
import { applyStrategicMergePatch } from './strategic-merge.js';

// Keys that no list strategy, atomic map or directive claims, so maps merge plainly.
const key = fc.constantFrom('a', 'b', 'c', 'data', 'x/y');
const scalar = fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 3 }));
const { tree } = fc.letrec((tie) => ({
  tree: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, scalar, tie('tree'))),
}));
const { patch } = fc.letrec((tie) => ({
  patch: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, scalar, fc.constant(null), tie('patch'))),
}));

describe('strategic merge without lists is JSON merge patch', () => {
  it('for any object and any list-free patch', () => {
    fc.assert(
      fc.property(tree, patch, (current, body) => {
        expect(applyStrategicMergePatch(current, body)).toEqual(applyMergePatch(current, body));
      }),
    );
  });
});

describe('server-side apply', () => {
  const labels = fc.dictionary(fc.constantFrom('app', 'tier', 'zone', 'team'), fc.constantFrom('1', '2'));
  const containers = fc.uniqueArray(
    fc.record({ name: fc.constantFrom('app', 'side', 'init'), image: fc.constantFrom('a:1', 'a:2') }),
    { selector: (c) => c.name, maxLength: 3 },
  );
  const config = fc.record({ labels, replicas: fc.integer({ min: 0, max: 5 }), containers }).map((c) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: c.labels },
    spec: { replicas: c.replicas, template: { spec: { containers: c.containers } } },
  }));

  const apply = (current: Record<string, unknown> | undefined, body: Record<string, unknown>, now: string) => {
    const result = serverSideApply(current, body, 'shisa', false, now);
    if (!result.ok) throw new Error(result.message);
    return result.object;
  };

  it('is idempotent: applying the same configuration again changes nothing, not even the time', () => {
    fc.assert(
      fc.property(config, (body) => {
        const once = apply(undefined, body, '2026-01-01T00:00:00Z');
        expect(apply(once, body, '2026-01-02T00:00:00Z')).toEqual(once);
      }),
    );
  });

  /** Containers by name: structured-merge-diff keeps live items in their live order and appends new ones. */
  const byName = (object: Record<string, unknown>) => {
    const copy = structuredClone(object) as { spec: { template: { spec: { containers: { name: string }[] } } } };
    copy.spec.template.spec.containers.sort((a, b) => a.name.localeCompare(b.name));
    return copy;
  };

  it('a sole manager ends up with exactly what it applied last, whatever it applied before', () => {
    fc.assert(
      fc.property(config, config, (first, second) => {
        const object = apply(apply(undefined, first, '2026-01-01T00:00:00Z'), second, '2026-01-02T00:00:00Z');
        const { managedFields: _managedFields, ...metadata } = object.metadata as Record<string, unknown>;
        expect(byName({ ...object, metadata })).toEqual(byName(second));
      }),
    );
  });
});
