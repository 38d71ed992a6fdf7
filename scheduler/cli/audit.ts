import { verifyAudit, type AuditBreak } from '../../db/audit-log.js';
import { withStore, type StoreCommandOptions } from './history.js';
import { EXIT, type CliIo } from './io.js';

/**
 * `shisa audit verify`: walks the hash chain, then checks the rows each entry records; exit 0
 * when intact, 3 with the first break (and every row problem found, up to 20).
 */
export async function auditVerifyCommand(options: StoreCommandOptions, io: CliIo): Promise<number> {
  return withStore('audit verify', options, io, async (store) => {
    const r = await verifyAudit(store);
    if (options.json)
      io.stdout(
        JSON.stringify(
          {
            intact: !r.broken,
            entries: r.entries,
            ...(r.broken ? { broken: r.broken } : {}),
            ...(r.problems ? { problems: r.problems } : {}),
          },
          null,
          2,
        ) + '\n',
      );
    else if (r.broken) {
      io.stdout(`Audit log BROKEN${at(r.broken)}: ${r.broken.problem} (${r.entries} entries read)\n`);
      for (const p of (r.problems ?? []).slice(1)) io.stdout(`  also${at(p)}: ${p.problem}\n`);
    } else
      io.stdout(
        `Audit log intact: ${r.entries} ${r.entries === 1 ? 'entry' : 'entries'}, each linked to the one before, ` +
          'and every run, decision and migration they record as recorded\n',
      );
    return r.broken ? EXIT.unprovable : EXIT.ok;
  });
}

const at = (b: AuditBreak): string => (b.seq === undefined ? '' : ` at entry ${b.seq}`);
