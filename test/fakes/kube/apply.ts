// Server-side apply (PATCH with application/apply-patch+yaml): TODO until serverSideApply is in
// ./patch. Answers 415 meanwhile.

import type { ApiContext } from './context.js';
import type { Answer } from './http.js';
import type { ResourceRoute } from './routes.js';
import { unsupportedMediaType } from './status.js';
import { fromError } from './write.js';

export function serverSideApplyAnswer(
  _ctx: ApiContext,
  _route: ResourceRoute,
  _body: Buffer,
  _query: URLSearchParams,
): Answer {
  return fromError(unsupportedMediaType('application/apply-patch+yaml (server-side apply not wired yet)'));
}
