import type { SourceFile } from '../diagnostics/source-file.js';
import type { Workspace } from '../workspace/model.js';
import { digestSource } from './digest.js';
import { loadedInventory } from './loaded-inventory.js';
import type { InventorySource } from './ports.js';

/** The inventory file the fleet names, already loaded and checked with the workspace. */
export function fileInventory(ws: Workspace, sources: ReadonlyMap<string, SourceFile>): InventorySource {
  const file = ws.fleet.inventory ? sources.get(ws.fleet.inventory.display) : undefined;
  const inputs = file ? [digestSource(file)] : [];
  return loadedInventory({ workloads: ws.workloads, inputs });
}
