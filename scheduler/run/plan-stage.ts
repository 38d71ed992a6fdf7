import { plan, type Plan } from '../planner/plan.js';
import type { PromiseModel } from '../promises/model.js';
import type { RunSnapshot } from './snapshot.js';

/** Stage 3: the certified placement plan, a pure function of the snapshot (and the model read from it). */
export function planStage(model: PromiseModel, snapshot: RunSnapshot): Plan {
  return plan(snapshot, undefined, model);
}
