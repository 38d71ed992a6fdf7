import { insertException } from '../../db/exception-episodes.js';
import { inTransaction, type Store } from '../../db/store.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { tellExceptionsIn, type Audience } from '../notify/notices.js';

const KIND = 'config-rejected';

/**
 * A reload refused: one exception naming the first error's file:line:col, told in the
 * transaction that records it. The same file refused again joins the episode (told once).
 */
export async function recordConfigRejected(
  store: Store,
  audience: Audience,
  diagnostics: readonly Diagnostic[],
  at: Date,
): Promise<number> {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0] ?? diagnostics[0];
  const file = first?.span.file ?? 'the configuration';
  const detail = {
    file,
    line: first?.span.line ?? 0,
    col: first?.span.col ?? 0,
    message: first ? `${first.code}: ${first.message}` : 'the configuration could not be loaded',
    errors: errors.length,
  };
  return inTransaction(store, async (tx) => {
    const row = await insertException(tx, { kind: KIND, concerns: file, detail }, at);
    await tellExceptionsIn(tx, audience, [row], [], at);
    return row.id;
  });
}

/** A configuration loaded whole: every refused-reload episode still open is over ("resolved" told once). */
export async function recordConfigAccepted(store: Store, audience: Audience, at: Date): Promise<void> {
  await inTransaction(store, (tx) => tellExceptionsIn(tx, audience, [], [KIND], at));
}
