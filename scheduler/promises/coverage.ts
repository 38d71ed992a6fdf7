import type { Intent, Placement } from '../intent/model.js';
import type { Workload } from '../inventory/model.js';
import { workloadMatcher } from '../inventory/pattern.js';

/**
 * Which intents cover each workload: the one its inventory entry names, plus every intent
 * whose `workloads(...)` patterns match it.
 */
export function coverage(intents: readonly Intent[], workloads: readonly Workload[]): Map<string, Intent[]> {
  const covering = coveringIntents(intents);
  return new Map(workloads.map((w) => [w.name, covering(w)]));
}

/** `coverage` for one workload at a time, with the intents' lookups prepared once. */
export function coveringIntents(intents: readonly Intent[]): (w: Pick<Workload, 'name' | 'intent'>) => Intent[] {
  const byName = new Map(intents.map((i) => [i.name, i]));
  // Only intents with workloads(...) patterns select by name; the rest are named by workloads.
  const selectors = intents
    .filter((i) => i.workloads.length > 0)
    .map((i) => ({ intent: i, matchers: i.workloads.map((p) => workloadMatcher(p.value)) }));
  return (w) => {
    const covering: Intent[] = [];
    const named = w.intent !== undefined ? byName.get(w.intent) : undefined;
    if (named) covering.push(named);
    for (const s of selectors) {
      if (s.intent !== named && s.matchers.some((m) => m(w.name))) covering.push(s.intent);
    }
    return covering;
  };
}

/**
 * A workload may move only if every intent covering it is flexible. Critical wins, and a
 * workload no intent covers is critical: nothing moves without a promise that allows it.
 */
export function effectivePlacement(covering: readonly Intent[]): Placement {
  return covering.length > 0 && covering.every((i) => i.placement === 'flexible') ? 'flexible' : 'critical';
}
