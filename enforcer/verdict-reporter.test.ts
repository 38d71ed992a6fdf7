import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../scheduler/config/secret.js';
import { verdictStatus } from '../test/enforcer/verdict-status.js';
import type { VerdictStatus } from './status.js';
import { VerdictReporter, type VerdictChange } from './verdict-reporter.js';

const TOKEN = 'sk-live-7f3a9c2e41b84d5f';

interface Received {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: { node: string; changes: VerdictChange[] };
}

/** A scheduler on 127.0.0.1 that records each request and answers with the next status from `statuses` (then 204). */
async function scheduler(statuses: number[] = []): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      received.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: JSON.parse(text) as Received['body'],
      });
      const status = statuses.shift() ?? 204;
      res
        .writeHead(status, { 'content-type': 'text/plain' })
        .end(status >= 300 ? `failed, token was ${String(req.headers.authorization)}\n` : '');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/verdicts`, received, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const change = (n: number, state: VerdictStatus['state'] = 'violated'): VerdictChange => ({
  at: `2025-01-01T00:00:0${n}.000Z`,
  from: 'holds',
  verdict: verdictStatus({
    key: `shop/web>shop/db@web#${n}`,
    state,
    reason: `change ${n}`,
    since: `2025-01-01T00:00:0${n}.000Z`,
  }),
});

describe('VerdictReporter', () => {
  it('POSTs the queued changes as JSON {node, changes} with the bearer token', async () => {
    const s = await scheduler();
    const r = new VerdictReporter(s.url, 'gke-tokyo-01-pool-a-1', new Secret(TOKEN, 'SHISA_SCHEDULER_TOKEN'));
    r.add(change(1));
    r.add(change(2, 'holds'));
    expect(r.pending).toBe(2);
    expect(await r.flush()).toBe(true);
    expect(r.pending).toBe(0);
    expect(r.lastError).toBeUndefined();
    expect(s.received).toHaveLength(1);
    const [req] = s.received;
    expect(req).toMatchObject({ method: 'POST', url: '/api/v1/verdicts' });
    expect(req!.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.body).toEqual({ node: 'gke-tokyo-01-pool-a-1', changes: [change(1), change(2, 'holds')] });
  });

  it('sends no Authorization header without a token', async () => {
    const s = await scheduler();
    const r = new VerdictReporter(s.url, 'n1', undefined);
    r.add(change(1));
    expect(await r.flush()).toBe(true);
    expect(s.received[0]?.headers['authorization']).toBeUndefined();
  });

  it('sends nothing when nothing is queued', async () => {
    const s = await scheduler();
    const r = new VerdictReporter(s.url, 'n1', undefined);
    expect(await r.flush()).toBe(true);
    expect(s.received).toEqual([]);
  });

  it('keeps the changes queued on HTTP 500 and sends them, in order, on the next flush', async () => {
    const s = await scheduler([500]);
    const r = new VerdictReporter(s.url, 'n1', new Secret(TOKEN, 'SHISA_SCHEDULER_TOKEN'));
    r.add(change(1));
    r.add(change(2));
    expect(await r.flush()).toBe(false);
    expect(r.pending).toBe(2);
    expect(r.lastError).toBe('the scheduler answered HTTP 500');
    r.add(change(3));
    expect(await r.flush()).toBe(true);
    expect(r.pending).toBe(0);
    expect(r.lastError).toBeUndefined();
    expect(s.received.map((q) => q.body.changes.map((c) => c.verdict.reason))).toEqual([
      ['change 1', 'change 2'],
      ['change 1', 'change 2', 'change 3'],
    ]);
  });

  it('keeps the changes when the scheduler cannot be reached', async () => {
    const s = await scheduler();
    const closedUrl = s.url;
    await new Promise((r) => s.server.close(r));
    const r = new VerdictReporter(closedUrl, 'n1', new Secret(TOKEN, 'SHISA_SCHEDULER_TOKEN'));
    r.add(change(1));
    expect(await r.flush()).toBe(false);
    expect(r.pending).toBe(1);
    expect(r.lastError).toMatch(/ECONNREFUSED/);
  });

  it('never puts the token in lastError, even when the error text contains it', async () => {
    // HTTP 500 (the body quotes the token back) and an unreachable port: the token stays out.
    const s = await scheduler([500]);
    const r = new VerdictReporter(s.url, 'n1', new Secret(TOKEN, 'SHISA_SCHEDULER_TOKEN'));
    r.add(change(1));
    await r.flush();
    expect(r.lastError).toBeDefined();
    expect(r.lastError).not.toContain(TOKEN);
    // A token whose text appears in the library's message (here the address it could not reach) is scrubbed from it.
    const port = (s.server.address() as AddressInfo).port;
    await new Promise((res) => s.server.close(res));
    const leaky = new VerdictReporter(
      `http://127.0.0.1:${port}/`,
      'n1',
      new Secret(`127.0.0.1:${port}`, 'SHISA_SCHEDULER_TOKEN'),
    );
    leaky.add(change(1));
    await leaky.flush();
    expect(leaky.lastError).toMatch(/ECONNREFUSED \[redacted\]/);
    expect(leaky.lastError).not.toContain(`127.0.0.1:${port}`);
    // A token that cannot be sent in a header at all.
    const broken = new VerdictReporter(s.url, 'n1', new Secret('abc\r\nX-Injected: 1', 'SHISA_SCHEDULER_TOKEN'));
    broken.add(change(1));
    expect(await broken.flush()).toBe(false);
    expect(broken.lastError).toBeDefined();
    expect(broken.lastError).not.toContain('abc\r\nX-Injected: 1');
  });

  it('drops the oldest past 1000 queued changes and counts them', async () => {
    const s = await scheduler();
    const r = new VerdictReporter(s.url, 'n1', undefined);
    for (let i = 0; i < 1003; i++) r.add(change(i));
    expect(r.pending).toBe(1000);
    expect(r.dropped).toBe(3);
    expect(await r.flush()).toBe(true);
    const sent = s.received[0]!.body.changes.map((c) => c.verdict.reason);
    expect([sent.length, sent[0], sent.at(-1)]).toEqual([1000, 'change 3', 'change 1002']);
  });

  it('does not send a batch twice when flushes overlap', async () => {
    const s = await scheduler();
    const r = new VerdictReporter(s.url, 'n1', undefined);
    r.add(change(1));
    const [a, b] = await Promise.all([r.flush(), r.flush()]);
    expect([a, b]).toEqual([true, false]);
    expect(s.received).toHaveLength(1);
    expect(r.pending).toBe(0);
  });
});
