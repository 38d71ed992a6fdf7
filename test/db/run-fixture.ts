import type { JournalMove } from '../../db/migration-journal.js';
import type { RunRecord } from '../../db/record-run.js';

/** A run record's moves, proven in one batch, decided from no files and no audited intents. */
export function movesInOneBatch<M extends JournalMove>(
  moves: readonly M[],
): Pick<RunRecord, 'order' | 'inputs' | 'audited'> & { moves: readonly M[] } {
  return {
    moves,
    order: moves.length ? [moves] : [],
    inputs: { files: [], carbon: '0'.repeat(64) },
    audited: new Map(),
  };
}
