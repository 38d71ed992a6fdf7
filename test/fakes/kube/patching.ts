// PATCH: placeholder until test/fakes/kube/patch/ (another helper's work) is in.
// TODO: wire applyPatch / serverSideApply.

import type { ApiContext } from './context.js';
import type { Answer } from './http.js';
import type { ResourceRoute } from './routes.js';
import { unsupportedMediaType } from './status.js';
import { fromError } from './write.js';

export function patchObject(
  _ctx: ApiContext,
  _route: ResourceRoute,
  contentType: string,
  _body: Buffer,
  _query: URLSearchParams,
): Answer {
  return fromError(unsupportedMediaType(contentType));
}
