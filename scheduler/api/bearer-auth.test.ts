import { describe, expect, it } from 'vitest';
import { Secret } from '../config/secret.js';
import { authorize } from './bearer-auth.js';

const tokens = {
  read: [new Secret('reader-token-1', 'SHISA_API_READ_TOKEN')],
  write: [new Secret('writer-token-1', 'SHISA_API_WRITE_TOKEN')],
};

describe('authorize', () => {
  it('lets a read token read and a write token do both', () => {
    expect(authorize('Bearer reader-token-1', 'read', tokens)).toEqual({ ok: true, scope: 'read' });
    expect(authorize('Bearer writer-token-1', 'read', tokens)).toEqual({ ok: true, scope: 'write' });
    expect(authorize('bearer   writer-token-1', 'write', tokens)).toEqual({ ok: true, scope: 'write' });
  });

  it('answers 403 to a read token on a write route', () => {
    expect(authorize('Bearer reader-token-1', 'write', tokens)).toMatchObject({
      ok: false,
      status: 403,
      code: 'AUTH_SCOPE',
    });
  });

  it.each([
    ['no header', undefined, 'AUTH_MISSING'],
    ['an empty header', '  ', 'AUTH_MISSING'],
    ['two headers', ['Bearer writer-token-1', 'Bearer x'], 'AUTH_MISSING'],
    ['Basic credentials', 'Basic d3JpdGVyOnRva2Vu', 'AUTH_INVALID'],
    ['a wrong token', 'Bearer writer-token-2', 'AUTH_INVALID'],
    ['a prefix of a token', 'Bearer writer-token', 'AUTH_INVALID'],
    ['a token with a control character', 'Bearer writer-token-1\u0000', 'AUTH_INVALID'],
    ['a megabyte of token', `Bearer ${'x'.repeat(1 << 20)}`, 'AUTH_INVALID'],
  ] as const)('answers 401 to %s, without echoing it', (_what, header, code) => {
    const r = authorize(header as string | string[] | undefined, 'read', tokens);
    expect(r).toMatchObject({ ok: false, status: 401, code });
    expect(JSON.stringify(r)).not.toMatch(/writer-token|reader-token|xxxx/);
  });

  it('refuses everything when no tokens are configured', () => {
    expect(authorize('Bearer anything', 'read', { read: [], write: [] })).toMatchObject({ status: 401 });
  });
});
