import { describe, expect, it } from 'vitest';

import { applyJsonPatch, parsePointer } from './json-patch.js';

const doc = () => ({
  metadata: { name: 'web', labels: { app: 'web', 'a/b': 'slash', 'c~d': 'tilde' } },
  spec: { replicas: 2, args: ['a', 'b', 'c'] },
});

/** The patched object, failing the test with the server's message when the patch did not apply. */
function patched(patch: unknown) {
  const result = applyJsonPatch(doc(), patch);
  if (!result.ok) throw new Error(`patch failed: ${result.message}`);
  return result.object;
}

function failure(patch: unknown) {
  const result = applyJsonPatch(doc(), patch);
  if (result.ok) throw new Error('patch applied, expected a failure');
  return result;
}

describe('JSON pointers', () => {
  it('unescape ~1 to / and ~0 to ~, in that order', () => {
    expect(parsePointer('/a~1b/c~0d/~01')).toEqual(['a/b', 'c~d', '~1']);
  });
  it('take "" as the whole document and refuse pointers without a leading slash', () => {
    expect(parsePointer('')).toEqual([]);
    expect(parsePointer('spec')).toBeUndefined();
  });
});

describe('add', () => {
  it('sets a new member and replaces an existing one', () => {
    const object = patched([
      { op: 'add', path: '/spec/paused', value: true },
      { op: 'add', path: '/spec/replicas', value: 5 },
    ]);
    expect(object.spec).toEqual({ replicas: 5, args: ['a', 'b', 'c'], paused: true });
  });
  it('inserts into an array at an index, and appends at `-` or at the length', () => {
    expect(patched([{ op: 'add', path: '/spec/args/1', value: 'x' }]).spec).toMatchObject({
      args: ['a', 'x', 'b', 'c'],
    });
    expect(patched([{ op: 'add', path: '/spec/args/-', value: 'z' }]).spec).toMatchObject({
      args: ['a', 'b', 'c', 'z'],
    });
    expect(patched([{ op: 'add', path: '/spec/args/3', value: 'z' }]).spec).toMatchObject({
      args: ['a', 'b', 'c', 'z'],
    });
  });
  it('resolves escaped keys', () => {
    const object = patched([{ op: 'add', path: '/metadata/labels/x~1y', value: 'v' }]);
    expect((object.metadata as { labels: Record<string, string> }).labels['x/y']).toBe('v');
  });
  it('fails with 422 when the parent is missing, and for an index past the end', () => {
    expect(failure([{ op: 'add', path: '/status/phase', value: 'Running' }])).toEqual({
      ok: false,
      code: 422,
      message: 'add operation does not apply: doc is missing path: "/status/phase": missing value',
    });
    expect(failure([{ op: 'add', path: '/spec/args/9', value: 'x' }]).code).toBe(422);
    expect(failure([{ op: 'add', path: '/spec/args/01', value: 'x' }]).code).toBe(422);
  });
  it('requires a value', () => {
    expect(failure([{ op: 'add', path: '/spec/x' }]).message).toContain('missing value');
  });
});

describe('remove', () => {
  it('deletes a member and an array item', () => {
    const object = patched([
      { op: 'remove', path: '/metadata/labels/c~0d' },
      { op: 'remove', path: '/spec/args/0' },
    ]);
    expect(object.metadata).toEqual({ name: 'web', labels: { app: 'web', 'a/b': 'slash' } });
    expect(object.spec).toEqual({ replicas: 2, args: ['b', 'c'] });
  });
  it('fails with 422 for a missing member, a missing parent or a bad index', () => {
    expect(failure([{ op: 'remove', path: '/metadata/labels/nope' }])).toMatchObject({
      code: 422,
      message:
        "error in remove for path: '/metadata/labels/nope': Unable to remove nonexistent key: nope: missing value",
    });
    expect(failure([{ op: 'remove', path: '/status/phase' }]).message).toBe(
      'remove operation does not apply: doc is missing path: "/status/phase": missing value',
    );
    expect(failure([{ op: 'remove', path: '/spec/args/3' }]).code).toBe(422);
    expect(failure([{ op: 'remove', path: '/spec/args/-' }]).code).toBe(422);
  });
});

