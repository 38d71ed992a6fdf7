import { formatBytes, readRegularFile } from './read-regular-file.js';
import { withArticle } from './clip.js';
import { diagnostic, type Diagnostic } from './diagnostic.js';
import { SourceFile, type Span } from './source-file.js';

export type ReadSourceResult =
  { readonly ok: true; readonly source: SourceFile } | { readonly ok: false; readonly diagnostic: Diagnostic };

/**
 * Reads a user's text file, refusing what cannot be a config file with a located diagnostic
 * instead of an exception: anything but a regular file (a FIFO would block forever, a device
 * such as /dev/zero never ends), too large (counted while reading, never trusted from
 * stat), changed while it was read, binary, not UTF-8. Symbolic links are followed (the
 * kernel refuses loops). `displayName` is the path as the user should see it in messages.
 */
export async function readSource(
  path: string,
  displayName: string,
  maxBytes: number,
  kind: string,
): Promise<ReadSourceResult> {
  const read = await readRegularFile(path, maxBytes);
  if (read.ok) return decodeSource(displayName, read.bytes, kind);
  const at = new SourceFile(displayName, '').span(0);
  switch (read.problem) {
    case 'directory':
      return fail('file/is-directory', `${kind} path is a directory, not a file`, at);
    case 'not-regular':
      return fail(
        'file/not-regular',
        `${kind} is ${read.detail}, not a regular file`,
        at,
        `${withArticle(kind)}: a regular file (symbolic links to one are followed)`,
      );
    case 'too-large':
      return fail(
        'file/too-large',
        `${kind} is ${read.detail}, larger than the ${formatBytes(maxBytes)} limit`,
        at,
        `${withArticle(kind)} of at most ${formatBytes(maxBytes)}`,
      );
    case 'changed':
      return fail(
        'file/changed-while-read',
        `${kind} changed while it was read`,
        at,
        undefined,
        undefined,
        'read it again once whatever writes it has finished',
      );
    case 'unreadable':
      return fail('file/unreadable', `cannot read ${kind}: ${read.detail}`, at);
  }
}

/** Turns bytes into a SourceFile, or a diagnostic at the first byte that is not text. */
export function decodeSource(displayName: string, bytes: Uint8Array, kind: string): ReadSourceResult {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || looksUtf16(bytes)) {
    const source = new SourceFile(displayName, '');
    return fail(
      'file/not-utf8',
      `${kind} is UTF-16 text; shisa reads UTF-8`,
      source.span(0),
      'a UTF-8 text file',
      undefined,
      'save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)',
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const lossy = new TextDecoder('utf-8').decode(bytes);
    const source = new SourceFile(displayName, lossy);
    const at = Math.max(0, lossy.indexOf('\ufffd'));
    return fail(
      'file/not-utf8',
      `${kind} is not UTF-8 text (invalid byte sequence)`,
      source.span(at, at + 1),
      'a UTF-8 text file',
      source,
    );
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    const source = new SourceFile(displayName, text);
    return fail(
      'file/binary',
      `${kind} looks binary (contains a NUL byte)`,
      source.span(nul, nul + 1),
      'a UTF-8 text file',
      source,
    );
  }
  return { ok: true, source: new SourceFile(displayName, text) };
}

function fail(
  code: string,
  message: string,
  span: Span,
  expected?: string,
  source?: SourceFile,
  hint?: string,
): ReadSourceResult {
  return {
    ok: false,
    diagnostic: diagnostic({
      code,
      message,
      span,
      ...(expected ? { expected } : {}),
      ...(source ? { source } : {}),
      ...(hint ? { hint } : {}),
    }),
  };
}

/** ASCII text saved as UTF-16 without a byte-order mark: every other byte is NUL. */
function looksUtf16(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512);
  if (n < 8) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== 0) continue;
    if (i % 2 === 0) even++;
    else odd++;
  }
  return Math.max(even, odd) >= 0.4 * n && Math.min(even, odd) === 0;
}
