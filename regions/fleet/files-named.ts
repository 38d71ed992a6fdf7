import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
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
 * folder (recursively, sorted, dot-entries skipped). Undefined when the entry cannot be
 * used, reported where the fleet file names it.
 */
export async function filesNamed(ref: FileRef, options: FilesNamedOptions, fleetSource: SourceFile | undefined, diagnostics: Diagnostic[]): Promise<string[] | undefined> {
  const problem = (code: string, message: string): undefined => {
    diagnostics.push(diagnostic({ code, message, span: ref.span, ...(fleetSource ? { source: fleetSource } : {}), expected: options.expected }));
    return undefined;
  };
  let st;
  try {
    st = await stat(ref.path);
  } catch {
    return problem('fleet/missing-file', `${options.what} "${ref.display}" does not exist`);
  }
  if (!st.isDirectory()) {
    if (options.strictFile && !ref.path.endsWith(options.extension)) return problem('fleet/not-intent-file', `"${ref.display}" is not an intent file (*${options.extension})`);
    return [ref.path];
  }
  try {
    return await walk(ref.path, options.extension);
  } catch (err) {
    return problem('fleet/unreadable', `cannot read folder "${ref.display}": ${(err as NodeJS.ErrnoException).code ?? 'unknown error'}`);
  }
}

async function walk(dir: string, extension: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p, extension)));
    else if (e.isFile() && e.name.endsWith(extension)) out.push(p);
  }
  return out;
}