describe('replace', () => {
  it('replaces an existing member or item', () => {
    const object = patched([
      { op: 'replace', path: '/spec/replicas', value: 7 },
      { op: 'replace', path: '/spec/args/2', value: 'C' },
    ]);
    expect(object.spec).toEqual({ replicas: 7, args: ['a', 'b', 'C'] });
  });
  it('fails with 422 when the member does not exist (unlike add)', () => {
    expect(failure([{ op: 'replace', path: '/spec/paused', value: true }])).toMatchObject({
      code: 422,
      message: 'replace operation does not apply: doc is missing key: /spec/paused: missing value',
    });
  });
  it('replaces the whole document at ""', () => {
    expect(patched([{ op: 'replace', path: '', value: { kind: 'X' } }])).toEqual({ kind: 'X' });
  });
});

describe('move and copy', () => {
  it('move takes the value away from `from`', () => {
    const object = patched([{ op: 'move', from: '/spec/replicas', path: '/spec/count' }]);
    expect(object.spec).toEqual({ count: 2, args: ['a', 'b', 'c'] });
  });
  it('move within an array reorders', () => {
    expect(patched([{ op: 'move', from: '/spec/args/0', path: '/spec/args/-' }]).spec).toMatchObject({
      args: ['b', 'c', 'a'],
    });
  });
  it('copy leaves the source and the copy independent', () => {
    const object = patched([
      { op: 'copy', from: '/metadata/labels', path: '/spec/labels' },
      { op: 'replace', path: '/spec/labels/app', value: 'changed' },
    ]);
    expect((object.metadata as { labels: { app: string } }).labels.app).toBe('web');
    expect((object.spec as { labels: { app: string } }).labels.app).toBe('changed');
  });
  it('fail with 422 for a missing `from`, and move refuses to move a value into itself', () => {
    expect(failure([{ op: 'move', from: '/nope', path: '/x' }]).message).toBe(
      'move operation does not apply: doc is missing from path: /nope: missing value',
    );
    expect(failure([{ op: 'copy', from: '/nope', path: '/x' }]).code).toBe(422);
    expect(failure([{ op: 'move', from: '/spec', path: '/spec/inner' }]).code).toBe(422);
  });
});

describe('test', () => {
  it('passes on a structurally equal value (key order does not matter)', () => {
    expect(
      patched([{ op: 'test', path: '/metadata/labels', value: { 'c~d': 'tilde', 'a/b': 'slash', app: 'web' } }]),
    ).toEqual(doc());
  });
  it('fails with 422 on a different value or a missing path, and nothing before it applies', () => {
    expect(
      failure([
        { op: 'replace', path: '/spec/replicas', value: 9 },
        { op: 'test', path: '/spec/replicas', value: 2 },
      ]),
    ).toEqual({ ok: false, code: 422, message: 'testing value /spec/replicas failed: test failed' });
    expect(failure([{ op: 'test', path: '/spec/missing', value: null }]).message).toBe(
      'testing value /spec/missing failed: test failed',
    );
  });
});

describe('malformed patches', () => {
  it('are 400 when they are not a list of operations', () => {
    expect(failure({ op: 'add' }).code).toBe(400);
    expect(failure(['add']).code).toBe(400);
  });
  it('are 422 for an unknown op', () => {
    expect(failure([{ op: 'frobnicate', path: '/spec' }])).toMatchObject({
      code: 422,
      message: 'Unexpected kind: frobnicate',
    });
  });
  it('never change the object they were given', () => {
    const current = doc();
    applyJsonPatch(current, [{ op: 'add', path: '/spec/args/0', value: 'x' }]);
    expect(current).toEqual(doc());
  });
  it('must leave an object behind', () => {
    expect(failure([{ op: 'replace', path: '', value: [1] }]).code).toBe(422);
  });
});
