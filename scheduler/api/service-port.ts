import type { ApiError } from './api-error.js';

/** What `POST /v1/runs` came to: a run started now, or why not (one is going; the service is stopping). */
export type TriggerAnswer =
  | { readonly started: true }
  | { readonly started: false; readonly code: 'RUN_IN_PROGRESS' | 'STOPPING'; readonly message: string };

/** An enforcer's node as the scheduler knows it from the clusters. */
export interface NodeView {
  readonly node: string;
  readonly region: string;
  readonly workloads: readonly string[];
}

/** What the API asks of the running service (absent when the API is served without one, as in tests). */
export interface ServicePort {
  /** Starts a rebalancing run now, unless one is going. */
  trigger(): TriggerAnswer;
  /** A run planned and proven now, nothing recorded: the JSON `shisa plan --json` prints. */
  preview(): Promise<{ readonly plan: unknown } | ApiError>;
  /** The region and the workloads of a node, or why it is not known. */
  node(name: string): NodeView | string;
}
