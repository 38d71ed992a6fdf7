import { sql } from 'drizzle-orm';
import type { CarbonReading, CarbonSourceKind, EmissionFactor } from '../regions/carbon/reading.js';
import { carbonReadings } from './schema.js';
import type { Store } from './store.js';
import { storeFault } from './store-fault.js';

interface LatestRow {
  readonly zone: string;
  readonly ms: number | string;
  readonly intensity: number | string;
  readonly estimated: boolean;
}

/**
 * The newest reading the store holds for each of `zones` from `source`: what a restarted
 * shisa knows of each zone before the feed has answered once. The table keeps neither the
 * emission factor nor the granularity; both are the source's (a live feed's readings are
 * hourly, in the factor the fleet asks for), so the caller says which.
 */
export async function latestReadings(
  store: Store,
  source: CarbonSourceKind,
  zones: readonly string[],
  emissionFactor: EmissionFactor,
): Promise<CarbonReading[]> {
  if (zones.length === 0) return [];
  try {
    const found = (await store.db.execute(sql`
      select distinct on (zone) zone, (extract(epoch from datetime) * 1000)::float8 as ms, intensity, estimated
      from ${carbonReadings}
      where source = ${source} and zone in (${sql.join(
        zones.map((z) => sql`${z}`),
        sql`, `,
      )})
      order by zone, datetime desc`)) as unknown as { rows?: LatestRow[] } | LatestRow[];
    const rows = Array.isArray(found) ? found : (found.rows ?? []);
    return rows.map((r) => ({
      zone: r.zone,
      intensity: Number(r.intensity),
      datetime: Number(r.ms),
      isEstimated: r.estimated,
      emissionFactor,
      source,
      granularity: 'hour' as const,
    }));
  } catch (err) {
    throw storeFault(err, 'cannot read the last carbon readings', 'STORE_READ_FAILED');
  }
}
