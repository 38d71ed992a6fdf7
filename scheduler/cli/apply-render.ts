import type { ApplyEvent } from '../apply/events.js';
import type { MigrationEnd, MigrationOutcome } from '../apply/job.js';
import { plural } from './report.js';

/** What `shisa apply` did, for the summary. */
export interface ApplySummary {
  /** The run whose moves were applied (absent when only migrations in flight were settled). */
  readonly run?: number;
  readonly outcomes: readonly MigrationOutcome[];
  /** Migrations found in flight and settled first. */
  readonly settled: number;
  /** gCO2eq/h the moves that were done save, as their runs planned them. */
  readonly savedGPerH: number;
  /** API requests made, watches not counted, and watches. */
  readonly requests: number;
  readonly watches: number;
  readonly ms: number;
}

/** One progress line (stderr on a terminal). */
export function renderApplyEvent(e: ApplyEvent): string {
  switch (e.type) {
    case 'resume':
      return `settling ${plural(e.count, 'migration')} the journal shows in flight, before anything new\n`;
    case 'batch':
      return e.batch === 0
        ? `applying ${plural(e.moves, 'planned move')}\n`
        : `batch ${e.batch} of ${e.of}: ${plural(e.moves, 'move')}; reading the clusters and proving the moves again\n`;
    case 'step':
      return `  #${e.migration} ${e.workload}: ${e.state}${e.detail ? ` (${e.detail})` : ''}\n`;
    case 'end':
      return `  #${e.migration} ${e.workload} ${e.from} → ${e.to}: ${e.end}${e.reason ? ` (${e.reason})` : ''}\n`;
  }
}

const ENDS: readonly MigrationEnd[] = ['done', 'rolled-back', 'skipped', 'stuck', 'failed'];
const HEADINGS: Readonly<Record<MigrationEnd, string>> = {
  done: 'Done',
  'rolled-back': 'Rolled back',
  skipped: 'Skipped',
  stuck: 'Left in flight (shisa apply --resume finishes them)',
  failed: 'Failed (a human must look: the reason says what shisa did)',
};

/** The summary on stdout: each ending with its migrations and why, the saving, the requests. */
export function renderApplySummary(s: ApplySummary): string {
  const lines: string[] = [];
  const head = s.run !== undefined ? `Applied run ${s.run}` : 'Settled the migrations in flight';
  lines.push(
    `${head} in ${(s.ms / 1000).toFixed(1)} s` +
      (s.settled ? ` (${plural(s.settled, 'migration')} found in flight settled first)` : ''),
  );
  if (s.outcomes.length === 0) lines.push('Nothing to do: no planned moves are left.');
  for (const end of ENDS) {
    const of = s.outcomes.filter((o) => o.end === end);
    if (of.length === 0) continue;
    lines.push('', `${HEADINGS[end]}: ${of.length}`);
    for (const o of [...of].sort((a, b) => a.id - b.id))
      lines.push(`  #${o.id} ${o.workload}  ${o.from} → ${o.to}${o.reason ? `  ${o.reason}` : ''}`);
  }
  lines.push('', `Saved ${s.savedGPerH.toFixed(1)} gCO2eq/h`);
  const done = s.outcomes.filter((o) => o.end !== 'skipped').length;
  lines.push(
    `API requests: ${s.requests} (${done ? (s.requests / done).toFixed(1) : '0'} per migration), watches: ${s.watches}`,
  );
  return `${lines.join('\n')}\n`;
}

/** The summary as the last JSON line of `--json`. */
export function summaryJson(s: ApplySummary) {
  const count = (end: MigrationEnd) => s.outcomes.filter((o) => o.end === end).length;
  return {
    type: 'summary',
    ...(s.run !== undefined ? { run: s.run } : {}),
    settled: s.settled,
    done: count('done'),
    rolled_back: count('rolled-back'),
    skipped: count('skipped'),
    stuck: count('stuck'),
    failed: count('failed'),
    saved_g_per_h: Math.round(s.savedGPerH * 1000) / 1000,
    requests: s.requests,
    watches: s.watches,
    ms: Math.round(s.ms),
    migrations: [...s.outcomes]
      .sort((a, b) => a.id - b.id)
      .map((o) => ({
        id: o.id,
        run: o.runId,
        workload: o.workload,
        from: o.from,
        to: o.to,
        end: o.end,
        ...(o.reason ? { reason: o.reason } : {}),
        ...(o.resumedFrom ? { resumed_from: o.resumedFrom } : {}),
      })),
  };
}
