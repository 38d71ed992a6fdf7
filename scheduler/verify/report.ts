import { redactSecrets } from '../diagnostics/redact.js';
import { refLocation, refText, type Obligation } from './proof.js';
import type { VerifyReport } from './verify.js';

const TITLES: Readonly<Record<string, string>> = {
  intents: 'Check 1 — the intent model is consistent',
  plan: 'Check 2 — the plan is safe',
  'region-loss': 'Check 3 — single-region failure (N-1)',
  'traffic-policy': 'Check 4 — traffic policies (Istio mTLS, as the clusters report it)',
};
const MARK: Readonly<Record<Obligation['verdict'], string>> = {
  proven: '✓ proven    ',
  unprovable: '✗ unprovable',
  warning: '! warning   ',
};

const ms = (x: number): string => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;

/** The report as people read it: each obligation with its verdict and time, cores under failures. */
export function renderReport(r: VerifyReport, only?: (o: Obligation) => boolean): string {
  const lines: string[] = [
    'How: [z3] searched by Z3 (or its minimal core), [model] a placement at hand checked against every constraint, ' +
      '[rules] a workload its rules leave no region, [evaluated] computed on a fixed placement.',
    '',
  ];
  for (const check of Object.keys(TITLES)) {
    const obligations = r.obligations.filter((o) => o.check === check && (!only || only(o)));
    if (r.ms[check] === undefined || (only && obligations.length === 0)) continue;
    lines.push(`${TITLES[check]} (${ms(r.ms[check])})`);
    if (obligations.length === 0) lines.push('  nothing to prove');
    for (const o of obligations) {
      const detail = o.detail ? ` — ${o.detail}` : '';
      lines.push(`  ${MARK[o.verdict]} ${ms(o.ms).padStart(8)}  ${`[${o.method}]`.padEnd(11)}  ${o.name}${detail}`);
      if (o.unprovable && o.unprovable.core.length > 0) {
        lines.push(`      ${o.unprovable.reason === 'unsat' ? 'conflicting constraints' : 'involved'}:`);
        const w = Math.max(...o.unprovable.core.map((c) => refLocation(c).length));
        for (const c of o.unprovable.core) lines.push(`        ${refLocation(c).padEnd(w)}  ${refText(c)}`);
      }
    }
    lines.push('');
  }
  const count = (v: Obligation['verdict']) => r.obligations.filter((o) => o.verdict === v).length;
  const total = Object.values(r.ms).reduce((a, b) => a + b, 0);
  const warnings = count('warning');
  lines.push(
    `${count('proven')} proven, ${count('unprovable')} unprovable, ` +
      `${warnings} warning${warnings === 1 ? '' : 's'} in ${ms(total)}.` +
      consequence(r),
  );
  return lines.join('\n');
}

/**
 * What the failures mean: an Unprovable State of checks 1–3 stops every move; a traffic-policy
 * drift (check 4, which `shisa plan` does not run) is a finding about the clusters, not a gate.
 */
function consequence(r: VerifyReport): string {
  const failed = r.obligations.filter((o) => o.verdict === 'unprovable');
  const drift = failed.some((o) => o.check === 'traffic-policy');
  return (
    (failed.some((o) => o.check !== 'traffic-policy') ? ' Unprovable State: nothing moves until it is resolved.' : '') +
    (drift ? ' Traffic-policy drift: a cluster does not give a workload the mTLS mode its intent ensures.' : '')
  );
}

/**
 * The report as data, in a fixed order. Times are the only part that differs between runs;
 * `times: false` leaves them out, so equal inputs give equal bytes.
 */
export function reportToJson(
  r: VerifyReport,
  options: { readonly times: boolean } = { times: true },
): Record<string, unknown> {
  return {
    proven: r.proven,
    obligations: r.obligations.map((o) => ({
      check: o.check,
      code: o.code,
      name: o.name,
      verdict: o.verdict,
      method: o.method,
      ...(options.times ? { ms: Math.round(o.ms * 10) / 10 } : {}),
      ...(o.detail ? { detail: o.detail } : {}),
      ...(o.unprovable
        ? {
            unprovable_state: {
              code: o.unprovable.code,
              reason: o.unprovable.reason,
              message: redactSecrets(o.unprovable.message),
              core: o.unprovable.core.map((c) => ({
                kind: c.kind,
                text: refText(c),
                file: c.span.file,
                line: c.span.line,
                col: c.span.col,
                ...(c.span.object !== undefined ? { object: { ...c.span.object } } : {}),
              })),
            },
          }
        : {}),
    })),
    ...(options.times
      ? { ms: Object.fromEntries(Object.entries(r.ms).map(([k, v]) => [k, Math.round(v * 10) / 10])) }
      : {}),
    counts: {
      proven: r.obligations.filter((o) => o.verdict === 'proven').length,
      unprovable: r.unprovable.length,
      warnings: r.warnings,
    },
  };
}
