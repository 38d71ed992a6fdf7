import type { IncomingMessage } from 'node:http';
import { apiError, type ApiError } from './api-error.js';

/**
 * Reads a JSON request body of at most `maxBytes`. A body over the limit is refused as soon
 * as the limit is passed (413, the rest is not read into memory), by its Content-Length before
 * any of it when that says so; a body that is not JSON is 400, a wrong media type 415.
 */
export async function readJsonBody(
  req: IncomingMessage,
  maxBytes: number,
): Promise<{ readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ApiError }> {
  const tooLarge = apiError(413, 'BODY_TOO_LARGE', `the request body is over ${maxBytes} bytes`);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    return { ok: false, error: apiError(415, 'BODY_MEDIA_TYPE', 'expected Content-Type: application/json') };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, error: tooLarge };
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) return { ok: false, error: tooLarge };
      chunks.push(chunk);
    }
  } catch {
    // The client went away mid-body (ECONNRESET, "aborted"): nothing to answer, nothing taken.
    return { ok: false, error: apiError(400, 'BODY_ABORTED', 'the request body ended before it was complete') };
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { ok: false, error: apiError(400, 'BODY_INVALID_JSON', 'the request body is not valid JSON') };
  }
}
