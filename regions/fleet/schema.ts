import { z } from 'zod';
import { isCountryCode } from '../countries.js';
import { neverFires, parseCron } from '../cron.js';
import { rangedDuration, rangedLatency, rangedNumber, rangedPercent } from './ranged-schema.js';
import { FLEET_RANGES as R } from './ranges.js';

/**
 * The fleet file (`fleet.yaml`) as a zod schema: the single definition from which input is
 * validated and docs/fleet.schema.json is generated. Quantities are strings with units in
 * the file and numbers in base units (ms, %, gCO2eq/kWh) after parsing. Every number and
 * duration is checked against its range in ranges.ts.
 */

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const ZONE = /^[A-Z]{2,3}(-[A-Z0-9]+)*$/;
const ENV_VAR = /^[A-Z_][A-Z0-9_]*$/;

const regionName = z
  .string()
  .regex(NAME, { error: 'expected a region name: lowercase letters, digits and "-", at most 63 characters' });

const country = z
  .string()
  .refine(isCountryCode, { error: 'expected an ISO 3166-1 alpha-2 country code such as "JP"' })
  .meta({ description: 'ISO 3166-1 alpha-2 country code', pattern: '^[A-Z]{2}$' });

export const regionSchema = z
  .strictObject({
    name: regionName.meta({
      description: 'Unique region name, used by intents (`target nodes("...")`) and the inventory.',
    }),
    zone: z
      .string()
      .regex(ZONE, { error: 'expected an Electricity Maps zone code such as "JP-TK" or "SE-SE1"' })
      .meta({ description: 'Electricity Maps zone code of the grid behind this region.' }),
    country: country.meta({ description: 'Country the region is in (ISO 3166-1 alpha-2), for residency constraints.' }),
    compliance: z.array(z.string().min(1)).default([]).meta({
      description:
        'Certifications this region holds, e.g. FISC-2025; matched by `constraint compliance { level: ... }`.',
    }),
    cluster: z.string().min(1).meta({ description: 'kubeconfig context of the Kubernetes cluster in this region.' }),
    capacity: z
      .strictObject({
        cpu: rangedNumber(R['regions[].capacity.cpu'], 'Schedulable CPU cores.'),
        memory_gib: rangedNumber(R['regions[].capacity.memory_gib'], 'Schedulable memory, GiB.'),
      })
      .meta({ description: 'What workloads may request in total in this region.' }),
    labels: z
      .record(z.string(), z.string())
      .default({})
      .meta({ description: 'Free-form labels, e.g. provider or cloud region name.' }),
  })
  .meta({ description: 'A place workloads run: one Kubernetes cluster on one grid zone.' });

const namespaceName = z
  .string()
  .regex(NAME, { error: 'expected a namespace name: lowercase letters, digits and "-", at most 63 characters' });

export const clusterInventorySchema = z
  .strictObject({
    source: z.literal('clusters').meta({ description: 'Read the workloads from the clusters the regions name.' }),
    namespaces: z.array(namespaceName).default([]).meta({
      description: 'Namespaces to read; empty (the default) reads all of them.',
    }),
    selector: z.string().min(1).optional().meta({
      description: 'Kubernetes label selector the workloads must match, e.g. "shisa.io/managed=true".',
    }),
  })
  .meta({ description: "Read the workload inventory from the regions' clusters." });

const latencyValue = rangedLatency(
  R.latency_ms,
  'Round-trip latency in ms (a number), or a duration string such as "1.2s".',
);

export const carbonSchema = z
  .strictObject({
    source: z
      .enum(['static', 'electricitymaps', 'replay'])
      .default('static')
      .meta({ description: 'Where carbon intensity comes from; `static` needs no network or key.' }),
    max_staleness: rangedDuration(
      R['carbon.max_staleness'],
      'A reading older than this is stale: nothing moves into or out of its zone.',
    ).prefault('2h'),
    emission_factor: z
      .enum(['lifecycle', 'direct'])
      .default('lifecycle')
      .meta({ description: 'Emission factor type: lifecycle (LCA) or direct.' }),
    static: z
      .strictObject({ year: rangedNumber(R['carbon.static.year'], 'Year of the annual averages.').default(2024) })
      .prefault({})
      .meta({ description: 'Embedded annual averages per zone (Electricity Maps, ODbL).' }),
    electricitymaps: z
      .strictObject({
        base_url: z
          .url({ protocol: /^https?$/ })
          .default('https://api.electricitymap.org/v3')
          .meta({ description: 'Electricity Maps API v3 base URL.' }),
        token_env: z
          .string()
          .regex(ENV_VAR, {
            error: 'expected the NAME of an environment variable (e.g. ELECTRICITYMAPS_TOKEN), not the token itself',
          })
          .default('ELECTRICITYMAPS_TOKEN')
          .meta({ description: 'Environment variable holding the API token.' }),
        timeout: rangedDuration(R['carbon.electricitymaps.timeout'], 'Per-request timeout.').prefault('10s'),
        cache_ttl: rangedDuration(
          R['carbon.electricitymaps.cache_ttl'],
          'How long answers are reused before asking again.',
        ).prefault('5m'),
        retries: rangedNumber(
          R['carbon.electricitymaps.retries'],
          'Retries on 429 and 5xx, with exponential backoff and jitter.',
        ).default(3),
      })
      .prefault({})
      .meta({ description: 'Live Electricity Maps API settings.' }),
    replay: z
      .strictObject({
        traces: z.array(z.string().min(1)).min(1).meta({
          description:
            'Hourly CSV traces (Electricity Maps export format): files or folders, relative to the fleet file.',
        }),
      })
      .optional()
      .meta({ description: 'Replay of recorded hourly history.' }),
  })
  .meta({ description: 'The carbon intensity signal.' });

