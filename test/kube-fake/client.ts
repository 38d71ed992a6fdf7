// A minimal HTTPS client for the fake cluster's tests: node:https with the fake's CA, so the
// tests exercise the same TLS, token and wire format a real client would, without going
// through the fake's internals.

import { request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { FakeCluster } from '../fakes/kube/fake-cluster.js';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // Tests read fields freely; the shape is what the test asserts.
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface CallOptions {
  body?: unknown;
  contentType?: string;
  accept?: string;
  /** A token to send instead of the cluster's; null sends none. */
  token?: string | null;
}

function open(cluster: FakeCluster, method: string, path: string, options: CallOptions): Promise<IncomingMessage> {
  const token = options.token === undefined ? cluster.token : options.token;
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${cluster.url}${path}`,
      {
        method,
        ca: cluster.caPem,
        agent: false,
        headers: {
          ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
          // Node sends a DELETE body without framing unless told its length.
          ...(body !== undefined
            ? { 'content-type': options.contentType ?? 'application/json', 'content-length': Buffer.byteLength(body) }
            : {}),
          accept: options.accept ?? 'application/json',
        },
      },
      resolve,
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function call(
  cluster: FakeCluster,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Reply> {
  const res = await open(cluster, method, path, options);
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode ?? 0, headers: res.headers, text, json };
}

export interface WatchEvent {
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  object: any;
}

/** An open watch: events as they arrive, and whether (and how) the stream ended. */
export class WatchStream {
  readonly events: WatchEvent[] = [];
  ended = false;
  aborted = false;
  status = 0;
  private waiters: (() => void)[] = [];
  private res: IncomingMessage | undefined;

  static async open(cluster: FakeCluster, path: string, options: CallOptions = {}): Promise<WatchStream> {
    const stream = new WatchStream();
    const res = await open(cluster, 'GET', path, options);
    stream.res = res;
    stream.status = res.statusCode ?? 0;
    let buffered = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        stream.events.push(JSON.parse(buffered.slice(0, newline)) as WatchEvent);
        buffered = buffered.slice(newline + 1);
      }
      stream.wake();
    });
    res.on('end', () => {
      stream.ended = true;
      stream.wake();
    });
    res.on('aborted', () => {
      stream.aborted = true;
    });
    res.on('close', () => {
      stream.ended = true;
      stream.wake();
    });
    res.on('error', () => {
      stream.aborted = true;
    });
    return stream;
  }

  /** Resolves once `predicate` holds over the events so far (or rejects after `timeoutMs`). */
  async until(predicate: (events: WatchEvent[], ended: boolean) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events, this.ended)) {
      if (Date.now() > deadline)
        throw new Error(`watch: condition not met; events: ${JSON.stringify(this.events.map((e) => e.type))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  close(): void {
    this.res?.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Polls `check` until it returns a value that is not undefined. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('eventually: timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function deployment(
  name: string,
  options: { namespace?: string; replicas?: number; image?: string; labels?: Record<string, string> } = {},
) {
  const labels = options.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: options.namespace ?? 'default', labels },
    spec: {
      replicas: options.replicas ?? 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'main', image: options.image ?? 'nginx:1.27' }] },
      },
    },
  };
}

export function configMap(name: string, labels: Record<string, string> = {}, namespace = 'default') {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data: { key: name } };
}
