import { request, type Dispatcher } from 'undici';
import { isTimeout, retryAfterMs } from '../../regions/carbon/electricitymaps/http-get.js';
import type { Secret } from '../config/secret.js';

/**
 * What one POST to a Slack incoming webhook came to. A value, never an exception: the outbox
 * worker decides from it whether the message is delivered, waits, or is given up on.
 *
 * - `delivered`: 200 `ok`.
 * - `retry`: 429 (with the wait Slack asked for, when it said), 5xx, a timeout or a network
 *   error — Slack may take it later, so the message stays in the outbox.
 * - `permanent`: any other answer (400 `invalid_payload`, 403 `invalid_token`, 404
 *   `no_service`, 410 `channel_is_archived`, a redirect): sending it again cannot help.
 *
 * `detail` never holds the webhook URL (the URL is the credential).
 */
export type WebhookAnswer =
  | { readonly kind: 'delivered'; readonly status: number }
  | { readonly kind: 'retry'; readonly status?: number; readonly retryAfterMs?: number; readonly detail: string }
  | { readonly kind: 'permanent'; readonly status: number; readonly detail: string };

export interface WebhookOptions {
  /** Deadline for the attempt, connect to last body byte. */
  readonly timeoutMs: number;
  readonly dispatcher?: Dispatcher;
}

/** Header carrying the outbox row's key, so a receiver (or a proxy in front of Slack) can drop a repeat. */
export const IDEMPOTENCY_HEADER = 'x-shisa-idempotency-key';

/** Slack's answers are a word or two; anything longer is read only this far. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** One attempt to deliver `payload` (a Block Kit message) to the webhook at `url`. */
export async function postWebhook(
  url: Secret,
  payload: unknown,
  idempotencyKey: string,
  options: WebhookOptions,
): Promise<WebhookAnswer> {
  try {
    const res = await request(url.reveal(), {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', [IDEMPOTENCY_HEADER]: idempotencyKey },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(options.timeoutMs),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    const answer = url.scrub(await readAnswer(res));
    return classify(res.statusCode, res.headers['retry-after'], answer);
  } catch (err) {
    return { kind: 'retry', detail: url.scrub(failureDetail(err)) };
  }
}

function classify(status: number, retryAfter: string | string[] | undefined, answer: string): WebhookAnswer {
  const said = answer ? `: ${answer}` : '';
  if (status === 200) return { kind: 'delivered', status };
  if (status === 429) {
    const wait = retryAfterMs(retryAfter);
    const asked = wait !== undefined ? { retryAfterMs: wait } : {};
    return { kind: 'retry', status, detail: `rate limited (429)${said}`, ...asked };
  }
  if (status >= 500) return { kind: 'retry', status, detail: `Slack answered ${status}${said}` };
  return { kind: 'permanent', status, detail: `Slack refused the message (${status})${said}` };
}

/** The answer's text, one line, clipped: Slack's error word (`invalid_payload`, `no_service`, …). */
async function readAnswer(res: Dispatcher.ResponseData): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    chunks.push(chunk);
    if (size >= MAX_ANSWER_BYTES) {
      res.body.destroy();
      break;
    }
  }
  const text = Buffer.concat(chunks).toString('utf8');
  // The answer is shown in logs and messages: no control characters.
  // eslint-disable-next-line no-control-regex -- matching them is the point
  const oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return oneLine.trim().slice(0, 200);
}

/** A timeout or a network error by its code; never the message, which may hold the URL. */
function failureDetail(err: unknown): string {
  if (isTimeout(err)) return 'no answer in time';
  const code = (err as { code?: unknown } | null)?.code;
  return `could not reach Slack (${typeof code === 'string' ? code : 'network error'})`;
}
