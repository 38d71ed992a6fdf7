import { dirname, isAbsolute, resolve } from 'node:path';
import { displayPath } from '../scheduler/diagnostics/display-path.js';
import { z } from 'zod';
import { diagnostic, type Diagnostic } from '../scheduler/diagnostics/diagnostic.js';
import { readSource } from '../scheduler/diagnostics/read-source.js';
import type { Span } from '../scheduler/diagnostics/source-file.js';
import { deepFreeze } from '../scheduler/freeze.js';
import { packageRoot } from '../regions/data/bundled.js';
import type { Range } from '../regions/fleet/range.js';
import { rangedDuration, rangedNumber } from '../regions/fleet/ranged-schema.js';
import { CONSTRAINTS } from '../scheduler/intent/catalogue.js';
import { WORKLOAD_NAME } from '../scheduler/inventory/workload-name.js';
import { validateYaml } from '../regions/fleet/schema-diagnostics.js';
import { parseYamlSource } from '../regions/fleet/yaml-source.js';
import { parseEndpoint, type Endpoint } from './endpoint.js';

/**
 * The enforcer's configuration (`enforcer.yaml`): which workloads run on this node and
 * where their cgroups are, where their dependencies are reachable, and how the agent
 * runs. Parsed once, at the boundary, into a frozen EnforcerConfig; every problem is a
 * located diagnostic.
 */

const ENV_VAR = /^[A-Z_][A-Z0-9_]*$/;
const POD_UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The range a circuit_breaker key has in the intent language, so both files accept the same. */
function breakerRange(key: 'consecutive_failures' | 'base_ejection' | 'max_ejection'): Range {
  const spec = CONSTRAINTS.circuit_breaker?.keys[key]?.value;
  if (spec?.type === 'integer') return { kind: 'integer', min: spec.min, max: spec.max };
  if (spec?.type === 'quantity') return { kind: 'duration', min: spec.min, max: spec.max };
  throw new Error(`the intent catalogue gives circuit_breaker.${key} no range`);
}

/**
 * The range of every number and duration in an enforcer file. The window is what verdicts
 * are judged over (an hour at most, or a verdict lags the kernel by more); each poll keeps
 * one reading per destination for the window, so 100 ms polls over an hour are 36,000.
 */
export const ENFORCER_RANGES = {
  window: { kind: 'duration', min: 1000, max: 3_600_000 },
  min_samples: { kind: 'integer', min: 1, max: 1_000_000 },
  poll_interval: { kind: 'duration', min: 100, max: 60_000 },
  'breaker_default.consecutive_failures': breakerRange('consecutive_failures'),
  'breaker_default.base_ejection': breakerRange('base_ejection'),
  'breaker_default.max_ejection': breakerRange('max_ejection'),
} as const satisfies Readonly<Record<string, Range>>;
const R = ENFORCER_RANGES;

const breakerPolicySchema = z.strictObject({
  consecutive_failures: rangedNumber(
    R['breaker_default.consecutive_failures'],
    'Failed connects in a row that open the breaker.',
  ).default(5),
  base_ejection: rangedDuration(
    R['breaker_default.base_ejection'],
    'First ejection (cooldown) after the breaker opens.',
  ).prefault('30s'),
  max_ejection: rangedDuration(R['breaker_default.max_ejection'], 'Cap for the doubling cooldown.').prefault('300s'),
  half_open: z.boolean().default(true),
});

