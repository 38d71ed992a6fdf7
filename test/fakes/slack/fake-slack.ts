// A fake of Slack's incoming webhooks, for tests: a real HTTP server (node:http) on 127.0.0.1,
// port 0, answering as hooks.slack.com does, so the product's real webhook client can be
// pointed at `urlOf(hook)` and exercised end to end, including the ways Slack refuses.
//
// Order of checks for one request, each ending it with the status and body shown (Slack's
// answers are text/html bodies of one word):
//   method other than POST 405 → unknown hook path 404 `no_service` → a revoked hook 403
//   `invalid_token` → an archived hook 410 `channel_is_archived` → a scripted fault, if any
//   (`status` answers with it, 429 with Retry-After; `reset` destroys the connection with no
//   answer; `slow` delays, then carries on; during an `outage` every request takes one)
//   → a body that is not JSON 400 `invalid_payload`
//   → neither `text` nor `blocks` 400 `no_text` → blocks that break Block Kit's limits 400
//   `invalid_blocks` → 200 `ok`.
//
// Every request is recorded with what was answered; `delivered(hook)` lists the messages a
// channel would show, in the order they arrived. The fake keeps no state between hooks and
// shares no code with the product.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type SlackFault =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds?: number; readonly body?: string }
  | { readonly kind: 'reset' }
  | { readonly kind: 'slow'; readonly delayMs: number };

export interface SlackRequest {
  readonly hook: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body parsed as JSON, or undefined when it was not JSON. */
  readonly payload: unknown;
  readonly bytes: number;
  readonly at: number;
  /** 0 when no answer was sent (a reset). */
  status: number;
  answer: string;
}

/** Block types Slack accepts in a message, and its limits (api.slack.com/reference/block-kit). */
const BLOCK_TYPES = new Set(['header', 'section', 'context', 'divider', 'actions', 'image', 'rich_text']);
const MAX_BLOCKS = 50;
const MAX_HEADER = 150;
const MAX_SECTION_TEXT = 3000;
const MAX_FIELDS = 10;
const MAX_FIELD_TEXT = 2000;
const MAX_BODY_BYTES = 1024 * 1024;

export class FakeSlack {
  readonly requests: SlackRequest[] = [];
  readonly #hooks = new Set<string>();
  readonly #revoked = new Set<string>();
  readonly #archived = new Set<string>();
  readonly #faults: SlackFault[] = [];
  #outage: SlackFault[] | undefined;
  #outageNext = 0;
  readonly #sockets = new Set<Socket>();
  #port = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeSlack> {
    const server = createServer();
    const fake = new FakeSlack(server);
    server.on('request', (req, res) => void fake.handle(req, res));
    server.on('connection', (socket) => {
      fake.#sockets.add(socket);
      socket.on('close', () => fake.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.#port = (server.address() as AddressInfo).port;
    return fake;
  }

  /** A new hook (a channel's webhook); its URL is what a workspace admin would paste. */
  addHook(name: string): string {
    this.#hooks.add(`/services/T0SHISA/B${name}/${name}-secret-part`);
    return this.urlOf(name);
  }

  urlOf(name: string): string {
    return `http://127.0.0.1:${this.#port}/services/T0SHISA/B${name}/${name}-secret-part`;
  }

  revoke(name: string): void {
    this.#revoked.add(this.#path(name));
  }

  archive(name: string): void {
    this.#archived.add(this.#path(name));
  }

  /**
   * An outage: until called again with undefined, every request (of any hook) gets one of
   * these faults, in turn (a Slack that answers 500, then 429 Retry-After, then resets…).
   */
  outage(faults: readonly SlackFault[] | undefined): void {
    this.#outage = faults?.length ? [...faults] : undefined;
    this.#outageNext = 0;
  }

  /** Faults for the next requests (of any hook), one each, in order. */
  fail(...faults: readonly SlackFault[]): void {
    this.#faults.push(...faults);
  }

  /** The payloads a hook accepted (200 `ok`), in the order they came. */
  delivered(name: string): unknown[] {
    return this.requests.filter((r) => r.hook === this.#path(name) && r.status === 200).map((r) => r.payload);
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #path(name: string): string {
    return `/services/T0SHISA/B${name}/${name}-secret-part`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const hook = (req.url ?? '').split('?')[0] ?? '';
    const payload = parseJson(body);
    const record: SlackRequest = {
      hook,
      method: req.method ?? '',
      headers: req.headers,
      payload,
      bytes: body?.length ?? -1,
      at: Date.now(),
      status: 0,
      answer: '',
    };
    this.requests.push(record);
    const answer = (status: number, text: string, headers: Record<string, string> = {}) => {
      record.status = status;
      record.answer = text;
      res.writeHead(status, { 'content-type': 'text/html', ...headers }).end(text);
    };
    if (req.method !== 'POST') return answer(405, 'invalid_method', { allow: 'POST' });
    if (!this.#hooks.has(hook)) return answer(404, 'no_service');
    if (this.#revoked.has(hook)) return answer(403, 'invalid_token');
    if (this.#archived.has(hook)) return answer(410, 'channel_is_archived');
    const fault = this.#outage ? this.#outage[this.#outageNext++ % this.#outage.length] : this.#faults.shift();
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.kind === 'status') {
      const retry: Record<string, string> =
        fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
      return answer(fault.status, fault.body ?? defaultAnswer(fault.status), retry);
    }
    if (body === undefined) return answer(413, 'request_too_large');
    if (payload === undefined || typeof payload !== 'object' || payload === null || Array.isArray(payload))
      return answer(400, 'invalid_payload');
    const message = payload as { text?: unknown; blocks?: unknown };
    if (typeof message.text !== 'string' && message.blocks === undefined) return answer(400, 'no_text');
    if (message.blocks !== undefined && !blocksValid(message.blocks)) return answer(400, 'invalid_blocks');
    answer(200, 'ok');
  }
}

function defaultAnswer(status: number): string {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'internal_error';
  return 'invalid_payload';
}

/** The body, or undefined when it is over the limit (the rest is drained, not kept). */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

interface TextObject {
  readonly type?: unknown;
  readonly text?: unknown;
}

function textLength(t: unknown): number {
  const o = t as TextObject | undefined;
  return typeof o?.text === 'string' && (o.type === 'plain_text' || o.type === 'mrkdwn') ? o.text.length : -1;
}

/** Block Kit's structural rules and limits, as Slack enforces them for the blocks a message uses. */
function blocksValid(blocks: unknown): boolean {
  if (!Array.isArray(blocks) || blocks.length > MAX_BLOCKS) return false;
  return blocks.every((b: unknown) => {
    const block = b as { type?: unknown; text?: unknown; fields?: unknown; elements?: unknown };
    if (typeof block?.type !== 'string' || !BLOCK_TYPES.has(block.type)) return false;
    if (block.type === 'header') {
      const n = textLength(block.text);
      return (block.text as TextObject).type === 'plain_text' && n >= 1 && n <= MAX_HEADER;
    }
    if (block.type === 'section') {
      const fields = block.fields;
      if (block.text === undefined && fields === undefined) return false;
      if (block.text !== undefined && (textLength(block.text) < 1 || textLength(block.text) > MAX_SECTION_TEXT))
        return false;
      if (fields === undefined) return true;
      return (
        Array.isArray(fields) &&
        fields.length <= MAX_FIELDS &&
        fields.every((f) => textLength(f) >= 1 && textLength(f) <= MAX_FIELD_TEXT)
      );
    }
    if (block.type === 'context')
      return Array.isArray(block.elements) && block.elements.length >= 1 && block.elements.length <= 10;
    return true;
  });
}
