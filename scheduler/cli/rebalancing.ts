import { readJournal, type JournalView } from '../../db/journal-view.js';
import { tryRebalanceLock, type RebalanceLock } from '../../db/rebalance-lock.js';
import { StoreError } from '../../db/store-error.js';
import { isRebalancing, tryOpenStore, type Store, type StoreOpen } from '../../db/store.js';
import { EXIT, environmentOf, type CliIo } from './io.js';
import { STORE_WAIT_MS, storeTargetFor } from './store-target.js';

/** Opening the store, as a value: what it opened, or the error it failed with (said later). */
export type Opening = Promise<
  { readonly opened: StoreOpen; readonly where: string; readonly holder: string } | { readonly failed: unknown }
>;

/** What a rebalancing command holds while it runs: the store, the rebalancing lock, the journal read under it. */
export interface Rebalancing {
  readonly store: Store;
  readonly lock: RebalanceLock;
  /** Where the store is, as the user should see it. */
  readonly where: string;
  readonly journal: JournalView;
}

/**
 * Starts opening the store for a rebalancing command (`plan`, `apply`): a reader that has the
 * embedded database open briefly is waited for; another rebalancing is not.
 */
export function openRebalancingStore(
  command: string,
  options: { readonly config: string; readonly dataDir?: string },
  io: CliIo,
): Opening {
  const { target, where } = storeTargetFor(options.config, io.cwd, environmentOf(io), options.dataDir);
  const holder = `shisa ${command} --config ${options.config}`;
  return tryOpenStore(target, {
    holder,
    rebalancing: true,
    waitMs: STORE_WAIT_MS,
    waitFor: (h) => !isRebalancing(h),
    onWait: (w) => io.stderr(`shisa ${command}: ${w}\n`),
  }).then(
    (opened) => ({ opened, where, holder }),
    (failed: unknown) => ({ failed }),
  );
}

/**
 * Runs `run` holding the store and the rebalancing lock (one rebalancing at a time per store,
 * across replicas), with the journal read under the lock; both are let go of afterwards.
 * Busy (exit 4) when another process holds either; a store failure is one line and exit 1.
 */
export async function withRebalancing(
  command: string,
  io: CliIo,
  opening: Opening,
  run: (held: Rebalancing) => Promise<number>,
): Promise<number> {
  const o = await opening;
  if ('failed' in o) return storeFailure(command, io, o.failed);
  const { opened, where, holder } = o;
  if (!opened.ok) {
    io.stderr(`shisa ${command}: not run: ${opened.message}\n`);
    return EXIT.busy;
  }
  const store: Store = opened.store;
  try {
    const taken = await storeStep(command, io, () => tryRebalanceLock(store, holder));
    if (typeof taken === 'number') return taken;
    if (!taken.ok) {
      io.stderr(
        `shisa ${command}: not run: another rebalancing holds the rebalancing lock of ${where} (${taken.holder}); ` +
          'nothing was done\n',
      );
      return EXIT.busy;
    }
    try {
      // Read under the rebalancing lock: no other run journals or advances migrations meanwhile.
      const journal = await storeStep(command, io, () => readJournal(store));
      if (typeof journal === 'number') return journal;
      return await run({ store, lock: taken.lock, where, journal });
    } finally {
      await taken.lock.release();
    }
  } finally {
    await store.close();
  }
}

/** Runs a store step; a StoreError becomes its one line on stderr and exit 1. */
export async function storeStep<T>(command: string, io: CliIo, step: () => Promise<T>): Promise<T | number> {
  try {
    return await step();
  } catch (err) {
    return storeFailure(command, io, err);
  }
}

export function storeFailure(command: string, io: CliIo, err: unknown): number {
  if (!(err instanceof StoreError)) throw err;
  io.stderr(`shisa ${command}: ${err.message}\n`);
  return EXIT.internal;
}
