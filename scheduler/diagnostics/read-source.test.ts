import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSource, readSource } from './read-source.js';

describe('decodeSource', () => {
  it('accepts UTF-8 text', () => {
    const r = decodeSource('f', new TextEncoder().encode('héllo'), 'intent file');
    expect(r.ok && r.source.text).toBe('héllo');
  });
  it('locates the first invalid UTF-8 byte', () => {
    const r = decodeSource('f', new Uint8Array([0x61, 0x0a, 0x62, 0xff, 0x63]), 'intent file');
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect([r.diagnostic.code, r.diagnostic.span.line, r.diagnostic.span.col]).toEqual(['file/not-utf8', 2, 2]);
  });
  it('refuses binary content (NUL bytes)', () => {
    const r = decodeSource('f', new Uint8Array([0x61, 0x00, 0x62]), 'fleet file');
    expect(!r.ok && r.diagnostic.code).toBe('file/binary');
  });
});

describe('readSource', () => {
  it('refuses files over the limit before reading them, and reports missing files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shisa-read-'));
    await writeFile(join(dir, 'big'), 'x'.repeat(2048));
    const big = await readSource(join(dir, 'big'), 'big', 1024, 'intent file');
    expect(!big.ok && big.diagnostic.message).toBe('intent file is 2.0 KiB, larger than the 1.0 KiB limit');
    const missing = await readSource(join(dir, 'nope'), 'nope', 1024, 'intent file');
    expect(!missing.ok && missing.diagnostic.message).toBe(
      'cannot read intent file: no such file (or a symbolic link to nothing)',
    );
    const folder = await readSource(dir, 'dir', 1024, 'intent file');
    expect(!folder.ok && folder.diagnostic.code).toBe('file/is-directory');
  });
});
