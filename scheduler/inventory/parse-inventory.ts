import { z } from 'zod';
import { parseYamlSource } from '../../regions/fleet/yaml-source.js';
import { validateYaml } from '../../regions/fleet/schema-diagnostics.js';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import { deepFreeze } from '../freeze.js';
import type { Workload } from './model.js';

const WORKLOAD_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export const inventorySchema = z
  .strictObject({
    workloads: z
      .array(
        z.strictObject({
          name: z.string().regex(WORKLOAD_NAME, { error: 'expected namespace/name in lowercase (Kubernetes names), e.g. "payments/ledger-db"' }),
          region: z.string().min(1),
          cpu: z.number().positive(),
          memory_gib: z.number().positive(),
          intent: z.string().min(1).optional(),
          depends_on: z.array(z.string().regex(WORKLOAD_NAME, { error: 'expected namespace/name of a workload in this inventory' })).default([]),
          last_moved: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 timestamp such as 2026-11-20T03:00:00Z' }).optional(),
        }),
      )
      .meta({ description: 'Workloads and where they run now.' }),
  })
  .meta({ title: 'shisa workload inventory' });

/**
 * Parses a workload inventory (what the clusters would report, for planning offline).
 * References to regions and intents are checked later, against the fleet and intents.
 */
export function parseInventory(source: SourceFile): { workloads?: readonly Workload[]; diagnostics: readonly Diagnostic[] } {
  const parsed = parseYamlSource(source, 'inventory', 'inventory');
  if (!parsed.yaml) return { diagnostics: parsed.diagnostics };
  const yaml = parsed.yaml;
  const validated = validateYaml(inventorySchema, yaml, 'inventory', 'inventory');
  if (!validated.value) return { diagnostics: validated.diagnostics };
  const diagnostics: Diagnostic[] = [];
  const byName = new Map<string, Workload>();
  validated.value.workloads.forEach((w, i) => {
    const workload: Workload = {
      name: w.name,
      region: w.region,
      cpu: w.cpu,
      memoryGib: w.memory_gib,
      ...(w.intent !== undefined ? { intent: w.intent } : {}),
      dependsOn: w.depends_on.map((d, j) => ({ value: d, span: yaml.valueSpan(['workloads', i, 'depends_on', j]) })),
      ...(w.last_moved !== undefined ? { lastMovedAt: Date.parse(w.last_moved) } : {}),
      span: yaml.valueSpan(['workloads', i, 'name']),
    };
    const first = byName.get(w.name);
    if (first) {
      diagnostics.push(
        diagnostic({
          code: 'inventory/duplicate-workload',
          message: `workload "${w.name}" is listed twice`,
          span: workload.span,
          source,
          related: [{ message: 'first listed', span: first.span }],
        }),
      );
      return;
    }
    byName.set(w.name, workload);
  });
  if (diagnostics.length > 0) return { diagnostics };
  return { workloads: deepFreeze([...byName.values()]), diagnostics };
}
