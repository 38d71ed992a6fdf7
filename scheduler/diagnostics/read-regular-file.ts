import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

export type RegularFileRead =
  | { readonly ok: true; readonly bytes: Buffer }
  | {
      readonly ok: false;
      readonly problem: 'directory' | 'not-regular' | 'too-large' | 'changed' | 'unreadable';
      readonly detail: string;
    };

const CHUNK = 64 * 1024;

/**
 * Reads at most `maxBytes` of a regular file. The checks are made on the opened file, not on
 * its path (which could be swapped between a check and the read): it is opened without
 * blocking (a FIFO would otherwise wait for a writer forever), must be a regular file, and
 * is read until `maxBytes` + 1 bytes at most, whatever its size claims (/proc files say 0,
 * a growing file says less than it will hold). A modification time, or a real size, that
 * differs after the read from before means it changed while read.
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<RegularFileRead> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    return { ok: false, problem: 'unreadable', detail: describeFsError(err) };
  }
  try {
    const before = await fh.stat();
    if (before.isDirectory()) return { ok: false, problem: 'directory', detail: 'a directory' };
    if (!before.isFile()) return { ok: false, problem: 'not-regular', detail: fileType(before) };
    if (before.size > maxBytes) return { ok: false, problem: 'too-large', detail: formatBytes(before.size) };
    const bytes = await readCapped(fh, maxBytes);
    if (bytes === undefined)
      return { ok: false, problem: 'too-large', detail: `more than ${formatBytes(maxBytes)} (it grew while read)` };
    const after = await fh.stat();
    // Pseudo-files (/proc) report size 0 before and after: only a real size is compared.
    const sizeKnown = before.size > 0 || after.size > 0;
    if (after.mtimeMs !== before.mtimeMs || (sizeKnown && after.size !== bytes.length))
      return { ok: false, problem: 'changed', detail: '' };
    return { ok: true, bytes };
  } catch (err) {
    return { ok: false, problem: 'unreadable', detail: describeFsError(err) };
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** The bytes, or undefined as soon as there are more than `maxBytes`. */
async function readCapped(fh: FileHandle, maxBytes: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - total));
    const { bytesRead } = await fh.read(buf, 0, buf.length, null);
    if (bytesRead === 0) return Buffer.concat(parts, total);
    parts.push(buf.subarray(0, bytesRead));
    total += bytesRead;
    if (total > maxBytes) return undefined;
  }
}

function fileType(st: {
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file (or a symbolic link to nothing)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links (a symbolic link loop)';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'EIO':
      return 'input/output error';
    case 'EAGAIN':
      return 'the file is not ready to be read (EAGAIN)';
    default:
      return code ?? 'unknown error';
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}
