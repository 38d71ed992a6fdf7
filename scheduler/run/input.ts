import type { Fleet } from '../../regions/fleet/model.js';
import type { Intent } from '../intent/model.js';
import type { InputDigest } from './ports.js';

/** What starts a run besides its ports: the checked fleet and intents, and how to run. */
export interface RunInput {
  readonly fleet: Fleet;
  readonly intents: readonly Intent[];
  /** The fleet file and the intent files, as parsed. */
  readonly files: readonly InputDigest[];
  readonly trigger: 'cron' | 'manual' | 'api';
  /** The run's time, epoch ms (default: the clock's now). */
  readonly at?: number;
  /** Per proof obligation: how long Z3 may take before the answer counts as unknown. */
  readonly timeoutMs: number;
}
