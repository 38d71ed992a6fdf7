import type { Dispatcher } from 'undici';
import type { Environment } from '../../scheduler/config/environment.js';
import type { Diagnostic } from '../../scheduler/diagnostics/diagnostic.js';
import type { SourceFile } from '../../scheduler/diagnostics/source-file.js';
import { bundledTracesDir } from '../data/bundled.js';
import type { CarbonSettings } from '../fleet/model.js';
import { LastGoodSource } from './last-good.js';
import { loadTraces } from './load-traces.js';
import { PlausibleSource } from './plausible-source.js';
import type { CarbonSourceKind } from './reading.js';
import { ReplayCarbonSource } from './replay-source.js';
import type { CarbonSource } from './source.js';
import { StaticCarbonSource } from './static-source.js';

export interface CarbonSourceDeps {
  readonly env: Environment;
  /** Wall clock, used only for cache lifetimes of the live source. */
  readonly now: () => number;
  readonly dispatcher?: Dispatcher;
  /** The fleet file, to locate errors in its replay settings. */
  readonly fleetSource?: SourceFile;
}

/** Retry timing of the live source besides what the fleet file sets. */
export const BACKOFF = Object.freeze({ baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 });

/**
 * Builds the carbon source a run uses, from the fleet's settings and the kind chosen (the
 * fleet's `carbon.source`, or a command-line override). Replay without configured traces
 * plays the traces shipped with shisa. Every kind is wrapped in the plausibility rule
 * (plausible-source.ts), so none can hand the planner a reading that cannot be true.
 */
export async function createCarbonSource(
  settings: CarbonSettings,
  kind: CarbonSourceKind,
  deps: CarbonSourceDeps,
): Promise<{ source?: CarbonSource; diagnostics: Diagnostic[]; lastGood?: LastGoodSource }> {
  switch (kind) {
    case 'static':
      return { source: new PlausibleSource(new StaticCarbonSource(settings.static.year)), diagnostics: [] };
    case 'replay': {
      const refs = settings.replay?.traces ?? [
        {
          path: bundledTracesDir(),
          display: 'shisa/regions/data/hourly',
          span: { file: '<bundled>', start: 0, end: 0, line: 1, col: 1 },
        },
      ];
      const loaded = await loadTraces(refs, deps.fleetSource);
      return loaded.traces
        ? {
            source: new PlausibleSource(new ReplayCarbonSource(loaded.traces, settings.emissionFactor)),
            diagnostics: loaded.diagnostics,
          }
        : { diagnostics: loaded.diagnostics };
    }
    case 'electricitymaps': {
      const em = settings.electricitymaps;
      // The live client (and undici under it) is loaded only when it is used.
      const { ElectricityMapsSource } = await import('./electricitymaps/electricitymaps-source.js');
      const live = new ElectricityMapsSource({
        baseUrl: em.baseUrl,
        token: deps.env.secret(em.tokenEnv),
        tokenEnv: em.tokenEnv,
        emissionFactor: settings.emissionFactor,
        cacheTtlMs: em.cacheTtlMs,
        policy: { retries: em.retries, timeoutMs: em.timeoutMs, ...BACKOFF },
        now: deps.now,
        ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
      });
      // The last good readings are returned too, so a long-running service can restore them from the store.
      const lastGood = new LastGoodSource(live);
      return { source: new PlausibleSource(lastGood), diagnostics: [], lastGood };
    }
  }
}
