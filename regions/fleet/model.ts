import type { Span } from '../../scheduler/diagnostics/source-file.js';
import type { SelectorRequirement } from '../clusters/label-selector.js';
import type { LatencyMatrix } from '../latency-matrix.js';

/**
 * A validated fleet file in the units the code works in (ms, %, gCO2eq/kWh, W). Built once
 * at the boundary, frozen, and passed down; nothing below re-reads the YAML.
 */

export interface Region {
  readonly name: string;
  /** Electricity Maps zone code. */
  readonly zone: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  readonly compliance: readonly string[];
  /** kubeconfig context. */
  readonly cluster: string;
  /** Where the fleet file names the context. */
  readonly clusterSpan: Span;
  readonly capacity: { readonly cpu: number; readonly memoryGib: number };
  readonly labels: Readonly<Record<string, string>>;
  readonly span: Span;
}

/** A file the fleet refers to, resolved against the fleet file's folder. */
export interface FileRef {
  readonly path: string;
  /** The path as the user should see it in messages. */
  readonly display: string;
  /** Where the fleet file names it. */
  readonly span: Span;
}

export type CarbonSourceKind = 'static' | 'electricitymaps' | 'replay';

export interface CarbonSettings {
  readonly source: CarbonSourceKind;
  readonly maxStalenessMs: number;
  readonly emissionFactor: 'lifecycle' | 'direct';
  readonly static: { readonly year: number };
  readonly electricitymaps: {
    readonly baseUrl: string;
    /** Name of the environment variable holding the token, never the token. */
    readonly tokenEnv: string;
    readonly timeoutMs: number;
    readonly cacheTtlMs: number;
    readonly retries: number;
  };
  readonly replay?: { readonly traces: readonly FileRef[] };
}

export interface PowerModel {
  readonly wattsPerCpu: number;
  readonly wattsPerGib: number;
  readonly pue: number;
}

export interface RebalancePolicy {
  /** Five-field cron, UTC. */
  readonly schedule: string;
  readonly migrationBudget: number;
  readonly minSavingPercent: number;
  readonly cooldownMs: number;
  /** gCO2eq/h charged per move in the objective. */
  readonly migrationCostGPerH: number;
  /** How long a migrated copy may take to serve before the move is rolled back, ms. */
  readonly readyTimeoutMs: number;
  /** How long a ready copy is watched before the source is removed, ms. */
  readonly verifyWindowMs: number;
  /** Migrations under way at once, in all and per cluster. */
  readonly maxParallel: number;
  readonly maxParallelPerCluster: number;
}

export interface NotifyChannel {
  readonly name: string;
  /** Name of the environment variable holding the webhook URL, never the URL. */
  readonly webhookEnv: string;
  readonly events: readonly ('migrations' | 'exceptions')[];
  readonly span: Span;
}

export interface Fleet {
  /** The fleet file as the user named it. */
  readonly file: string;
  readonly name?: string;
  readonly regions: readonly Region[];
  readonly regionsByName: ReadonlyMap<string, Region>;
  readonly latency: LatencyMatrix;
  readonly carbon: CarbonSettings;
  readonly power: PowerModel;
  readonly policy: RebalancePolicy;
  readonly notify: ReadonlyMap<string, NotifyChannel>;
  readonly intents: readonly FileRef[];
  /** The inventory file, when the workloads come from one. */
  readonly inventory?: FileRef;
  /** When the workloads come from the regions' clusters (`inventory: { source: clusters }`). */
  readonly clusterInventory?: ClusterInventorySettings;
}

/** What to read from each region's cluster. */
export interface ClusterInventorySettings {
  /** Namespaces to read; empty reads all. */
  readonly namespaces: readonly string[];
  /** A label selector the workloads must match, already checked, as written… */
  readonly selector?: string;
  /** …and as the requirements it holds (for matching objects the server did not filter). */
  readonly requirements?: readonly SelectorRequirement[];
  /** Where the fleet file says so. */
  readonly span: Span;
}
