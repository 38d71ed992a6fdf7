import { buildPromiseModel } from '../promises/build-model.js';
import { renderReport, reportToJson } from '../verify/report.js';
import { verify } from '../verify/verify.js';
import { EXIT, type CliIo } from './io.js';
import { loadWorkspaceWithInventory, plural } from './report.js';

export interface VerifyCommandOptions {
  readonly config: string;
  readonly json: boolean;
  readonly timeoutMs: number;
}

/**
 * `shisa verify`: proves the intent model consistent (check 1) and looks for single points
 * of failure (check 3). Exit 0 when everything is proven (warnings allowed), 3 when
 * something is unprovable, 2 for invalid input.
 */
export async function verifyCommand(options: VerifyCommandOptions, io: CliIo): Promise<number> {
  const ws = await loadWorkspaceWithInventory(
    'verify',
    options.config,
    io,
    'proofs are about workloads and where they run',
  );
  if (!ws) return EXIT.invalidInput;
  const mesh = buildPromiseModel(ws.fleet, ws.intents, ws.workloads);
  const report = await verify(mesh, ws.intents, { timeoutMs: options.timeoutMs, checks: ['intents', 'region-loss'] });
  if (options.json) io.stdout(JSON.stringify({ fleet: ws.fleet.file, ...reportToJson(report) }, null, 2) + '\n');
  else {
    const counts = [
      plural(ws.intents.length, 'intent'),
      plural(ws.workloads.length, 'workload'),
      plural(ws.fleet.regions.length, 'region'),
    ];
    io.stdout(`Verifying ${ws.fleet.name ?? ws.fleet.file}: ${counts.join(', ')}\n\n`);
    io.stdout(renderReport(report) + '\n');
  }
  return report.proven ? EXIT.ok : EXIT.unprovable;
}
