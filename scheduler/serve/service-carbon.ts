import { latestReadings } from '../../db/carbon-history.js';
import type { Store } from '../../db/store.js';
import { createCarbonSource } from '../../regions/carbon/create-source.js';
import type { CarbonSource } from '../../regions/carbon/source.js';
import type { Environment } from '../config/environment.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Workspace } from '../workspace/model.js';

/**
 * The carbon source a service keeps from run to run (so the live feed's last good readings and
 * its cache live as long as the process), with the last good readings restored from the
 * store's `carbon_readings`: a feed that is down when shisa restarts still has them, ageing
 * from when they were measured.
 */
export async function serviceCarbon(
  ws: Workspace,
  env: Environment,
  store: Store,
  now: () => number,
): Promise<
  { readonly source: CarbonSource; readonly restored: number } | { readonly diagnostics: readonly Diagnostic[] }
> {
  const settings = ws.fleet.carbon;
  const created = await createCarbonSource(settings, settings.source, { env, now });
  if (!created.source) return { diagnostics: created.diagnostics };
  if (!created.lastGood) return { source: created.source, restored: 0 };
  const zones = [...new Set(ws.fleet.regions.map((r) => r.zone))];
  const kept = await latestReadings(store, settings.source, zones, settings.emissionFactor);
  return { source: created.source, restored: created.lastGood.remember(kept, now()) };
}
