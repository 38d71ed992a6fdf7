import { verifyAudit } from '../../db/audit-log.js';
import { withStore, type StoreCommandOptions } from './history.js';
import { EXIT, type CliIo } from './io.js';

/** `shisa audit verify`: walks the hash chain; exit 0 when intact, 3 at the first broken link. */
export async function auditVerifyCommand(options: StoreCommandOptions, io: CliIo): Promise<number> {
  return withStore('audit verify', options, io, async (store) => {
    const r = await verifyAudit(store);
    if (options.json) io.stdout(JSON.stringify({ intact: !r.broken, entries: r.entries, ...(r.broken ? { broken: r.broken } : {}) }, null, 2) + '\n');
    else if (r.broken) io.stdout(`Audit log BROKEN at entry ${r.broken.seq}: ${r.broken.problem} (${r.entries} entries read)\n`);
    else io.stdout(`Audit log intact: ${r.entries} ${r.entries === 1 ? 'entry' : 'entries'}, each linked to the one before\n`);
    return r.broken ? EXIT.unprovable : EXIT.ok;
  });
}
