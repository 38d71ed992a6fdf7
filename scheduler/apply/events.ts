import type { MigrationState } from '../../db/migration-journal.js';
import type { MigrationEnd } from './job.js';

/**
 * What `shisa apply` reports while it works: one event per step, as a line on a terminal or
 * a JSON object per line with `--json`. Every event names its migration and workload.
 */
export type ApplyEvent =
  | { readonly type: 'resume'; readonly count: number }
  | { readonly type: 'batch'; readonly batch: number; readonly of: number; readonly moves: number }
  | {
      readonly type: 'step';
      readonly migration: number;
      readonly workload: string;
      readonly state: MigrationState;
      readonly detail?: string;
    }
  | {
      readonly type: 'end';
      readonly migration: number;
      readonly workload: string;
      readonly from: string;
      readonly to: string;
      readonly end: MigrationEnd;
      readonly reason?: string;
    };

export type EmitEvent = (event: ApplyEvent) => void;
