import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { applyMergePatch, createMergePatch } from './merge-patch.js';

const deployment = () => ({
  metadata: { name: 'web', labels: { app: 'web', tier: 'front' } },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          { name: 'a', image: 'a:1' },
          { name: 'b', image: 'b:1' },
        ],
      },
    },
  },
});

function patched(patch: unknown) {
  const result = applyMergePatch(deployment(), patch);
  if (!result.ok) throw new Error(`patch failed: ${result.message}`);
  return result.object;
}

describe('JSON merge patch (RFC 7386)', () => {
  it('merges maps key by key', () => {
    expect(patched({ metadata: { labels: { tier: 'back', zone: 'x' } } }).metadata).toEqual({
      name: 'web',
      labels: { app: 'web', tier: 'back', zone: 'x' },
    });
  });
  it('deletes a key set to null, and ignores null for a key that is absent', () => {
    const object = patched({ metadata: { labels: { tier: null, never: null } }, spec: { replicas: null } });
    expect(object.metadata).toEqual({ name: 'web', labels: { app: 'web' } });
    expect(object.spec).not.toHaveProperty('replicas');
    expect(JSON.stringify(object)).not.toContain('never');
  });
  it('replaces arrays whole: one container in the patch leaves one container', () => {
    const object = patched({ spec: { template: { spec: { containers: [{ name: 'a', image: 'a:2' }] } } } });
    expect(object.spec).toMatchObject({ template: { spec: { containers: [{ name: 'a', image: 'a:2' }] } } });
  });
  it('replaces a scalar with a map and a map with a scalar', () => {
    expect(patched({ spec: { replicas: { odd: true } } }).spec).toMatchObject({ replicas: { odd: true } });
    expect(patched({ metadata: { labels: 'none' } }).metadata).toEqual({ name: 'web', labels: 'none' });
  });
  it('drops nulls inside a new map (they mean "absent")', () => {
    expect(patched({ status: { phase: 'Running', message: null } }).status).toEqual({ phase: 'Running' });
  });
  it('an empty patch changes nothing', () => {
    expect(patched({})).toEqual(deployment());
  });
  it('refuses a patch that is not an object (400)', () => {
    expect(applyMergePatch(deployment(), [1, 2])).toMatchObject({ ok: false, code: 400 });
    expect(applyMergePatch(deployment(), 'x')).toMatchObject({ ok: false, code: 400 });
  });
  it('never changes the object it was given', () => {
    const current = deployment();
    applyMergePatch(current, { metadata: { labels: { app: null } }, spec: { replicas: 9 } });
    expect(current).toEqual(deployment());
  });
});

/** JSON objects without nulls (a merge patch cannot set a null) and with plain keys. */
const key = fc.constantFrom('a', 'b', 'c', 'name', 'spec', 'x/y', '~');
const scalar = fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 3 }));
const { tree } = fc.letrec((tie) => ({
  tree: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, scalar, fc.array(scalar, { maxLength: 3 }), tie('tree'))),
}));

describe('merge patch properties', () => {
  it('the merge patch of a diff turns the source into the target', () => {
    fc.assert(
      fc.property(tree, tree, (from, to) => {
        const result = applyMergePatch(from, createMergePatch(from, to));
        expect(result).toEqual({ ok: true, object: to });
      }),
    );
  });
  it('applying a patch twice is the same as once (merge patches are idempotent)', () => {
    fc.assert(
      fc.property(tree, tree, (target, patch) => {
        const once = applyMergePatch(target, patch);
        if (!once.ok) throw new Error(once.message);
        expect(applyMergePatch(once.object, patch)).toEqual(once);
      }),
    );
  });
});
