import type { CarbonSource } from '../../regions/carbon/source.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { renderDiagnostic } from '../diagnostics/render.js';
import { digestSource } from '../run/digest.js';
import { recordConfigAccepted, recordConfigRejected } from './config-notices.js';
import { serviceCarbon } from './service-carbon.js';
import { loadServeConfig, type ServeConfig, type ServeConfigPlace } from './serve-config.js';
import { errorSummary, type RebalancingService, type ServiceDeps } from './service.js';

/** What the files say, as one comparable string: a reload that changes nothing is not a reload. */
function fingerprint(config: ServeConfig): string {
  const files = [...config.sources.values()].map((s) => {
    const d = digestSource(s);
    return `${d.file}\u0000${d.sha256}`;
  });
  return [...files.sort(), ...[...config.webhooks.keys()].sort()].join('\n');
}

/**
 * Loads the configuration again by the rules `shisa validate` uses. Whole: the service takes
 * it (the run under way finishes on the old one) and an open "configuration rejected"
 * episode is resolved. Not whole: the service keeps the old one, and one exception naming the
 * first error's file:line:col is recorded and told. True when a new configuration was taken.
 */
export async function reloadConfig(
  deps: ServiceDeps,
  place: ServeConfigPlace,
  service: RebalancingService,
  why: string,
): Promise<boolean> {
  const log = deps.log;
  const at = new Date(deps.now());
  try {
    const loaded = await loadWhole(deps, place);
    if ('diagnostics' in loaded) {
      for (const d of loaded.diagnostics) log.error({ event: 'config.error', code: d.code }, renderDiagnostic(d));
      const id = await recordConfigRejected(deps.store, service.config.audience, loaded.diagnostics, at);
      log.error({ event: 'config.rejected', why, exception: id }, 'the new configuration is invalid: kept the old one');
      return false;
    }
    const changed = fingerprint(loaded.config) !== fingerprint(service.config);
    if (changed) service.useConfig(loaded.config, loaded.carbon);
    await recordConfigAccepted(deps.store, loaded.config.audience, at);
    if (changed) log.info({ event: 'config.reloaded', why }, 'configuration reloaded');
    else log.info({ event: 'config.unchanged', why }, 'configuration unchanged');
    return changed;
  } catch (err) {
    log.error({ event: 'config.unrecorded', err: errorSummary(err) }, 'the reload could not be recorded');
    return false;
  }
}

/** The configuration and its carbon source, or everything wrong with either. */
async function loadWhole(
  deps: ServiceDeps,
  place: ServeConfigPlace,
): Promise<{ config: ServeConfig; carbon: CarbonSource } | { diagnostics: readonly Diagnostic[] }> {
  const loaded = await loadServeConfig(place);
  if (!loaded.ok) return { diagnostics: loaded.diagnostics };
  const carbon = await serviceCarbon(loaded.config.workspace, deps.env, deps.store, deps.now);
  return 'diagnostics' in carbon ? carbon : { config: loaded.config, carbon: carbon.source };
}
