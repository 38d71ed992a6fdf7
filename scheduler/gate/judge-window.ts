import type { GateEvidence } from './gate.js';
import type { BoardEntry } from './verdict-board.js';

/** How the enforcers' verdicts on one migrated copy went over its verification window. */
export type WindowJudgement =
  | { readonly verdict: 'pass'; readonly detail: string }
  | {
      readonly verdict: 'fail' | 'unknown';
      readonly reason: string;
      readonly key: string;
      readonly evidence?: GateEvidence;
    };

/**
 * Judges each check's verdicts received during the window (oldest first). A check passes when
 * it held from its first `holds` to the end of the window: a copy's enforcer reports
 * `unknown` until its first measurement window fills, so verdicts before the first `holds`
 * do not count against it, but any verdict after it that is not `holds` does. `violated` at
 * any time fails the move; no `holds` at all, or anything but `holds` after it, is `unknown`,
 * which never passes.
 */
export function judgeWindow(checks: ReadonlyMap<string, readonly BoardEntry[]>, region: string): WindowJudgement {
  for (const [key, entries] of checks) {
    const violated = entries.find((e) => e.state === 'violated');
    if (violated)
      return { verdict: 'fail', key, reason: violationReason(violated), evidence: evidenceFigures(violated) };
  }
  for (const [key, entries] of checks) {
    const first = entries.findIndex((e) => e.state === 'holds');
    if (first < 0)
      return {
        verdict: 'unknown',
        key,
        reason: entries.length
          ? `${key}: the enforcers in ${region} could not say within the window (${entries.at(-1)!.reason})`
          : `${key}: no verdict from the enforcers in ${region} within the window`,
      };
    const lapse = entries.slice(first).find((e) => e.state !== 'holds');
    if (lapse)
      return {
        verdict: 'unknown',
        key,
        reason: `${key} stopped holding in ${region} during the window (${lapse.reason})`,
      };
  }
  const n = [...checks.values()].reduce((sum, e) => sum + e.length, 0);
  return { verdict: 'pass', detail: `${checks.size} latency checks held in ${region} (${n} verdicts)` };
}

/** Why a violation fails the move: the check, its region, and the figures behind the verdict. */
export function violationReason(e: BoardEntry): string {
  return `${e.key} violated in ${e.region}: ${evidenceOf(e)}`;
}

const figure = (e: BoardEntry, k: string): number | undefined => {
  const v = e.evidence?.[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

/** The figures a rollback's exception carries, as data: samples, the percentile measured, the bound. */
export function evidenceFigures(e: BoardEntry): GateEvidence {
  const samples = figure(e, 'samples');
  const p99Ms = figure(e, 'p99Ms');
  return {
    check: e.key,
    node: e.node,
    ...(samples !== undefined ? { samples } : {}),
    ...(p99Ms !== undefined ? { p99Ms } : {}),
    ...(e.maxMs !== undefined ? { boundMs: e.maxMs } : {}),
  };
}

/** The same figures in words. */
function evidenceOf(e: BoardEntry): string {
  const num = (k: string) => figure(e, k);
  const parts = [
    num('samples') !== undefined ? `${num('samples')} samples` : undefined,
    num('p99Ms') !== undefined ? `p99 ${num('p99Ms')} ms` : undefined,
    e.maxMs !== undefined ? `bound ${e.maxMs} ms` : undefined,
    num('failures') ? `${num('failures')} failed connects` : undefined,
  ].filter((p): p is string => p !== undefined);
  return `${e.reason}${parts.length ? ` (${parts.join(', ')})` : ''} [node ${e.node}]`;
}
