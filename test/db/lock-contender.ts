/**
 * One contender for the rebalancing lock, as its own process: tries the lock for the store
 * named by argv, prints "won" or "lost", and (if it won) holds the lock until its stdin
 * closes, so the other contender of a trial always tries while the lock is held or free.
 */
import { tryRebalanceLock } from '../../db/rebalance-lock.js';
import { Secret } from '../../scheduler/config/secret.js';

const [kind, where] = process.argv.slice(2) as [string, string];
const target = kind === 'postgres' ? { kind: 'postgres' as const, url: new Secret(where, 'DATABASE_URL') } : { kind: 'pglite' as const, dir: where };
const lock = await tryRebalanceLock(target, `contender ${process.pid}`);
process.stdout.write(lock ? 'won\n' : 'lost\n');
process.stdin.resume();
process.stdin.on('end', async () => {
  await lock?.release();
  process.exit(0);
});
