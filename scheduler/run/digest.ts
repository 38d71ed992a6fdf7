import { createHash } from 'node:crypto';
import { canonicalJson } from '../../db/canonical-json.js';
import type { ZoneSignal } from '../../regions/carbon/staleness.js';
import type { SourceFile } from '../diagnostics/source-file.js';
import type { Workload } from '../inventory/model.js';
import type { InputDigest } from './ports.js';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The digest of a file as it was parsed (its text is what was read, once). */
export function digestSource(source: SourceFile): InputDigest {
  return { file: source.name, sha256: sha256(source.text) };
}

/**
 * One digest over the carbon signals a run decided from: per zone (sorted), its status and
 * the reading's time, intensity, estimate flag and source. Equal signals give equal digests.
 */
export function digestSignals(signals: readonly ZoneSignal[]): string {
  const rows = [...signals]
    .sort((a, b) => (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0))
    .map((s) => ({
      zone: s.zone,
      status: s.status,
      ...(s.reading
        ? {
            datetime: s.reading.datetime,
            intensity: s.reading.intensity,
            estimated: s.reading.isEstimated,
            source: s.reading.source,
          }
        : {}),
    }));
  return sha256(canonicalJson(rows));
}

/**
 * The digest of workloads read from somewhere that is not a file (the clusters): each one's
 * name, region, size, intent, dependencies and last move, in the order given (sorted by
 * name). Equal readings give equal digests.
 */
export function digestWorkloads(label: string, workloads: readonly Workload[]): InputDigest {
  const rows = workloads.map((w) => [
    w.name,
    w.region,
    w.cpu,
    w.memoryGib,
    w.intent ?? null,
    w.dependsOn.map((d) => d.value),
    w.lastMovedAt ?? null,
  ]);
  return { file: label, sha256: sha256(JSON.stringify(rows)) };
}
