import { dirname, join, resolve } from 'node:path';
import type { StoreTarget } from '../../db/store.js';
import type { Environment } from '../config/environment.js';
import { displayPath } from '../diagnostics/display-path.js';

/**
 * Where a command keeps state: the PostgreSQL server named by DATABASE_URL when it is set,
 * else the embedded database in `dataDir`, by default `.shisa/` next to the fleet file.
 */
export function storeTargetFor(
  fleetFile: string,
  cwd: string,
  env: Environment,
  dataDir?: string,
): { target: StoreTarget; where: string } {
  const url = env.secret('DATABASE_URL');
  if (url) return { target: { kind: 'postgres', url }, where: 'the PostgreSQL server in DATABASE_URL' };
  const dir = dataDir ? resolve(cwd, dataDir) : join(dirname(resolve(cwd, fleetFile)), '.shisa');
  return { target: { kind: 'pglite', dir }, where: displayPath(cwd, dir) };
}

/**
 * How long a command waits for another process to close the embedded database (one process
 * at a time may have it open) before it says who has it: long enough for a `shisa history`
 * or most plans to finish, short enough that a stuck holder is reported, not waited on.
 */
export const STORE_WAIT_MS = 15_000;