export const powerSchema = z
  .strictObject({
    watts_per_cpu: rangedNumber(R['power.watts_per_cpu'], 'Average power per requested CPU core, W.').default(2.5),
    watts_per_gib: rangedNumber(R['power.watts_per_gib'], 'Power per requested GiB of memory, W.').default(0.392),
    pue: rangedNumber(R['power.pue'], 'Power usage effectiveness of the data centres.').default(1.1),
  })
  .meta({ description: 'Turns requested resources into watts: (cpu × watts_per_cpu + memory × watts_per_gib) × pue.' });

export const policySchema = z
  .strictObject({
    schedule: z
      .string()
      .superRefine((s, ctx) => {
        const parsed = parseCron(s);
        if ('problem' in parsed)
          return ctx.addIssue({ code: 'custom', message: `invalid cron schedule: ${parsed.problem}` });
        const never = neverFires(parsed.fields);
        if (never)
          ctx.addIssue({
            code: 'custom',
            message: `cron schedule never fires: ${never}`,
            params: {
              code: 'schedule-never-fires',
              expected: 'a day of month that one of the months has (29 February counts: it comes in leap years)',
            },
          });
      })
      .default('5 * * * *')
      .meta({
        description:
          'When rebalancing runs (5-field cron, UTC, as node-cron 4 runs it; a leading 6th field of seconds ' +
          'is taken, with a warning, for demonstrations). ' +
          "A day must match both day-of-month and day-of-week (AND, unlike Vixie cron's OR), " +
          'so "0 0 13 * 5" is Friday the 13th only. ' +
          'A schedule that can never fire ("0 0 31 2 *") is refused; ' +
          'one that fires only on 29 February is accepted with a warning.',
      }),
    migration_budget: rangedNumber(R['policy.migration_budget'], 'Most moves in one run.').default(10),
    min_saving: rangedPercent(
      R['policy.min_saving'],
      'A move must cut its workload’s emissions by at least this much.',
    ).prefault('10%'),
    cooldown: rangedDuration(R['policy.cooldown'], 'A moved workload stays put at least this long.').prefault('6h'),
    migration_cost_g_per_h: rangedNumber(
      R['policy.migration_cost_g_per_h'],
      'Carbon cost of one move (restarts, data copy), amortised per hour, gCO2eq/h: ' +
        'added to the objective for every move.',
    ).default(0),
    ready_timeout: rangedDuration(
      R['policy.ready_timeout'],
      'How long a migrated copy may take to serve (Deployment Available, every replica ready) ' +
        'before the move is rolled back.',
    ).prefault('10m'),
    verify_window: rangedDuration(
      R['policy.verify_window'],
      'How long a ready copy is watched (readiness, and enforcer verdicts where they report) ' +
        'before the source is removed.',
    ).prefault('1m'),
    max_parallel: rangedNumber(R['policy.max_parallel'], 'Most migrations under way at once.').default(10),
    max_parallel_per_cluster: rangedNumber(
      R['policy.max_parallel_per_cluster'],
      'Most migrations under way at once that touch one cluster (as source or target).',
    ).default(4),
  })
  .meta({ description: 'How rebalancing runs behave.' });

export const notifyChannelSchema = z
  .strictObject({
    webhook_env: z
      .string()
      .regex(ENV_VAR, {
        error: 'expected the NAME of an environment variable that holds the webhook URL, not the URL itself',
      })
      .meta({ description: 'Environment variable holding the Slack incoming-webhook URL.' }),
    events: z
      .array(z.enum(['migrations', 'exceptions']))
      .default(['migrations', 'exceptions'])
      .meta({ description: 'What this channel hears about.' }),
  })
  .meta({ description: 'A Slack channel reached through an incoming webhook.' });

export const fleetSchema = z
  .strictObject({
    version: z.literal(1).default(1).meta({ description: 'Fleet file format version.' }),
    name: z.string().min(1).optional().meta({ description: 'Name of this fleet, shown in reports.' }),
    regions: z.array(regionSchema).min(1).meta({ description: 'The regions shisa may place workloads in.' }),
    latency_ms: z
      .record(regionName, z.record(regionName, latencyValue))
      .default({})
      .meta({
        description:
          'Round-trip latency between regions, ms: `from: { to: ms }`. ' +
          'Symmetric: give each pair once. A missing pair means unreachable.',
      }),
    carbon: carbonSchema.prefault({}),
    power: powerSchema.prefault({}),
    policy: policySchema.prefault({}),
    notify: z
      .record(
        z.string().regex(NAME, { error: 'expected a channel name: lowercase letters, digits and "-"' }),
        notifyChannelSchema,
      )
      .default({})
      .meta({ description: "Named Slack channels that intents' on_drift(notify: ...) refer to." }),
    intents: z
      .array(z.string().min(1))
      .default([])
      .meta({ description: 'Intent files or folders of them (*.intent), relative to this file.' }),
    inventory: z
      .union([
        z
          .string()
          .min(1)
          .meta({ description: 'Workload inventory file for planning without clusters, relative to this file.' }),
        clusterInventorySchema,
      ])
      .optional()
      .meta({
        description:
          'Where the workloads come from: an inventory file (relative to this file), ' +
          "or `{ source: clusters }` to read them from each region's cluster.",
      }),
  })
  .meta({
    title: 'shisa fleet file',
    description:
      'Regions, latency, carbon signal, power model, rebalancing policy and notifications of one shisa fleet.',
  });

export type FleetInput = z.input<typeof fleetSchema>;
export type FleetParsed = z.output<typeof fleetSchema>;
