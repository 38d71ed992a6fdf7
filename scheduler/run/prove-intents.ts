import type { PromiseModel } from '../promises/model.js';
import { verify, type VerifyReport } from '../verify/verify.js';
import type { RunSnapshot } from './snapshot.js';

/**
 * Stage 2: the intents are consistent — every assertion over the current placement holds,
 * each critical intent holds where its workloads run, and some placement keeps them all.
 * An Unprovable State here stops the run: nothing is planned.
 */
export function proveIntents(model: PromiseModel, snapshot: RunSnapshot, timeoutMs: number): Promise<VerifyReport> {
  return verify(model, snapshot.intents, { timeoutMs, checks: ['intents'] });
}
