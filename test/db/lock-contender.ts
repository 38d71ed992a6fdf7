/**
 * One contender for the rebalancing lock, as its own process: opens the store named by argv
 * and tries the lock, prints "won" or "lost", and (if it won) holds it until its stdin
 * closes, so the other contender of a trial always tries while the lock is held or free.
 * On the embedded database the folder lock is the rebalancing lock: losing is finding the
 * folder open in another process.
 */
import { tryRebalanceLock } from '../../db/rebalance-lock.js';
import { tryOpenStore } from '../../db/store.js';
import { Secret } from '../../scheduler/config/secret.js';

const [kind, where] = process.argv.slice(2) as [string, string];
if (kind === 'folder') await folderOnly(where);
const target =
  kind === 'postgres'
    ? { kind: 'postgres' as const, url: new Secret(where, 'DATABASE_URL') }
    : { kind: 'pglite' as const, dir: where };
const holder = `contender ${process.pid}`;
const opened = await tryOpenStore(target, { holder, rebalancing: true });
const taken = opened.ok ? await tryRebalanceLock(opened.store, holder) : undefined;
process.stdout.write(
  taken?.ok ? 'won\n' : `lost ${opened.ok ? (taken && !taken.ok ? taken.holder : '') : opened.message}\n`,
);
process.stdin.resume();
process.stdin.on('end', () => void releaseAndExit());

async function releaseAndExit(): Promise<never> {
  if (taken?.ok) await taken.lock.release();
  if (opened.ok) await opened.store.close();
  process.exit(0);
}

/**
 * The folder lock alone (what makes an embedded store one process's), without starting
 * PGlite behind it: the race trials test the lock, and PGlite's 2.5 s start would only slow them.
 */
async function folderOnly(folder: string): Promise<never> {
  const { tryLockFile } = await import('../../db/file-lock.js');
  const { LOCK_FILE } = await import('../../db/store.js');
  const path = await import('node:path');
  const got = await tryLockFile(path.join(folder, LOCK_FILE), `contender ${process.pid} [rebalancing]`);
  process.stdout.write(got.ok ? 'won\n' : `lost pid ${got.holder?.pid}\n`);
  process.stdin.resume();
  return new Promise<never>(() =>
    process.stdin.on('end', () => {
      if (got.ok) got.lock.release();
      process.exit(0);
    }),
  );
}
