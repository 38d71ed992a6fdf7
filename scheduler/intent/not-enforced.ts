import { diagnostic, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile, Span } from '../diagnostics/source-file.js';
import { formatDuration } from '../units.js';
import type { DriftAction, DriftPolicy, Intent } from './model.js';

/** The code of every warning below; scripts may match on it. */
export const NOT_ENFORCED = 'intent/not-enforced';

/** Where docs/intent-language.md says what each of these constructs does today. */
const DOCS = 'docs/intent-language.md §4.11';

/** What does not happen today, per drift action. */
const DRIFT_UNDONE: Readonly<Record<DriftAction, string>> = {
  'auto-remediate': 'nothing is restored',
  rollback: 'nothing is rolled back',
  alert: 'no alert is sent',
};

/**
 * Constructs the language accepts and checks but nothing carries out yet: each use is a
 * located warning, so a promise no part of shisa keeps is never silently ignored. Today
 * that is `circuit_breaker { interval }` (the in-kernel breaker has no timer),
 * `ensure(traffic_policy: …)` (nothing sets it; `shisa verify` checks it against Istio only
 * on a fleet that reads the clusters) and `on_drift(action: …)` (no drift detection).
 * `compliance { audit: true }` is not one of them: its workloads' decisions are audited.
 * Sorted by location; one warning per use.
 */
export function notEnforced(
  intents: readonly Intent[],
  sources: (file: string) => SourceFile | undefined,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const warn = (
    message: string,
    span: Span,
    hint: string,
    meanwhile = 'until then it is parsed and checked only',
  ): void => {
    const source = sources(span.file);
    out.push(
      diagnostic({
        code: NOT_ENFORCED,
        severity: 'warning',
        message,
        span,
        hint: `${hint}; ${meanwhile} (${DOCS})`,
        ...(source ? { source } : {}),
      }),
    );
  };
  for (const intent of intents) {
    for (const breaker of intent.circuitBreakers) {
      if (breaker.intervalAt === undefined) continue;
      warn(
        `circuit_breaker interval (${formatDuration(breaker.intervalMs)}) is not enforced yet: ` +
          'the in-kernel breaker decides on every failure, not on a timer',
        breaker.intervalAt,
        "the breaker's timing will keep it",
      );
    }
    for (const rule of intent.ensure) {
      warn(
        `ensure(traffic_policy: "${rule.trafficPolicy}") is not enforced yet: ` +
          'nothing sets the traffic policy of the workloads, and only shisa verify checks it, ' +
          'on a fleet that reads its workloads from the clusters (inventory: { source: clusters })',
        rule.span,
        "there, shisa verify compares it with Istio's PeerAuthentications and reports a mismatch as drift",
        'with an inventory file it is parsed and checked only',
      );
    }
    const drift = intent.onDrift;
    if (drift) warn(driftMessage(drift), drift.span, 'drift healing will cover breakers and traffic policy');
  }
  return sortDiagnostics(out);
}

function driftMessage(drift: DriftPolicy): string {
  const undone =
    drift.action === 'alert' && drift.notify
      ? `no alert reaches "${drift.notify.value}"`
      : `${DRIFT_UNDONE[drift.action]}${drift.notify ? ` and "${drift.notify.value}" is not told` : ''}`;
  return (
    `on_drift(action: "${drift.action}") is carried out only by shisa serve, on drift of its eBPF-verified ` +
    `latency checks; otherwise drift is not detected, so ${undone}`
  );
}
