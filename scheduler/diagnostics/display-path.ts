import { isAbsolute, relative, resolve } from 'node:path';

/**
 * How a path is shown to the person who typed it: relative to `cwd` when it lies inside it,
 * else absolute (a path that climbs out with `..` reads worse than where it ends up).
 */
export function displayPath(cwd: string, path: string): string {
  const abs = resolve(cwd, path);
  const rel = relative(cwd, abs);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}