export const enforcerSchema = z
  .strictObject({
    version: z.literal(1, { error: 'expected version: 1' }),
    node: z
      .string()
      .regex(/^[A-Za-z0-9][-A-Za-z0-9._]{0,252}$/, { error: 'expected the node name, e.g. gke-tokyo-01-pool-a-1' }),
    fleet: z
      .string()
      .min(1)
      .meta({ description: 'Fleet file whose intents and inventory this node enforces, relative to this file.' }),
    listen: z
      .string()
      .default('127.0.0.1:9464')
      .meta({ description: 'host:port of the /status and /metrics endpoint.' }),
    scheduler: z
      .strictObject({
        url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
        token_env: z
          .string()
          .regex(ENV_VAR, { error: 'expected an environment variable name such as SHISA_SCHEDULER_TOKEN' })
          .optional(),
      })
      .optional(),
    window: rangedDuration(R.window, 'Sliding window of connect latency that verdicts are computed over.').prefault(
      '60s',
    ),
    min_samples: rangedNumber(R.min_samples, 'Fewer connects than this in the window: the verdict is unknown.').default(
      20,
    ),
    poll_interval: rangedDuration(R.poll_interval, 'How often the kernel histograms are read.').prefault('1s'),
    cgroup_root: z
      .string()
      .default('/sys/fs/cgroup')
      .meta({ description: 'Where cgroup v2 is mounted (pod cgroups are looked up under it).' }),
    bpf: z
      .strictObject({
        pin_dir: z.string().default('/sys/fs/bpf/shisa'),
        build_dir: z.string().optional(),
        loader: z
          .string()
          .optional()
          .meta({ description: 'A prebuilt shisa-loader; without it the agent builds one with make.' }),
        kernel_stats: z
          .boolean()
          .default(false)
          .meta({
            description:
              "Enable the kernel's per-program run times (bpf_enable_stats) for /metrics; " +
              'costs two clock reads per program run on the node.',
          }),
      })
      .prefault({}),
    breaker_default: z
      .union([z.literal('off'), breakerPolicySchema], {
        error: 'expected off, or a mapping with consecutive_failures, base_ejection, max_ejection, half_open',
      })
      .default('off'),
    workloads: z
      .array(
        z
          .strictObject({
            name: z
              .string()
              .regex(WORKLOAD_NAME, { error: 'expected namespace/name of a workload in the fleet inventory' }),
            cgroup: z.string().optional(),
            pod_uid: z
              .string()
              .regex(POD_UID, { error: 'expected a pod UID such as 3f1c2a9e-5b7d-4e21-9c0a-1d2e3f4a5b6c' })
              .optional(),
          })
          .refine((w) => (w.cgroup === undefined) !== (w.pod_uid === undefined), {
            error: 'give exactly one of cgroup (a path) or pod_uid',
          }),
      )
      .min(1, { error: 'list at least one workload that runs on this node' }),
    destinations: z
      .record(
        z.string().regex(WORKLOAD_NAME, { error: 'expected namespace/name of a dependency' }),
        z.array(z.string()).min(1),
      )
      .default({})
      .meta({ description: 'Where each dependency is reachable from this node: host:port (IPv6 as [addr]:port).' }),
  })
  .meta({ title: 'shisa enforcer configuration' });

export interface BreakerPolicy {
  readonly consecutiveFailures: number;
  readonly baseEjectionMs: number;
  readonly maxEjectionMs: number;
  readonly halfOpen: boolean;
}

export interface NodeWorkload {
  readonly name: string;
  /** Absolute cgroup v2 path, or the pod UID to find it from. */
  readonly cgroup: { readonly path: string } | { readonly podUid: string };
  readonly span: Span;
}

export interface EnforcerConfig {
  /** The file as the user named it. */
  readonly file: string;
  readonly node: string;
  /** Absolute path of the fleet file. */
  readonly fleetPath: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly scheduler?: { readonly url: string; readonly tokenEnv?: string };
  readonly windowMs: number;
  readonly minSamples: number;
  readonly pollMs: number;
  readonly cgroupRoot: string;
  readonly pinDir: string;
  readonly bpfDir: string;
  readonly buildDir: string;
  readonly loaderPath?: string;
  readonly kernelStats: boolean;
  /** Policy for workloads no circuit_breaker constraint covers; undefined: no breaker. */
  readonly breakerDefault?: BreakerPolicy;
  readonly workloads: readonly NodeWorkload[];
  readonly destinations: ReadonlyMap<string, readonly Endpoint[]>;
  /** Where each dependency's addresses are written, for diagnostics. */
  readonly destinationSpans: ReadonlyMap<string, Span>;
}

export type EnforcerConfigResult =
  | { readonly config: EnforcerConfig; readonly diagnostics: readonly Diagnostic[] }
  | { readonly config?: undefined; readonly diagnostics: readonly Diagnostic[] };

type RawEnforcerConfig = z.output<typeof enforcerSchema>;
type Problem = (path: readonly PropertyKey[], message: string, expected: string) => void;

/** Reads and checks an enforcer file; relative paths are resolved against its folder. */
export async function loadEnforcerConfig(path: string, cwd: string): Promise<EnforcerConfigResult> {
  const abs = resolve(cwd, path);
  const display = displayPath(cwd, abs);
  const read = await readSource(abs, display, 1 << 20, 'enforcer file');
  if (!read.ok) return { diagnostics: [read.diagnostic] };
  const source = read.source;
  const parsed = parseYamlSource(source, 'enforcer file', 'enforcer');
  if (!parsed.yaml) return { diagnostics: parsed.diagnostics };
  const yaml = parsed.yaml;
  const validated = validateYaml(enforcerSchema, yaml, 'enforcer', 'enforcer file');
  if (!validated.value) return { diagnostics: validated.diagnostics };
  const raw = validated.value;
  const diagnostics: Diagnostic[] = [];
  const problem: Problem = (path, message, expected) => {
    diagnostics.push(
      diagnostic({ code: 'enforcer/invalid-value', message, span: yaml.valueSpan(path), source, expected }),
    );
  };

  const listen = parseEndpoint(raw.listen);
  if (!listen)
    problem(['listen'], `listen "${raw.listen}" is not host:port`, 'host:port, e.g. 127.0.0.1:9464 or [::1]:9464');
  checkTimings(raw, problem);
  const workloads = nodeWorkloads(raw, problem, (i) => yaml.valueSpan(['workloads', i, 'name']));
  const { destinations, destinationSpans } = nodeDestinations(raw, problem, (name) =>
    yaml.keySpan(['destinations'], name),
  );
  if (diagnostics.length > 0 || !listen) return { diagnostics };

  const config = buildConfig(raw, { display, dir: dirname(abs), listen, workloads, destinations, destinationSpans });
  return { config: deepFreeze(config), diagnostics };
}

