import type { ExceptionRow } from '../../db/record-run.js';
import type { ExceptionInput } from './slack-message.js';

type Detail = Readonly<Record<string, unknown>>;

const str = (d: Detail, k: string, fallback = ''): string => (typeof d[k] === 'string' ? d[k] : fallback);
const num = (d: Detail, k: string): number => (typeof d[k] === 'number' && Number.isFinite(d[k]) ? d[k] : Number.NaN);
const obj = (v: unknown): Detail => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Detail) : {});

/**
 * A stored exception as the Slack message builder takes it: the one place that reads an
 * exception row's `detail`, whatever wrote it (a run, the journal, the service). A detail
 * missing a field shows a blank or `n/a`, never a crash: old rows must still be told.
 */
export function exceptionInput(row: ExceptionRow): ExceptionInput {
  const d = obj(row.detail);
  const base = { atIso: row.createdAt.toISOString(), ...(row.runId !== null ? { runId: row.runId } : {}) };
  switch (row.kind) {
    case 'unprovable': {
      const core = Array.isArray(d.core) ? d.core.map(obj) : [];
      const conflicts = core.map((c) => ({ constraint: str(c, 'text'), file: str(c, 'file'), line: num(c, 'line') }));
      return { ...base, kind: 'unprovable', obligation: row.concerns, conflicts };
    }
    case 'rollback':
      return { ...base, ...rollbackFacts(row, d) };
    case 'stale-feed':
      return { ...base, kind: 'stale-feed', zone: row.concerns, ageSeconds: num(d, 'ageSeconds') };
    case 'unreachable-cluster':
      return {
        ...base,
        kind: 'unreachable-cluster',
        region: row.concerns,
        cluster: str(d, 'cluster', row.concerns),
        ...(typeof d.reason === 'string' ? { reason: d.reason } : {}),
      };
    case 'breaker':
      return { ...base, kind: 'breaker', node: str(d, 'node'), destination: str(d, 'destination', row.concerns) };
    case 'config-rejected':
      return {
        ...base,
        kind: 'config-rejected',
        file: str(d, 'file', row.concerns),
        line: num(d, 'line'),
        col: num(d, 'col'),
        message: str(d, 'message'),
      };
    default:
      return {
        ...base,
        kind: 'drift',
        check: str(d, 'check', row.concerns),
        region: str(d, 'region'),
        reason: str(d, 'reason', row.kind),
        action: str(d, 'action', 'alert'),
        ...(typeof d.remediation === 'string' ? { remediation: d.remediation } : {}),
      };
  }
}

function rollbackFacts(row: ExceptionRow, d: Detail): Extract<ExceptionInput, { kind: 'rollback' }> & object {
  const ev = obj(d.evidence);
  const samples = num(ev, 'samples');
  const p99Ms = num(ev, 'p99Ms');
  const boundMs = num(ev, 'boundMs');
  const deleted = Array.isArray(d.deleted) ? d.deleted.filter((x): x is string => typeof x === 'string') : [];
  return {
    kind: 'rollback',
    atIso: row.createdAt.toISOString(),
    workload: row.concerns,
    from: str(d, 'from'),
    to: str(d, 'to'),
    reason: str(d, 'reason'),
    deleted,
    ...(Number.isFinite(samples) && Number.isFinite(p99Ms)
      ? { evidence: { samples, p99Ms, ...(Number.isFinite(boundMs) ? { boundMs } : {}) } }
      : {}),
  };
}
