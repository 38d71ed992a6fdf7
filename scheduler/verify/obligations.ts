import type { Answer } from './prove.js';
import {
  checkOf,
  sortRefs,
  type ConstraintRef,
  type Obligation,
  type ObligationCode,
  type ProofMethod,
} from './proof.js';

/**
 * An obligation from a solver answer: satisfiable is proven (for questions of existence),
 * unsatisfiable is an Unprovable State naming the core (or a warning, for the region-loss
 * check), unknown is never a pass.
 */
export function fromAnswer(
  code: ObligationCode,
  name: string,
  answer: Answer,
  started: number,
  words: { readonly proven: string; readonly failed: string },
  severity: 'unprovable' | 'warning' = 'unprovable',
  extra: readonly ConstraintRef[] = [],
): Obligation {
  const ms = performance.now() - started;
  const method = answer.status === 'unknown' ? 'z3' : (answer.by ?? 'z3');
  if (answer.status === 'sat')
    return { check: checkOf(code), code, name, verdict: 'proven', method, ms, detail: words.proven };
  const reason = answer.status;
  const core = answer.status === 'unsat' ? sortRefs(dedupe([...answer.core, ...extra])) : [];
  const message =
    answer.status === 'unsat' ? words.failed : `${words.failed}: not decided within the time limit (${answer.reason})`;
  return {
    check: checkOf(code),
    code,
    name,
    verdict: severity,
    method,
    ms,
    detail: message,
    unprovable: { code: 'UNPROVABLE_STATE', obligation: name, reason, message, core },
  };
}

export function proven(
  code: ObligationCode,
  name: string,
  started: number,
  detail: string,
  method: ProofMethod,
): Obligation {
  return { check: checkOf(code), code, name, verdict: 'proven', method, ms: performance.now() - started, detail };
}

export function failed(
  code: ObligationCode,
  name: string,
  started: number,
  message: string,
  core: readonly ConstraintRef[],
  method: ProofMethod,
  reason: 'unsat' | 'unknown' = 'unsat',
  severity: 'unprovable' | 'warning' = 'unprovable',
): Obligation {
  return {
    check: checkOf(code),
    code,
    name,
    verdict: severity,
    method,
    ms: performance.now() - started,
    detail: message,
    unprovable: { code: 'UNPROVABLE_STATE', obligation: name, reason, message, core: sortRefs(dedupe(core)) },
  };
}

function dedupe(refs: readonly ConstraintRef[]): ConstraintRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => !seen.has(r.id) && (seen.add(r.id), true));
}
