import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRegularFile } from './read-regular-file.js';

const dir = mkdtempSync(join(tmpdir(), 'shisa-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readRegularFile', () => {
  it('reads a regular file whole, up to exactly the limit', async () => {
    const f = join(dir, 'ten');
    writeFileSync(f, '0123456789');
    expect(await readRegularFile(f, 10)).toEqual({ ok: true, bytes: Buffer.from('0123456789') });
    expect(await readRegularFile(f, 9)).toEqual({ ok: false, problem: 'too-large', detail: '10 B' });
  });

  it('counts bytes while reading instead of trusting the size the file system reports', async () => {
    // /proc files report size 0 and hold more.
    expect(statSync('/proc/self/status').size).toBe(0);
    expect(await readRegularFile('/proc/self/status', 16)).toEqual({
      ok: false,
      problem: 'too-large',
      detail: 'more than 16 B (it grew while read)',
    });
    const whole = await readRegularFile('/proc/self/status', 1 << 20);
    expect(whole.ok && whole.bytes.toString()).toMatch(/^Name:/);
  });

  it('never opens a device or a directory for reading as text', async () => {
    expect(await readRegularFile('/dev/zero', 1 << 20)).toEqual({
      ok: false,
      problem: 'not-regular',
      detail: 'a character device',
    });
    expect(await readRegularFile(dir, 1 << 20)).toEqual({ ok: false, problem: 'directory', detail: 'a directory' });
    expect(await readRegularFile(join(dir, 'missing'), 10)).toEqual({
      ok: false,
      problem: 'unreadable',
      detail: 'no such file (or a symbolic link to nothing)',
    });
  });
});
