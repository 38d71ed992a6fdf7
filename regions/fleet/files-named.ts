import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { diagnostic, type Diagnostic } from '../../scheduler/diagnostics/diagnostic.js';
import type { SourceFile } from '../../scheduler/diagnostics/source-file.js';
import type { FileRef } from './model.js';

export interface FilesNamedOptions {
  /** File name ending searched for in folders, e.g. `.intent`. */
  readonly extension: string;
  /** What the fleet calls such a path, for messages: "intent path", "replay trace path". */
  readonly what: string;
  /** What would have been accepted, for messages. */
  readonly expected: string;
  /** Whether a file named directly must have the extension too. */
  readonly strictFile: boolean;
}

/**
 * The files a fleet entry names: the file itself, or every file with the extension below a
 * folder (recursively, sorted, dot-entries skipped). Symbolic links are followed — a
 * Kubernetes ConfigMap volume is nothing but links (`name -> ..data/name`, `..data -> a
 * timestamped folder`) — and a link back into a folder being walked is an error, not a
 * loop. A matching name that cannot be read (a link to nothing, a FIFO) is still returned,
 * so reading it reports why: nothing shisa was told about is skipped. Undefined when the
 * entry cannot be used, reported where the fleet file names it.
 */
export async function filesNamed(
  ref: FileRef,
  options: FilesNamedOptions,
  fleetSource: SourceFile | undefined,
  diagnostics: Diagnostic[],
): Promise<string[] | undefined> {
  const problem = (code: string, message: string): undefined => {
    diagnostics.push(
      diagnostic({
        code,
        message,
        span: ref.span,
        ...(fleetSource ? { source: fleetSource } : {}),
        expected: options.expected,
      }),
    );
    return undefined;
  };
  let st;
  try {
    st = await stat(ref.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      return problem('fleet/unreadable', `${options.what} "${ref.display}" is a symbolic link loop`);
    const dangling =
      code === 'ENOENT' &&
      (await lstat(ref.path).then(
        (l) => l.isSymbolicLink(),
        () => false,
      ));
    return problem(
      'fleet/missing-file',
      `${options.what} "${ref.display}" ${dangling ? 'is a symbolic link to nothing' : 'does not exist'}`,
    );
  }
  if (!st.isDirectory()) {
    if (options.strictFile && !ref.path.endsWith(options.extension))
      return problem('fleet/not-intent-file', `"${ref.display}" is not an intent file (*${options.extension})`);
    return [ref.path];
  }
  try {
    return await walk(ref.path, options.extension, [await realpath(ref.path)]);
  } catch (err) {
    if (err instanceof LinkLoop)
      return problem(
        'fleet/unreadable',
        `folder "${ref.display}" links back into itself at "${relative(ref.path, err.path) || '.'}" ` +
          '(a symbolic link loop)',
      );
    return problem(
      'fleet/unreadable',
      `cannot read folder "${ref.display}": ${(err as NodeJS.ErrnoException).code ?? 'unknown error'}`,
    );
  }
}

class LinkLoop extends Error {
  constructor(readonly path: string) {
    super(`symbolic link loop at ${path}`);
  }
}

/** `ancestors`: the real paths of the folders being walked, outermost first (a link to one is a loop). */
async function walk(dir: string, extension: string, ancestors: readonly string[]): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    const kind = e.isSymbolicLink() ? await followed(p) : e.isDirectory() ? 'directory' : 'other';
    if (kind === 'directory') {
      const real = await realpath(p);
      if (ancestors.includes(real)) throw new LinkLoop(p);
      out.push(...(await walk(p, extension, [...ancestors, real])));
    } else if (e.name.endsWith(extension)) {
      out.push(p);
    }
  }
  return out;
}

/** What a symbolic link leads to; a link to nothing or a loop is 'other' (reading it says why). */
async function followed(path: string): Promise<'directory' | 'other'> {
  try {
    return (await stat(path)).isDirectory() ? 'directory' : 'other';
  } catch {
    return 'other';
  }
}
