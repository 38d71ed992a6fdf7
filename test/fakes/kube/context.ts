// What every handler of one fake cluster shares: its store, its open watches and its settings.

import type { Faults } from './faults.js';
import type { RESOURCE_TYPES } from './resource-types.js';
import type { Store } from './store.js';
import type { OpenWatch } from './watch.js';

export interface ApiContext {
  readonly store: Store;
  readonly watches: Set<OpenWatch>;
  readonly faults: Faults;
  readonly bookmarkIntervalMs: number;
  readonly types: typeof RESOURCE_TYPES;
}
