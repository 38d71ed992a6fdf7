// Request and response plumbing shared by the fake's handlers: bodies capped like the real
// server's (3 MiB), and every answer written as application/json.

import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Answer {
  code: number;
  body: unknown;
  /** `body` already serialised, exactly as JSON.stringify(body) would: sent instead of serialising again. */
  json?: string;
  headers?: Record<string, string>;
}

const MAX_BODY_BYTES = 3 * 1024 * 1024;

export class BodyTooLarge extends Error {}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function sendAnswer(res: ServerResponse, answer: Answer): void {
  if (res.headersSent || res.destroyed) return;
  // Encoded once: measuring the text for Content-Length and then writing it (encoding it
  // again) was a third of what serving a 15,000-pod list cost.
  const body = Buffer.from(answer.json ?? JSON.stringify(answer.body), 'utf8');
  res.writeHead(answer.code, {
    ...answer.headers,
    'content-type': 'application/json',
    'content-length': body.length,
    'cache-control': 'no-cache, private',
  });
  res.end(body);
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
export const mediaType = (header: string | undefined): string => (header ?? '').split(';')[0]!.trim().toLowerCase();

/** `true`/`1` as the real server reads boolean query parameters. */
export const queryFlag = (q: URLSearchParams, name: string): boolean => {
  const v = q.get(name);
  return v === 'true' || v === '1';
};
