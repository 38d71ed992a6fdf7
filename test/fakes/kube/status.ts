// Errors as the Kubernetes API server writes them: a `kind: Status` object with the reason and
// code clients switch on (client-go's apierrors, client-node's ApiException.code). The messages
// follow the real server's wording, because kubectl prints them verbatim.

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason?: string; message: string; field?: string }[];
  retryAfterSeconds?: number;
}

/** A Kubernetes error answer; a class so handlers can tell it from an object with `instanceof`. */
export class StatusError {
  constructor(
    readonly code: number,
    readonly body: Record<string, unknown>,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers: Record<string, string> = {},
  ) {}
}

export function statusError(code: number, reason: string, message: string, details?: StatusDetails): StatusError {
  const body: Record<string, unknown> = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details !== undefined) body.details = details;
  const headers: Record<string, string> =
    details?.retryAfterSeconds !== undefined ? { 'retry-after': String(details.retryAfterSeconds) } : {};
  return new StatusError(code, body, headers);
}

/** What a resource is called in messages: `deployments.apps`, or `pods` in the core group. */
export interface Subject {
  group: string;
  plural: string;
  kind: string;
}
const qualified = (s: Subject): string => (s.group ? `${s.plural}.${s.group}` : s.plural);
const detailsOf = (s: Subject, name: string): StatusDetails => ({ name, group: s.group, kind: s.plural });

export const notFound = (s: Subject, name: string): StatusError =>
  statusError(404, 'NotFound', `${qualified(s)} "${name}" not found`, detailsOf(s, name));

export const alreadyExists = (s: Subject, name: string): StatusError =>
  statusError(409, 'AlreadyExists', `${qualified(s)} "${name}" already exists`, detailsOf(s, name));

export const conflict = (s: Subject, name: string): StatusError =>
  statusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(s)} "${name}": the object has been modified; ` +
      'please apply your changes to the latest version and try again',
    detailsOf(s, name),
  );

export interface FieldCause {
  field: string;
  message: string;
  reason?: string;
}

export const invalid = (s: Subject, name: string, causes: readonly FieldCause[]): StatusError =>
  statusError(
    422,
    'Invalid',
    `${s.kind} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
    {
      name,
      group: s.group,
      kind: s.kind,
      causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, field: c.field })),
    },
  );

export const badRequest = (message: string): StatusError => statusError(400, 'BadRequest', message);

export const unauthorized = (): StatusError => statusError(401, 'Unauthorized', 'Unauthorized');

export const methodNotAllowed = (): StatusError =>
  statusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

export const unsupportedMediaType = (contentType: string): StatusError =>
  statusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got ${contentType})`,
  );

export const expired = (message: string): StatusError => statusError(410, 'Expired', message);

export const tooManyRequests = (retryAfterSeconds: number): StatusError =>
  statusError(429, 'TooManyRequests', 'the server has received too many requests and has asked us to try again later', {
    retryAfterSeconds,
  });

export const internalError = (message: string): StatusError =>
  statusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });

export const serviceUnavailable = (): StatusError =>
  statusError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');

/** An arbitrary 5xx (or other) answer for fault injection, with the reason Kubernetes uses for it. */
export function statusForCode(code: number, retryAfterSeconds?: number): StatusError {
  if (code === 429) return tooManyRequests(retryAfterSeconds ?? 1);
  if (code === 503) return serviceUnavailable();
  if (code === 504)
    return statusError(504, 'Timeout', 'the server was unable to return a response in the time allotted');
  if (code === 500) return internalError('injected fault');
  return statusError(code, code >= 500 ? 'InternalError' : 'BadRequest', `injected fault ${code}`);
}
