/**
 * Chaos: `shisa apply` killed with SIGKILL at random moments, then `shisa apply --resume`.
 * Each trial starts from the same recorded plan of 12 moves in two batches, on fresh fake
 * clusters. After every trial: every workload exists exactly once among the clusters with
 * its replica ready (zero lost, zero running twice), nothing of a rolled-back copy is left,
 * the journal has no migration in flight, and the audit chain verifies. The trial count and
 * which states the kills interrupted are printed.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../db/audit-log.js';
import { UNDER_WAY } from '../../db/journal-view.js';
import { openStore } from '../../db/store.js';
import { runShisa } from '../clusters/example-clusters.js';
import { applyArgs, startShisa } from './apply-cli.js';
import { REGIONS, startApplyWorld, type ApplyWorld } from './apply-world.js';

const TRIALS = 100;
const SHAPE = { batch: 6, jp: 6 } as const;
const root = mkdtempSync(join(tmpdir(), 'shisa-apply-chaos-'));
/** The store of a world after `shisa plan`: run 1, 12 planned moves. Copied into every trial. */
const template = join(root, 'template-store');
let fullMs = 0;

beforeAll(async () => {
  const w = await startApplyWorld(join(root, 'template'), SHAPE);
  try {
    await w.settled();
    const planned = await runShisa(root, ['plan', '--config', w.fleet, '--kubeconfig', w.kubeconfig]);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toContain('Moves: 12');
    cpSync(join(w.dir, '.shisa'), template, { recursive: true });
  } finally {
    await w.close();
  }
  // How long an uninterrupted apply of the plan takes: the kills fall within it.
  const calibration = await trialWorld('calibration');
  try {
    const started = Date.now();
    const r = await startShisa(root, applyArgs(calibration, '--run', '1')).done;
    fullMs = Date.now() - started;
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary).toMatchObject({ done: 12 });
  } finally {
    await calibration.close();
  }
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function trialWorld(name: string): Promise<ApplyWorld> {
  const w = await startApplyWorld(join(root, name), SHAPE);
  await w.settled();
  cpSync(template, join(w.dir, '.shisa'), { recursive: true });
  return w;
}

/**
 * What a kill interrupted: the state of each migration it left in flight, or, with none in
 * flight, whether it came before any migration started or between two steps.
 */
async function interrupted(w: ApplyWorld): Promise<string[]> {
  const store = await openStore({ kind: 'pglite', dir: join(w.dir, '.shisa') });
  try {
    const rows = await store.query<{ state: string }>('select state from migrations');
    const flying = rows.map((r) => r.state).filter((s) => UNDER_WAY.includes(s as (typeof UNDER_WAY)[number]));
    if (flying.length) return flying;
    return [
      rows.every((r) => r.state === 'planned') ? 'before any migration started' : 'between steps (none in flight)',
    ];
  } finally {
    await store.close();
  }
}

/** Everything a trial must leave: each workload once and ready, no leftovers, nothing in flight, the chain intact. */
async function checkInvariants(w: ApplyWorld, trial: number): Promise<void> {
  const where = `trial ${trial}`;
  const placement = w.placement();
  for (const workload of w.workloads.keys()) {
    const copies = placement.get(workload) ?? [];
    expect(copies, `${where}: ${workload} lost`).not.toHaveLength(0);
    expect(copies, `${where}: ${workload} runs twice`).toHaveLength(1);
    expect(copies[0]!.ready, `${where}: ${workload} not ready`).toBe(1);
  }
  const store = await openStore({ kind: 'pglite', dir: join(w.dir, '.shisa') });
  try {
    const rows = await store.query<{ id: string; state: string; to_region: string; workload: string }>(
      'select id::text, state, to_region, workload from migrations',
    );
    expect(
      rows.filter((r) => UNDER_WAY.includes(r.state as (typeof UNDER_WAY)[number])),
      `${where}: in flight`,
    ).toEqual([]);
    // A rolled-back migration leaves nothing labelled with its id in its target.
    for (const r of rows.filter((x) => x.state === 'rolled-back')) {
      const left = ['deployments', 'configmaps', 'secrets', 'services'].flatMap((t) =>
        w
          .cluster(r.to_region)
          .list(t)
          .filter((o) => o.metadata.labels?.['shisa.io/migration'] === r.id),
      );
      expect(left, `${where}: leftovers of rolled-back migration ${r.id}`).toEqual([]);
    }
    const audit = await verifyAudit(store);
    expect(audit.broken, `${where}: audit`).toBeUndefined();
  } finally {
    await store.close();
  }
}

describe('shisa apply under kill -9', () => {
  it(`loses and duplicates no workload over ${TRIALS} kills at random moments, each followed by --resume`, async () => {
    expect(fullMs).toBeGreaterThan(0);
    const states = new Map<string, number>();
    let lost = 0;
    let duplicated = 0;
    let rolledBack = 0;
    let done = 0;
    let kills = 0;
    let trial = 0;
    // Trials go on until TRIALS of them were killed (a run that ends before its kill is not one).
    while (kills < TRIALS && trial < TRIALS * 2) {
      trial++;
      const w = await trialWorld(`t${trial}`);
      try {
        const running = startShisa(root, applyArgs(w, '--run', '1'));
        // Uniform over the uninterrupted run's duration; a run that ends first is not counted.
        const killAfter = Math.random() * fullMs;
        const timer = setTimeout(() => running.child.kill('SIGKILL'), killAfter);
        const killed = await running.done;
        clearTimeout(timer);
        if (killed.signal === 'SIGKILL') {
          kills++;
          for (const s of await interrupted(w)) states.set(s, (states.get(s) ?? 0) + 1);
        }
        const resumed = await startShisa(root, applyArgs(w, '--resume')).done;
        expect(resumed.code, `trial ${trial}: ${resumed.stderr}`).toBe(0);
        for (const [, copies] of w.placement()) {
          if (copies.length === 0) lost++;
          if (copies.length > 1) duplicated++;
        }
        await checkInvariants(w, trial);
        const journal = await openStore({ kind: 'pglite', dir: join(w.dir, '.shisa') });
        try {
          const ends = await journal.query<{ state: string }>('select state from migrations');
          rolledBack += ends.filter((e) => e.state === 'rolled-back').length;
          done += ends.filter((e) => e.state === 'done').length;
        } finally {
          await journal.close();
        }
      } finally {
        await w.close();
        rmSync(w.dir, { recursive: true, force: true });
      }
    }
    const distribution = [...states].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ${n}`);
    console.log(
      `chaos: ${kills} kills in ${trial} trials over ${REGIONS.length} clusters, a plan of 12 moves ` +
        `(uninterrupted: ${fullMs} ms); ` +
        `lost ${lost}, duplicated ${duplicated}; migrations done ${done}, rolled back ${rolledBack}; ` +
        `states the kills interrupted: ${distribution.join(', ')}`,
    );
    expect(kills).toBe(TRIALS);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
  }, 1_500_000);
});
