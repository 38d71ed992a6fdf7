import { z } from 'zod';
import { parseYamlSource } from '../../regions/fleet/yaml-source.js';
import { validateYaml } from '../../regions/fleet/schema-diagnostics.js';
import { TIME_RANGE, type Range } from '../../regions/fleet/range.js';
import { rangedNumber, timestamp } from '../../regions/fleet/ranged-schema.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { indexUnique } from '../diagnostics/index-unique.js';
import type { SourceFile, Span } from '../diagnostics/source-file.js';
import { deepFreeze } from '../freeze.js';
import { readFastInventory } from './fast-inventory.js';
import type { Workload } from './model.js';
import { WORKLOAD_NAME } from './workload-name.js';

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
          name: z.string().regex(WORKLOAD_NAME, {
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

type InventoryParsed = z.output<typeof inventorySchema>;

/**
 * Parses a workload inventory (what the clusters would report, for planning offline).
 * References to regions and intents are checked later, against the fleet and intents.
 *
 * Most inventories are written in a plain shape that a fast reader takes without building a
 * YAML node per value (fast-inventory.ts). Only when that reader declines, or the schema or
 * the duplicate check finds something wrong, is the same text parsed again by the full YAML
 * parser, which keeps every node's position: every error is reported by that path, with its
 * exact location, and valid input does not pay for positions it never shows.
 */
export function parseInventory(source: SourceFile): {
  workloads?: readonly Workload[];
  diagnostics: readonly Diagnostic[];
} {
  return parseFast(source) ?? parseLocated(source);
}

/** The fast path: the workloads when the text is in the plain shape and valid, else undefined. */
function parseFast(
  source: SourceFile,
): { workloads: readonly Workload[]; diagnostics: readonly Diagnostic[] } | undefined {
  const items = readFastInventory(source.text);
  if (items === undefined) return undefined;
  const result = inventorySchema.safeParse({ workloads: items.map((item) => item.value) });
  if (!result.success) return undefined;
  const span = (at: readonly [number, number] | undefined) => source.span(at?.[0] ?? 0, at?.[1] ?? 0);
  const all = toWorkloads(
    result.data,
    (i) => span(items[i]?.name),
    (i, j) => span(items[i]?.dependsOn?.[j]),
  );
  const { workloads, diagnostics } = uniqueWorkloads(all, source);
  return workloads && diagnostics.length === 0 ? { workloads, diagnostics } : undefined;
}

/** The full path: YAML with positions, then the schema; every problem a located diagnostic. */
function parseLocated(source: SourceFile): { workloads?: readonly Workload[]; diagnostics: readonly Diagnostic[] } {
  const parsed = parseYamlSource(source, 'inventory', 'inventory');
  if (!parsed.yaml) return { diagnostics: parsed.diagnostics };
  const yaml = parsed.yaml;
  const validated = validateYaml(inventorySchema, yaml, 'inventory', 'inventory');
  if (!validated.value) return { diagnostics: validated.diagnostics };
  const all = toWorkloads(
    validated.value,
    (i) => yaml.valueSpan(['workloads', i, 'name']),
    (i, j) => yaml.valueSpan(['workloads', i, 'depends_on', j]),
  );
  return uniqueWorkloads(all, source);
}

function toWorkloads(
  inventory: InventoryParsed,
  nameSpan: (i: number) => Span,
  dependencySpan: (i: number, j: number) => Span,
): Workload[] {
  return inventory.workloads.map((w, i) => ({
    name: w.name,
    region: w.region,
    cpu: w.cpu,
    memoryGib: w.memory_gib,
    ...(w.intent !== undefined ? { intent: w.intent } : {}),
    dependsOn: w.depends_on.map((d, j) => ({ value: d, span: dependencySpan(i, j) })),
    ...(w.last_moved !== undefined ? { lastMovedAt: w.last_moved } : {}),
    span: nameSpan(i),
  }));
}

/** Each workload once: a name listed twice is an error at the second listing. */
function uniqueWorkloads(
  all: readonly Workload[],
  source: SourceFile,
): { workloads?: readonly Workload[]; diagnostics: readonly Diagnostic[] } {
  const { byName, diagnostics } = indexUnique(
    all,
    (w) => w.name,
    { code: 'inventory/duplicate-workload', message: (n) => `workload "${n}" is listed twice`, verb: 'listed' },
    () => source,
  );
  if (diagnostics.length > 0) return { diagnostics };
  return { workloads: deepFreeze([...byName.values()]), diagnostics };
}
