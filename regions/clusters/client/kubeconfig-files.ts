import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Environment } from '../../../scheduler/config/environment.js';
import { diagnostic, type Diagnostic } from '../../../scheduler/diagnostics/diagnostic.js';
import { displayPath } from '../../../scheduler/diagnostics/display-path.js';
import { readSource } from '../../../scheduler/diagnostics/read-source.js';
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
  const missing: string[] = [];
  for (const path of where.paths) {
    const display = displayPath(cwd, path);
    const read = await readSource(path, display, MAX_BYTES, 'kubeconfig');
    if (!read.ok) {
      if (read.diagnostic.code === 'file/unreadable' && /ENOENT|no such file/i.test(read.diagnostic.message)) {
        missing.push(display);
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
  if (!parsed.yaml) return { diagnostics: parsed.diagnostics };
  const validated = validateYaml(kubeconfigSchema, parsed.yaml, 'kubeconfig', 'kubeconfig');
  if (!validated.value) return { diagnostics: validated.diagnostics };
  return { file: { data: validated.value, yaml: parsed.yaml }, diagnostics: [] };
}

function noKubeconfig(where: KubeconfigPaths, missing: readonly string[]): Diagnostic {
  const named = missing.join(', ');
  const how =
    where.from === '--kubeconfig'
      ? 'the file --kubeconfig names does not exist'
      : where.from === 'KUBECONFIG'
        ? 'none of the files $KUBECONFIG lists exists'
        : 'there is no ~/.kube/config';
  return diagnostic({
    code: 'kubeconfig/not-found',
    message: `cannot read the clusters: ${how} (${named})`,
    span: new SourceFile(missing[0] ?? 'kubeconfig', '').span(0),
    expected: 'a kubeconfig with a context for each region, named by --kubeconfig or $KUBECONFIG',
  });
}

/** A path inside a kubeconfig, resolved against the folder of the file that holds it (as kubectl does). */
export function pathInKubeconfig(file: KubeconfigFile, p: string): string {
  return isAbsolute(p) ? p : resolve(dirname(file.path), p);
}
