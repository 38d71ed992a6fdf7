import type { MigrationGate } from './gate.js';
import { evidenceFigures, judgeWindow, violationReason } from './judge-window.js';
import type { BoardEntry, VerdictBoard } from './verdict-board.js';

export interface EnforcerGateOptions {
  readonly board: VerdictBoard;
  /** The keys of the workload's `network_latency … verify_via: ebpf_probe` checks (none: readiness alone). */
  readonly checksOf: (workload: string) => readonly string[];
  /** The gate that watches the copy's readiness over the window (readinessGate). */
  readonly readiness: MigrationGate;
  readonly now: () => number;
}

/**
 * The verification window with the enforcers' verdicts: the copy must stay ready, and every
 * eBPF-verified latency check of the workload must hold in the target region from its first
 * measurement to the end of the window. A `violated` verdict ends the window at once (the
 * rollback starts as the verdict arrives, not when the window would have ended); `unknown`
 * at the end fails, as it always does.
 */
export function enforcerGate(o: EnforcerGateOptions): MigrationGate {
  return {
    async check(subject, signal) {
      const keys = new Set(o.checksOf(subject.workload));
      if (keys.size === 0) return o.readiness.check(subject, signal);
      const region = subject.target.region;
      const start = o.now();
      const early = new AbortController();
      let violated: BoardEntry | undefined;
      const stopListening = o.board.listen((e) => {
        if (violated || e.region !== region || !keys.has(e.key) || e.state !== 'violated') return;
        violated = e;
        early.abort();
      });
      const abortEarly = () => early.abort();
      signal?.addEventListener('abort', abortEarly, { once: true });
      try {
        const ready = await o.readiness.check(subject, early.signal);
        if (violated)
          return { verdict: 'fail', reason: violationReason(violated), evidence: evidenceFigures(violated) };
        if (signal?.aborted) return ready;
        const judged = judgeWindow(new Map([...keys].map((k) => [k, o.board.history(region, k, start)])), region);
        if (judged.verdict !== 'pass')
          return {
            verdict: judged.verdict,
            reason: judged.reason,
            ...(judged.evidence ? { evidence: judged.evidence } : {}),
          };
        if (ready.verdict !== 'pass') return ready;
        return { verdict: 'pass', detail: `${ready.detail}; ${judged.detail}` };
      } finally {
        stopListening();
        signal?.removeEventListener('abort', abortEarly);
      }
    },
  };
}
