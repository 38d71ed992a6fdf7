import { diagnostic, type Diagnostic } from '../scheduler/diagnostics/diagnostic.js';
import type { Span } from '../scheduler/diagnostics/source-file.js';
import { spanLabel } from '../scheduler/diagnostics/span-label.js';
import type { Intent, Percentile } from '../scheduler/intent/model.js';
import { buildPromiseModel } from '../scheduler/promises/build-model.js';
import type { PromiseModel } from '../scheduler/promises/model.js';
import { probeChecks } from '../scheduler/promises/probe-checks.js';
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

const where = (s: Span): string => spanLabel(s);

/**
 * What this node must measure and protect: for each workload it runs, the latency bounds
 * the intents covering it ask the kernel to verify, and the circuit-breaker policies
 * they set. Pure: a function of the fleet's workspace and the enforcer file. Which
 * workloads a constraint names comes from the promise model, never from matching here.
 */
export function planEnforcement(ws: Workspace, config: EnforcerConfig): EnforcementPlan {
  const p: Planning = {
    model: buildPromiseModel(ws.fleet, ws.intents, ws.workloads),
    config,
    diagnostics: [],
    used: new Set(),
    unreachable: new Map(),
    checks: [],
    policies: new Map(),
  };
  for (const nw of config.workloads) planWorkload(p, nw);
  warnUnreachable(p);
  warnUnused(p);
  return {
    workloads: config.workloads,
    checks: p.checks,
    policies: [...p.policies.values()],
    diagnostics: p.diagnostics,
  };
}

/** The plan as it is built, one node workload at a time. */
interface Planning {
  readonly model: PromiseModel;
  readonly config: EnforcerConfig;
  readonly diagnostics: Diagnostic[];
  /** Destinations some check or breaker asked for. */
  readonly used: Set<string>;
  /** Dependencies with no address on this node, and the first workload that needs one. */
  readonly unreachable: Map<string, Span>;
  readonly checks: LatencyCheck[];
  readonly policies: Map<string, PolicyAssignment>;
}

function planWorkload(p: Planning, nw: NodeWorkload): void {
  const w = p.model.indexOf(nw.name);
  if (w === undefined) {
    p.diagnostics.push(
      diagnostic({
        code: 'enforcer/unknown-workload',
        message: `workload "${nw.name}" is not in the fleet's inventory`,
        span: nw.span,
        expected: 'a workload listed in the inventory of the fleet file',
      }),
    );
    return;
  }
  let covered = false;
  for (const intent of p.model.covering[w]!) {
    planLatencyChecks(p, nw, w, intent);
    if (intent.circuitBreakers.length) covered = true;
    planBreakers(p, nw, intent);
  }
  if (!covered && p.config.breakerDefault)
    assign(p, { workload: nw.name, policy: p.config.breakerDefault, from: `${p.config.file}: breaker_default` });
}

/** One check per dependency an `ebpf_probe` latency bound of the intent covers (keys: probe-checks.ts). */
function planLatencyChecks(p: Planning, nw: NodeWorkload, w: number, intent: Intent): void {
  for (const c of probeChecks(p.model, w)) {
    if (c.intent !== intent.name) continue;
    p.checks.push({
      key: c.key,
      intent: c.intent,
      at: where(c.constraint.span),
      workload: nw.name,
      dependency: c.dependency,
      endpoints: endpointsOf(p, c.dependency, nw),
      maxMs: c.constraint.maxMs,
      percentile: c.constraint.percentile,
    });
  }
}

/** The intent's circuit breakers: cgroup-wide without `to`, else per address of each destination. */
function planBreakers(p: Planning, nw: NodeWorkload, intent: Intent): void {
  for (const cb of intent.circuitBreakers) {
    const policy: BreakerPolicy = {
      consecutiveFailures: cb.consecutiveFailures,
      baseEjectionMs: cb.baseEjectionMs,
      maxEjectionMs: Math.max(cb.maxEjectionMs, cb.baseEjectionMs),
      halfOpen: cb.halfOpen,
    };
    const from = `intent "${intent.name}" at ${where(cb.span)}`;
    if (cb.to.length === 0) {
      assign(p, { workload: nw.name, policy, from });
      continue;
    }
    for (const d of new Set(cb.to.flatMap((t) => p.model.matching(t.value)))) {
      for (const endpoint of endpointsOf(p, p.model.workloads[d]!.name, nw))
        assign(p, { workload: nw.name, endpoint, policy, from });
    }
  }
}

/** The addresses of a dependency on this node; none is remembered, to be warned about once. */
function endpointsOf(p: Planning, dep: string, nw: NodeWorkload): readonly Endpoint[] {
  p.used.add(dep);
  const endpoints = p.config.destinations.get(dep) ?? [];
  if (endpoints.length === 0 && !p.unreachable.has(dep)) p.unreachable.set(dep, nw.span);
  return endpoints;
}

function assign(p: Planning, a: PolicyAssignment): void {
  const key = `${a.workload}|${a.endpoint ? `${a.endpoint.host}|${a.endpoint.port}` : '*'}`;
  const had = p.policies.get(key);
  // Several constraints on one destination: the one that trips soonest wins.
  if (!had || a.policy.consecutiveFailures < had.policy.consecutiveFailures) p.policies.set(key, a);
}

function warnUnreachable(p: Planning): void {
  for (const [dep, span] of [...p.unreachable].sort(([a], [b]) => a.localeCompare(b))) {
    p.diagnostics.push(
      diagnostic({
        code: 'enforcer/no-destination',
        severity: 'warning',
        message:
          `no address for dependency "${dep}" under destinations: ` +
          'its latency is unknown and its breaker idle on this node',
        span,
        expected: `destinations: { ${dep}: ["10.0.0.7:5432"] }`,
      }),
    );
  }
}

function warnUnused(p: Planning): void {
  for (const [dep, span] of p.config.destinationSpans) {
    if (p.used.has(dep)) continue;
    p.diagnostics.push(
      diagnostic({
        code: 'enforcer/unused-destination',
        severity: 'warning',
        message: `destination "${dep}" is not a dependency any latency bound or breaker on this node covers`,
        span,
        expected: 'a dependency of a workload listed under workloads (a misspelt name?)',
      }),
    );
  }
}
