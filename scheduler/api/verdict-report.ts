import { z } from 'zod';
import type { ReportedVerdict } from '../gate/verdict-board.js';

/**
 * The body an enforcer POSTs to /v1/verdicts (enforcer/verdict-reporter.ts): its node, and the
 * verdict changes it queued, oldest first. Parsed strictly at the boundary: the API is reachable
 * by anything on the network that holds a write token, so sizes, names and numbers are bounded
 * and a body that is wrong anywhere is refused whole (nothing half-recorded).
 */
export type VerdictReport =
  | { readonly ok: true; readonly node: string; readonly verdicts: readonly ReportedVerdict[] }
  | { readonly ok: false; readonly code: 'VERDICTS_INVALID'; readonly message: string };

/** The enforcer keeps at most 1,000 changes queued; a report never needs more. */
export const MAX_CHANGES = 1000;

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;
const text = (max: number) => z.string().max(max).regex(PRINTABLE, { error: 'control characters' });
/** A Kubernetes node name: a DNS subdomain. */
const NODE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const finite = z.number().refine(Number.isFinite, { error: 'not a finite number' });

const verdictSchema = z.object({
  key: text(1024).min(1),
  workload: text(512).min(1),
  state: z.enum(['holds', 'violated', 'unknown']),
  reason: text(2000),
  maxMs: finite.min(0).optional(),
  evidence: z.record(text(64), z.union([finite, text(256), z.array(finite).max(2)])).optional(),
});

const reportSchema = z.object({
  node: z.string().regex(NODE, { error: 'expected a node name (a DNS subdomain)' }),
  changes: z
    .array(z.object({ at: text(64), from: text(16), verdict: verdictSchema }))
    .max(MAX_CHANGES, { error: `at most ${MAX_CHANGES} changes in one report` }),
});

export function parseVerdictReport(body: unknown): VerdictReport {
  const parsed = reportSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : 'body';
    return { ok: false, code: 'VERDICTS_INVALID', message: `${where}: ${issue.message}` };
  }
  const verdicts = parsed.data.changes.map(({ verdict: v }) => ({
    key: v.key,
    workload: v.workload,
    state: v.state,
    reason: v.reason,
    ...(v.maxMs !== undefined ? { maxMs: v.maxMs } : {}),
    ...(v.evidence !== undefined ? { evidence: v.evidence } : {}),
  }));
  return { ok: true, node: parsed.data.node, verdicts };
}
