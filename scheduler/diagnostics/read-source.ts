import { readFile, stat } from 'node:fs/promises';
import { withArticle } from './clip.js';
import { diagnostic, type Diagnostic } from './diagnostic.js';
import { SourceFile, type Span } from './source-file.js';

export type ReadSourceResult =
  | { readonly ok: true; readonly source: SourceFile }
  | { readonly ok: false; readonly diagnostic: Diagnostic };

/**
 * Reads a user's text file, refusing what cannot be a config file (too large, binary,
 * not UTF-8) with a located diagnostic instead of an exception. `displayName` is the
 * path as the user should see it in messages.
 */
export async function readSource(path: string, displayName: string, maxBytes: number, kind: string): Promise<ReadSourceResult> {
  const at = new SourceFile(displayName, '').span(0);
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory()) {
      return fail('file/is-directory', `${kind} path is a directory, not a file`, at);
    }
    size = st.size;
  } catch (err) {
    return fail('file/unreadable', `cannot read ${kind}: ${describeFsError(err)}`, at);
  }
  if (size > maxBytes) {
    return fail(
      'file/too-large',
      `${kind} is ${formatBytes(size)}, larger than the ${formatBytes(maxBytes)} limit`,
      at,
      `${withArticle(kind)} of at most ${formatBytes(maxBytes)}`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    return fail('file/unreadable', `cannot read ${kind}: ${describeFsError(err)}`, at);
  }
  return decodeSource(displayName, bytes, kind);
}

/** Turns bytes into a SourceFile, or a diagnostic at the first byte that is not text. */
export function decodeSource(displayName: string, bytes: Uint8Array, kind: string): ReadSourceResult {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || looksUtf16(bytes)) {
    const source = new SourceFile(displayName, '');
    return fail('file/not-utf8', `${kind} is UTF-16 text; shisa reads UTF-8`, source.span(0), 'a UTF-8 text file', undefined, 'save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const lossy = new TextDecoder('utf-8').decode(bytes);
    const source = new SourceFile(displayName, lossy);
    const at = Math.max(0, lossy.indexOf('\ufffd'));
    return fail('file/not-utf8', `${kind} is not UTF-8 text (invalid byte sequence)`, source.span(at, at + 1), 'a UTF-8 text file', source);
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    const source = new SourceFile(displayName, text);
    return fail('file/binary', `${kind} looks binary (contains a NUL byte)`, source.span(nul, nul + 1), 'a UTF-8 text file', source);
  }
  return { ok: true, source: new SourceFile(displayName, text) };
}

function fail(code: string, message: string, span: Span, expected?: string, source?: SourceFile, hint?: string): ReadSourceResult {
  return {
    ok: false,
    diagnostic: diagnostic({ code, message, span, ...(expected ? { expected } : {}), ...(source ? { source } : {}), ...(hint ? { hint } : {}) }),
  };
}

/** ASCII text saved as UTF-16 without a byte-order mark: every other byte is NUL. */
function looksUtf16(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512);
  if (n < 8) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i++) if (bytes[i] === 0) i % 2 === 0 ? even++ : odd++;
  return Math.max(even, odd) >= 0.4 * n && Math.min(even, odd) === 0;
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return code ?? 'unknown error';
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}
