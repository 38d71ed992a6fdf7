/**
 * What a recorded `shisa plan` left in its embedded store, read back through the real store
 * (db/store.ts) after the command has closed it: the runs, how many migrations were
 * journaled (per run), the moves kept as decisions and the exceptions.
 */
import { openStore } from '../../db/store.js';

export interface Recorded {
  readonly runs: readonly { readonly id: number; readonly verdict: string; readonly status: string }[];
  readonly migrations: readonly {
    readonly run: number;
    readonly workload: string;
    readonly from: string;
    readonly to: string;
    readonly state: string;
  }[];
  /** `select count(*) from migrations`, asked on its own: the number the gate is about. */
  readonly migrationCount: number;
  readonly moveDecisions: readonly { readonly run: number; readonly workload: string; readonly to: string }[];
  readonly exceptionKinds: readonly string[];
}

export async function recordedIn(dir: string): Promise<Recorded> {
  const store = await openStore({ kind: 'pglite', dir });
  try {
    const runs = await store.query<{ id: number; verdict: string; status: string }>(
      'select id::int as id, verdict, status from runs order by id',
    );
    const migrations = await store.query<{ run: number; workload: string; from: string; to: string; state: string }>(
      'select run_id::int as run, workload, from_region as "from", to_region as "to", state from migrations order by id',
    );
    const [count] = await store.query<{ n: number }>('select count(*)::int as n from migrations');
    const moveDecisions = await store.query<{ run: number; workload: string; to: string }>(
      'select run_id::int as run, workload, to_region as "to" from decisions where kind = \'move\' order by id',
    );
    const exceptions = await store.query<{ kind: string }>('select kind from exceptions order by id');
    return { runs, migrations, migrationCount: count!.n, moveDecisions, exceptionKinds: exceptions.map((e) => e.kind) };
  } finally {
    await store.close();
  }
}

export const CONFLICT = 'test/gates/fixtures/conflict-with-moves/fleet.yaml';
export const PROVEN = 'test/gates/fixtures/proven-moves/fleet.yaml';
/** The move both fixtures' plans make (Tokyo, JP-TK, to Stockholm, SE-SE1, on the static 2024 averages). */
export const THE_MOVE = { workload: 'ml/train-001', from: 'region-tokyo-01', to: 'region-stockholm-01' } as const;
export const AT = '2026-11-22T12:00Z';
/** The conflict's two constraints, as the Unprovable State names them (file:line:col). */
export const CORE = [
  {
    file: 'test/gates/fixtures/conflict-with-moves/intents/card-vault.intent',
    line: 4,
    col: 3,
    text: 'intent "card-vault": compliance PCI-DSS-4',
  },
  {
    file: 'test/gates/fixtures/conflict-with-moves/intents/card-vault.intent',
    line: 5,
    col: 10,
    text: 'intent "card-vault": target nodes(region-osaka-01)',
  },
] as const;

/** What the gate tests read of `shisa plan --json`. */
export interface PlanJson {
  readonly planned?: boolean;
  readonly moves: readonly unknown[];
  readonly verification: {
    readonly proven: boolean;
    readonly applicable: boolean;
    readonly order: readonly (readonly string[])[];
    readonly counts: { readonly unprovable: number };
    readonly obligations: readonly {
      readonly verdict: string;
      readonly unprovable_state?: { readonly code: string; readonly core: readonly unknown[] };
    }[];
  };
}
