import { inArray, max } from 'drizzle-orm';
import type { MigrationState } from './migration-journal.js';
import { migrations } from './schema.js';
import type { Store } from './store.js';
import { storeFault } from './store-fault.js';

/**
 * States in which a migration may have a copy of its workload in both regions: the target
 * is being or was created and the source is not yet confirmed gone, or a rollback is
 * removing the target. `planned` has touched nothing yet; `done`, `rolled-back`, `skipped`
 * and `failed` are over.
 */
export const UNDER_WAY: readonly MigrationState[] = [
  'creating',
  'target-created',
  'target-ready',
  'verifying',
  'removing-source',
  'source-removed',
  'rolling-back',
];

/** A journaled migration that is under way. */
export interface MigrationUnderWay {
  readonly id: number;
  readonly workload: string;
  readonly from: string;
  readonly to: string;
  readonly state: MigrationState;
}

/** What a run needs to know from the journal about the workloads it finds. */
export interface JournalView {
  /** By id. */
  readonly underWay: readonly MigrationUnderWay[];
  /** When each workload's latest migration finished `done` or `rolled-back`, epoch ms: the cooldown's start. */
  readonly lastMovedAt: ReadonlyMap<string, number>;
}

/** Reads the migrations under way and when each workload last finished moving. */
export async function readJournal(store: Store): Promise<JournalView> {
  try {
    const [active, done] = await Promise.all([
      store.db
        .select({
          id: migrations.id,
          workload: migrations.workload,
          from: migrations.fromRegion,
          to: migrations.toRegion,
          state: migrations.state,
        })
        .from(migrations)
        .where(inArray(migrations.state, [...UNDER_WAY]))
        .orderBy(migrations.id),
      store.db
        .select({ workload: migrations.workload, at: max(migrations.updatedAt) })
        .from(migrations)
        // A move rolled back starts the cooldown too: retrying it at the next run would only fail again.
        .where(inArray(migrations.state, ['done', 'rolled-back']))
        .groupBy(migrations.workload),
    ]);
    const lastMovedAt = new Map<string, number>();
    for (const d of done) if (d.at) lastMovedAt.set(d.workload, new Date(d.at).getTime());
    return {
      underWay: active.map((m) => ({ ...m, state: m.state as MigrationState })),
      lastMovedAt,
    };
  } catch (err) {
    throw storeFault(err, 'cannot read the migration journal', 'STORE_READ_FAILED');
  }
}
