import type { Located, Span } from '../diagnostics/source-file.js';

/** A workload as the planner sees it: where it runs, what it requests, which intent covers it. */
export interface Workload {
  /** `namespace/name` */
  readonly name: string;
  readonly region: string;
  readonly cpu: number;
  readonly memoryGib: number;
  /** The intent named for this workload, if any (more may select it by pattern). */
  readonly intent?: string;
  /** Workloads this one calls (`namespace/name`), as the service mesh reports them. */
  readonly dependsOn: readonly Located<string>[];
  /** When shisa last moved it, epoch ms; drives the cooldown. */
  readonly lastMovedAt?: number;
  readonly span: Span;
}
