import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's own folder, found by walking up from this module to package.json, so the
 * bundled data is found both from sources (tests) and from dist/ (the CLI).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('shisa: cannot find its package folder');
    dir = up;
  }
  return dir;
}

/** The four 2022 hourly traces shipped with shisa (Electricity Maps, ODbL). */
export function bundledTracesDir(): string {
  return join(packageRoot(), 'regions', 'data', 'hourly');
}
