import { z } from 'zod';
import { parseYamlSource } from '../../regions/fleet/yaml-source.js';
import { validateYaml } from '../../regions/fleet/schema-diagnostics.js';
import { TIME_RANGE, type Range } from '../../regions/fleet/range.js';
import { rangedNumber, timestamp } from '../../regions/fleet/ranged-schema.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { indexUnique } from '../diagnostics/index-unique.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import { deepFreeze } from '../freeze.js';
import type { Workload } from './model.js';

const WORKLOAD_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * The range of every number and time in an inventory. A workload is at most 10,000 cores and
 * 100,000 GiB; the verifier adds sizes up in thousandths as integers, and even the largest
 * inventory read (64 MiB, about 1.4 million workloads) sums to under 1.4 × 10^14 thousandths
 * of a GiB, far below 2^53, so every sum is exact. A thousandth is also the smallest size
 * the verifier can count.
 */
export const INVENTORY_RANGES = {
  'workloads[].cpu': { kind: 'number', min: 0.001, max: 10_000, unit: 'cores' },
  'workloads[].memory_gib': { kind: 'number', min: 0.001, max: 100_000, unit: 'GiB' },
  'workloads[].last_moved': TIME_RANGE,
} as const satisfies Readonly<Record<string, Range>>;
const R = INVENTORY_RANGES;

export const inventorySchema = z
  .strictObject({
    workloads: z
      .array(
        z.strictObject({
          name: z
            .string()
            .regex(WORKLOAD_NAME, {
              error: 'expected namespace/name in lowercase (Kubernetes names), e.g. "payments/ledger-db"',
            }),
          region: z.string().min(1),
          cpu: rangedNumber(R['workloads[].cpu'], 'Requested CPU cores.'),
          memory_gib: rangedNumber(R['workloads[].memory_gib'], 'Requested memory, GiB.'),
          intent: z.string().min(1).optional(),
          depends_on: z
            .array(
              z.string().regex(WORKLOAD_NAME, { error: 'expected namespace/name of a workload in this inventory' }),
            )
            .default([]),
          last_moved: timestamp('When shisa last moved it, for the cooldown.').optional(),
        }),
      )
      .meta({ description: 'Workloads and where they run now.' }),
  })
  .meta({ title: 'shisa workload inventory' });

/**
 * Parses a workload inventory (what the clusters would report, for planning offline).
 * References to regions and intents are checked later, against the fleet and intents.
 */
export function parseInventory(source: SourceFile): {
  workloads?: readonly Workload[];
  diagnostics: readonly Diagnostic[];
} {
  const parsed = parseYamlSource(source, 'inventory', 'inventory');
  if (!parsed.yaml) return { diagnostics: parsed.diagnostics };
  const yaml = parsed.yaml;
  const validated = validateYaml(inventorySchema, yaml, 'inventory', 'inventory');
  if (!validated.value) return { diagnostics: validated.diagnostics };
  const all: Workload[] = validated.value.workloads.map((w, i) => ({
    name: w.name,
    region: w.region,
    cpu: w.cpu,
    memoryGib: w.memory_gib,
    ...(w.intent !== undefined ? { intent: w.intent } : {}),
    dependsOn: w.depends_on.map((d, j) => ({ value: d, span: yaml.valueSpan(['workloads', i, 'depends_on', j]) })),
    ...(w.last_moved !== undefined ? { lastMovedAt: w.last_moved } : {}),
    span: yaml.valueSpan(['workloads', i, 'name']),
  }));
  const { byName, diagnostics } = indexUnique(
    all,
    (w) => w.name,
    { code: 'inventory/duplicate-workload', message: (n) => `workload "${n}" is listed twice`, verb: 'listed' },
    () => source,
  );
  if (diagnostics.length > 0) return { diagnostics };
  return { workloads: deepFreeze([...byName.values()]), diagnostics };
}
