import { diagnostic, type Diagnostic } from '../scheduler/diagnostics/diagnostic.js';
import type { Span } from '../scheduler/diagnostics/source-file.js';
import type { Percentile } from '../scheduler/intent/model.js';
import { workloadMatcher } from '../scheduler/inventory/pattern.js';
import { buildPromiseModel } from '../scheduler/promises/build-model.js';
import type { Workspace } from '../scheduler/workspace/model.js';
import type { BreakerPolicy, EnforcerConfig, NodeWorkload } from './config.js';
import type { Endpoint } from './endpoint.js';

/** One `network_latency` bound with `verify_via: ebpf_probe`, for one workload and dependency. */
export interface LatencyCheck {
  /** Stable identifier: workload>dependency@intent#constraint. */
  readonly key: string;
  readonly intent: string;
  /** Where the constraint is written (file:line:col). */
  readonly at: string;
  readonly workload: string;
  readonly dependency: string;
  /** Addresses of the dependency on this node; empty means it cannot be measured here. */
  readonly endpoints: readonly Endpoint[];
  readonly maxMs: number;
  readonly percentile: Percentile;
}

/** A breaker policy for a workload's cgroup, or for one destination of it. */
export interface PolicyAssignment {
  readonly workload: string;
  readonly endpoint?: Endpoint;
  readonly policy: BreakerPolicy;
  /** Which constraint asked for it, or the enforcer file's breaker_default. */
  readonly from: string;
}

export interface EnforcementPlan {
  readonly workloads: readonly NodeWorkload[];
  readonly checks: readonly LatencyCheck[];
  readonly policies: readonly PolicyAssignment[];
  readonly diagnostics: readonly Diagnostic[];
}

const where = (s: Span): string => `${s.file}:${s.line}:${s.col}`;

/**
 * What this node must measure and protect: for each workload it runs, the latency bounds
 * the intents covering it ask the kernel to verify, and the circuit-breaker policies
 * they set. Pure: a function of the fleet's workspace and the enforcer file.
 */
export function planEnforcement(ws: Workspace, config: EnforcerConfig): EnforcementPlan {
  const diagnostics: Diagnostic[] = [];
  const mesh = buildPromiseModel(ws.fleet, ws.intents, ws.workloads);
  const names = ws.workloads.map((w) => w.name);
  const matching = (pattern: string): string[] => names.filter(workloadMatcher(pattern));
  const used = new Set<string>();
  const endpointsOf = (dep: string): readonly Endpoint[] => {
    used.add(dep);
    return config.destinations.get(dep) ?? [];
  };
  const unreachable = new Map<string, Span>();
  const checks: LatencyCheck[] = [];
  const policies = new Map<string, PolicyAssignment>();

  const assign = (a: PolicyAssignment): void => {
    const key = `${a.workload}|${a.endpoint ? `${a.endpoint.host}|${a.endpoint.port}` : '*'}`;
    const had = policies.get(key);
    // Several constraints on one destination: the one that trips soonest wins.
    if (!had || a.policy.consecutiveFailures < had.policy.consecutiveFailures) policies.set(key, a);
  };

  for (const nw of config.workloads) {
    const w = mesh.indexOf(nw.name);
    if (w === undefined) {
      diagnostics.push(
        diagnostic({
          code: 'enforcer/unknown-workload',
          message: `workload "${nw.name}" is not in the fleet's inventory`,
          span: nw.span,
          expected: 'a workload listed in the inventory of the fleet file',
        }),
      );
      continue;
    }
    const deps = mesh.out[w]!.map((e) => names[e.to]!);
    let covered = false;
    for (const intent of mesh.covering[w]!) {
      intent.latency.forEach((l, k) => {
        if (l.verifyVia !== 'ebpf_probe') return;
        const targets = l.to.length
          ? [...new Set(l.to.flatMap((t) => matching(t.value)))].filter((d) => d !== nw.name)
          : deps;
        for (const dep of targets) {
          const endpoints = endpointsOf(dep);
          if (endpoints.length === 0 && !unreachable.has(dep)) unreachable.set(dep, nw.span);
          checks.push({
            key: `${nw.name}>${dep}@${intent.name}#${k}`,
            intent: intent.name,
            at: where(l.span),
            workload: nw.name,
            dependency: dep,
            endpoints,
            maxMs: l.maxMs,
            percentile: l.percentile,
          });
        }
      });
      for (const cb of intent.circuitBreakers) {
        covered = true;
        const policy: BreakerPolicy = {
          consecutiveFailures: cb.consecutiveFailures,
          baseEjectionMs: cb.baseEjectionMs,
          maxEjectionMs: Math.max(cb.maxEjectionMs, cb.baseEjectionMs),
          halfOpen: cb.halfOpen,
        };
        const from = `intent "${intent.name}" at ${where(cb.span)}`;
        if (cb.to.length === 0) {
          assign({ workload: nw.name, policy, from });
          continue;
        }
        for (const dep of new Set(cb.to.flatMap((t) => matching(t.value)))) {
          const endpoints = endpointsOf(dep);
          if (endpoints.length === 0 && !unreachable.has(dep)) unreachable.set(dep, nw.span);
          for (const endpoint of endpoints) assign({ workload: nw.name, endpoint, policy, from });
        }
      }
    }
    if (!covered && config.breakerDefault)
      assign({ workload: nw.name, policy: config.breakerDefault, from: `${config.file}: breaker_default` });
  }
  for (const [dep, span] of [...unreachable].sort(([a], [b]) => a.localeCompare(b))) {
    diagnostics.push(
      diagnostic({
        code: 'enforcer/no-destination',
        severity: 'warning',
        message: `no address for dependency "${dep}" under destinations: its latency is unknown and its breaker idle on this node`,
        span,
        expected: `destinations: { ${dep}: ["10.0.0.7:5432"] }`,
      }),
    );
  }
  for (const [dep, span] of config.destinationSpans) {
    if (used.has(dep)) continue;
    diagnostics.push(
      diagnostic({
        code: 'enforcer/unused-destination',
        severity: 'warning',
        message: `destination "${dep}" is not a dependency any latency bound or breaker on this node covers`,
        span,
        expected: 'a dependency of a workload listed under workloads (a misspelt name?)',
      }),
    );
  }
  return { workloads: config.workloads, checks, policies: [...policies.values()], diagnostics };
}
