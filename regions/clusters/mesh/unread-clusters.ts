import type { Intent } from '../../../scheduler/intent/model.js';
import type { UnreadCluster } from './fleet-mesh.js';
import type { TrafficPolicyDrift } from './traffic-policy-drift.js';

/**
 * What a cluster that could not be read leaves unchecked: which workloads run there, and
 * which PeerAuthentications apply to them, are unknown. So every `ensure(traffic_policy: …)`
 * of an intent whose workloads may run in its region (no `target` pin, or one naming the
 * region) is unchecked there, never passed: one finding per intent, policy and cluster,
 * with the workload left empty. Sorted by cluster, intent, policy.
 */
export function unreadClusterFindings(
  intents: readonly Intent[],
  unread: readonly UnreadCluster[],
): TrafficPolicyDrift[] {
  const out: TrafficPolicyDrift[] = [];
  for (const c of unread) {
    for (const intent of intents) {
      if (intent.target && !intent.target.regions.some((r) => r.value === c.region)) continue;
      const seen = new Set<string>();
      for (const rule of intent.ensure) {
        if (seen.has(rule.trafficPolicy)) continue;
        seen.add(rule.trafficPolicy);
        out.push({
          code: 'traffic-policy-unchecked',
          reason: 'not-read',
          workload: '',
          cluster: c.cluster,
          region: c.region,
          required: rule.trafficPolicy,
          intent: intent.name,
          span: rule.span,
          message:
            `ensure(traffic_policy: "${rule.trafficPolicy}") of intent "${intent.name}" cannot be checked in ` +
            `cluster ${c.cluster} (region ${c.region}): the cluster could not be read (${c.why}), so which ` +
            'workloads run there and which PeerAuthentications apply to them is unknown',
        });
      }
    }
  }
  return out.sort((a, b) => cmp(a.cluster, b.cluster) || cmp(a.intent, b.intent) || cmp(a.required, b.required));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