/** Durations that must be ordered: the ejection cap after its base, polls within the window. */
function checkTimings(raw: RawEnforcerConfig, problem: Problem): void {
  if (raw.breaker_default !== 'off' && raw.breaker_default.max_ejection < raw.breaker_default.base_ejection) {
    problem(
      ['breaker_default', 'max_ejection'],
      'max_ejection is shorter than base_ejection',
      'max_ejection ≥ base_ejection',
    );
  }
  if (raw.poll_interval > raw.window)
    problem(['poll_interval'], 'poll_interval is longer than window', 'poll_interval ≤ window');
}

/** The node's workloads, each listed once, with an absolute cgroup path or a pod UID. */
function nodeWorkloads(raw: RawEnforcerConfig, problem: Problem, spanOf: (i: number) => Span): NodeWorkload[] {
  const seen = new Map<string, number>();
  return raw.workloads.map((w, i) => {
    if (seen.has(w.name))
      problem(['workloads', i, 'name'], `workload "${w.name}" is listed twice`, 'each workload once');
    seen.set(w.name, i);
    if (w.cgroup !== undefined && !isAbsolute(w.cgroup))
      problem(
        ['workloads', i, 'cgroup'],
        `cgroup "${w.cgroup}" is not an absolute path`,
        'the cgroup v2 directory, e.g. /sys/fs/cgroup/kubepods.slice/…',
      );
    return {
      name: w.name,
      cgroup: w.cgroup !== undefined ? { path: w.cgroup } : { podUid: w.pod_uid! },
      span: spanOf(i),
    };
  });
}

/** Each dependency's addresses: IP and port only, since connects are matched by address. */
function nodeDestinations(
  raw: RawEnforcerConfig,
  problem: Problem,
  spanOf: (name: string) => Span,
): { destinations: Map<string, Endpoint[]>; destinationSpans: Map<string, Span> } {
  const destinations = new Map<string, Endpoint[]>();
  const destinationSpans = new Map<string, Span>();
  for (const [name, list] of Object.entries(raw.destinations)) {
    destinationSpans.set(name, spanOf(name));
    const endpoints: Endpoint[] = [];
    list.forEach((text, j) => {
      const e = parseEndpoint(text);
      if (!e || e.port === 0 || !e.isIp)
        problem(
          ['destinations', name, j],
          `"${text}" is not an IP address and port`,
          'IPv4:port or [IPv6]:port, e.g. 10.0.3.7:5432 (the enforcer matches connects by address, so no host names)',
        );
      else endpoints.push(e);
    });
    destinations.set(name, endpoints);
  }
  return { destinations, destinationSpans };
}

/** The checked file as an EnforcerConfig, its paths resolved against the file's folder. */
function buildConfig(
  raw: RawEnforcerConfig,
  checked: Pick<EnforcerConfig, 'workloads' | 'destinations' | 'destinationSpans'> & {
    readonly display: string;
    readonly dir: string;
    readonly listen: Endpoint;
  },
): EnforcerConfig {
  const { display, dir, listen, workloads, destinations, destinationSpans } = checked;
  const bd = raw.breaker_default;
  return {
    file: display,
    node: raw.node,
    fleetPath: resolve(dir, raw.fleet),
    listen: { host: listen.host, port: listen.port },
    ...(raw.scheduler
      ? {
          scheduler: {
            url: raw.scheduler.url,
            ...(raw.scheduler.token_env ? { tokenEnv: raw.scheduler.token_env } : {}),
          },
        }
      : {}),
    windowMs: raw.window,
    minSamples: raw.min_samples,
    pollMs: raw.poll_interval,
    cgroupRoot: resolve(dir, raw.cgroup_root),
    pinDir: resolve(dir, raw.bpf.pin_dir),
    bpfDir: resolve(packageRoot(), 'bpf'),
    buildDir:
      raw.bpf.build_dir !== undefined ? resolve(dir, raw.bpf.build_dir) : resolve(packageRoot(), 'bpf', 'build'),
    ...(raw.bpf.loader !== undefined ? { loaderPath: resolve(dir, raw.bpf.loader) } : {}),
    kernelStats: raw.bpf.kernel_stats,
    ...(bd !== 'off'
      ? {
          breakerDefault: {
            consecutiveFailures: bd.consecutive_failures,
            baseEjectionMs: bd.base_ejection,
            maxEjectionMs: bd.max_ejection,
            halfOpen: bd.half_open,
          },
        }
      : {}),
    workloads,
    destinations,
    destinationSpans,
  };
}
