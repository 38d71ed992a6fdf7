import type { RebalanceLock } from '../../db/rebalance-lock.js';
import { recordRun, type RecordOptions, type RunRecord } from '../../db/record-run.js';
import { StoreError } from '../../db/store-error.js';
import type { Store } from '../../db/store.js';
import type { Recorded, RunStore } from './ports.js';

/**
 * The store as a run records into it: under the rebalancing lock, checked before the write
 * and inside its transaction, so a run that lost the lock writes nothing. `after` writes what
 * must go with the run in its transaction (the messages that tell of its exceptions).
 */
export function storeRecorder(
  store: Store,
  lock: RebalanceLock,
  where: string,
  after?: RecordOptions['after'],
): RunStore {
  return Object.freeze({
    where,
    async record(record: RunRecord): Promise<Recorded> {
      const lost = lock.lost();
      if (lost) return { ok: false, code: 'STORE_LOCK_LOST', message: `lost the rebalancing lock (${lost})` };
      try {
        return {
          ok: true,
          id: await recordRun(store, record, { guard: (tx) => lock.guard(tx), ...(after ? { after } : {}) }),
        };
      } catch (err) {
        if (!(err instanceof StoreError)) throw err;
        return { ok: false, code: err.code, message: err.message };
      }
    },
  });
}
