import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Environment } from '../../../scheduler/config/environment.js';
import { diagnostic, type Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import { displayPath } from '../../../scheduler/diagnostics/display-path.js';
import { readSource } from '../../../scheduler/diagnostics/read-source.js';
import { describeFsError, formatBytes } from '../../../scheduler/diagnostics/read-regular-file.js';
import { SourceFile } from '../../../scheduler/diagnostics/source-file.js';
import { validateYaml } from '../../fleet/schema-diagnostics.js';
import { parseYamlSource, type YamlSource } from '../../fleet/yaml-source.js';
import { kubeconfigSchema, type KubeconfigData } from './kubeconfig-schema.js';

/** A kubeconfig file, read and checked. */
export interface KubeconfigFile {
  readonly path: string;
  readonly display: string;
  readonly data: KubeconfigData;
  readonly yaml: YamlSource;
}

/** Where the kubeconfig comes from, in kubectl's order: the flag, then $KUBECONFIG, then ~/.kube/config. */
export interface KubeconfigPaths {
  readonly paths: readonly string[];
  readonly from: '--kubeconfig' | 'KUBECONFIG' | 'default';
}

const MAX_BYTES = 4 * 1024 * 1024;

export function kubeconfigPaths(flag: string | undefined, env: Environment, cwd: string): KubeconfigPaths {
  if (flag !== undefined) return { paths: [resolve(cwd, flag)], from: '--kubeconfig' };
  const list = env.setting('KUBECONFIG');
  if (list !== undefined) {
    // kubectl: a colon-separated list, empty entries skipped, the first to define a name wins.
    const paths = [
      ...new Set(
        list
          .split(':')
          .filter((p) => p !== '')
          .map((p) => resolve(cwd, p)),
      ),
    ];
    if (paths.length > 0) return { paths, from: 'KUBECONFIG' };
  }
  // Without $HOME, the home directory of the user shisa runs as (as kubectl does).
  const home = env.setting('HOME') ?? homedir();
  return { paths: [join(home, '.kube', 'config')], from: 'default' };
}

/**
 * Reads and checks every kubeconfig file. A file named by the flag must exist; files from
 * $KUBECONFIG that do not exist are skipped, as kubectl does, but at least one must.
 */
export async function readKubeconfigs(
  where: KubeconfigPaths,
  cwd: string,
): Promise<{ files: KubeconfigFile[]; diagnostics: Diagnostic[] }> {
  const files: KubeconfigFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const missing: Missing[] = [];
  for (const path of where.paths) {
    const display = displayPath(cwd, path);
    const read = await readSource(path, display, MAX_BYTES, 'kubeconfig');
    if (!read.ok) {
      if (read.diagnostic.code === 'file/unreadable' && /ENOENT|no such file/i.test(read.diagnostic.message)) {
        missing.push({ display, dangling: await danglingTarget(path) });
        continue;
      }
      diagnostics.push(read.diagnostic);
      continue;
    }
    const checked = checkKubeconfig(read.source);
    diagnostics.push(...checked.diagnostics);
    if (checked.file) files.push({ ...checked.file, path, display });
  }
  if (files.length === 0 && diagnostics.length === 0) diagnostics.push(noKubeconfig(where, missing));
  else if (where.from === '--kubeconfig' && missing.length > 0) diagnostics.push(noKubeconfig(where, missing));
  return { files, diagnostics };
}

function checkKubeconfig(source: SourceFile): {
  file?: Omit<KubeconfigFile, 'path' | 'display'>;
  diagnostics: Diagnostic[];
} {
  const parsed = parseYamlSource(source, 'kubeconfig', 'kubeconfig');
  // A file that does not parse cannot say which of its lines hold credentials: none is quoted.
  if (!parsed.yaml) return { diagnostics: parsed.diagnostics.map(withoutCredentials) };
  const validated = validateYaml(kubeconfigSchema, parsed.yaml, 'kubeconfig', 'kubeconfig');
  if (!validated.value) {
    const users = usersSpan(parsed.yaml);
    const inUsers = (d: Diagnostic) => users !== undefined && d.span.start >= users.start && d.span.end <= users.end;
    return { diagnostics: validated.diagnostics.map((d) => (inUsers(d) ? withoutCredentials(d) : d)) };
  }
  return { file: { data: validated.value, yaml: parsed.yaml }, diagnostics: [] };
}

/** Where `users:` is written, if it is: its values are credentials. */
function usersSpan(yaml: YamlSource): { start: number; end: number } | undefined {
  const data = yaml.data;
  if (typeof data !== 'object' || data === null || !('users' in data)) return undefined;
  return yaml.valueSpan(['users']);
}

/**
 * The diagnostic without its excerpt and without the value it found: a line of a kubeconfig
 * may hold a token or password of any shape, which redaction by shape would not recognise.
 */
function withoutCredentials(d: Diagnostic): Diagnostic {
  return diagnostic({
    code: d.code,
    severity: d.severity,
    message: d.message.replace(/, found .*$/, ''),
    span: d.span,
    ...(d.expected !== undefined ? { expected: d.expected } : {}),
    ...(d.hint !== undefined ? { hint: d.hint } : {}),
  });
}

/** A path that does not exist; `dangling` is the target when it is a symbolic link to nothing. */
interface Missing {
  readonly display: string;
  readonly dangling?: string | undefined;
}

/** Where a symbolic link that leads nowhere points, or undefined when `path` is no symbolic link. */
async function danglingTarget(path: string): Promise<string | undefined> {
  try {
    return (await lstat(path)).isSymbolicLink() ? await readlink(path) : undefined;
  } catch {
    return undefined;
  }
}

function noKubeconfig(where: KubeconfigPaths, missing: readonly Missing[]): Diagnostic {
  const named = missing
    .map((m) =>
      m.dangling === undefined ? m.display : `${m.display}, a symbolic link to ${m.dangling}, which does not exist`,
    )
    .join('; ');
  const how =
    where.from === '--kubeconfig'
      ? 'the file --kubeconfig names does not exist'
      : where.from === 'KUBECONFIG'
        ? 'none of the files $KUBECONFIG lists exists'
        : 'there is no ~/.kube/config';
  return diagnostic({
    code: 'kubeconfig/not-found',
    message: `cannot read the clusters: ${how} (${named})`,
    span: new SourceFile(missing[0]?.display ?? 'kubeconfig', '').span(0),
    expected: 'a kubeconfig with a context for each region, named by --kubeconfig or $KUBECONFIG',
  });
}

/** A path inside a kubeconfig, resolved against the folder of the file that holds it (as kubectl does). */
export function pathInKubeconfig(file: KubeconfigFile, p: string): string {
  return isAbsolute(p) ? p : resolve(dirname(file.path), p);
}

/** Files a kubeconfig names (certificates, keys, tokens): far larger than any of them. */
export const MAX_REFERENCED_BYTES = 1024 * 1024;

export type ReferencedFile =
  { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly why: string };

/**
 * Reads a file a kubeconfig names, as every input file is read (read-regular-file.ts), but
 * synchronously, because the Kubernetes client would otherwise read it itself, with
 * readFileSync, on every request: a FIFO nobody writes to would block the process forever
 * and /dev/zero would fill its memory. Opened without blocking, it must be a regular file
 * of at most MAX_REFERENCED_BYTES, counted while reading. Never quotes what it read.
 */
export function readReferencedFile(path: string, maxBytes = MAX_REFERENCED_BYTES): ReferencedFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    return { ok: false, why: describeFsError(err) };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, why: `${notRegular(st)}, not a regular file` };
    if (st.size > maxBytes) return { ok: false, why: `${formatBytes(st.size)}, larger than ${formatBytes(maxBytes)}` };
    const buf = Buffer.allocUnsafe(maxBytes + 1);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) return { ok: false, why: `larger than ${formatBytes(maxBytes)}` };
    }
    return { ok: true, bytes: Buffer.from(buf.subarray(0, total)) };
  } catch (err) {
    return { ok: false, why: describeFsError(err) };
  } finally {
    closeSync(fd);
  }
}

function notRegular(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}
