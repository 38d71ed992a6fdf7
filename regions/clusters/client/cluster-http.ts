import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * An answer other than 2xx, shaped as client-node's `ApiException` is (a numeric `code`, the
 * raw body text, the response headers), so `classifyClusterError` reads both alike. The
 * message holds the status only: never the headers or the body.
 */
export class HttpStatusError extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
    readonly headers: Readonly<Record<string, string | string[] | undefined>>,
  ) {
    super(`HTTP ${code}`);
    this.name = 'HttpStatusError';
  }
}

/** A 2xx answer that is not the JSON object asked for (a proxy's HTML page, a cut body). */
export class BadBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadBodyError';
  }
}

/** How one request is sent: its method, query, body (JSON) and what it accepts. */
export interface ClusterRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Of the body: `application/apply-patch+yaml` (server-side apply, JSON is YAML), merge patch, JSON. */
  readonly contentType?: string;
  readonly accept?: string;
}

/**
 * Requests to one cluster's API as plain JSON, with the credentials and TLS settings the
 * region's `KubeConfig` gives (`applyToHTTPSOptions`: CA, client certificate, bearer token,
 * exec and auth-provider plugins, basic auth, impersonation), applied afresh to every request
 * so that expiring credentials are renewed as client-node renews them.
 *
 * Why not the typed client: it builds a model object for every field of every item
 * (ObjectSerializer) and opens a new TLS connection for every call; for 15,000 pods that was
 * most of the time a read took. Here connections are kept alive (at most `maxSockets` per
 * server and credentials, the cluster's request limit) and the body is parsed once with
 * JSON.parse. A kubeconfig with a `proxy-url` goes through client-node's own proxy agent.
 */
export class ClusterHttp {
  private agent: HttpsAgent | HttpAgent | undefined;
  private watches: HttpsAgent | HttpAgent | undefined;
  private readonly server: URL;
  private readonly proxied: boolean;
  /** Requests sent, watches included. */
  requests = 0;

  constructor(
    private readonly kubeconfig: KubeConfig,
    private readonly maxSockets: number,
  ) {
    const cluster = kubeconfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
    this.proxied = Boolean(cluster.proxyUrl);
  }

  /** GET `path` (below the server's URL) with `query`; resolves to the parsed JSON object. */
  get(path: string, query: Readonly<Record<string, string>>, signal: AbortSignal, accept = 'application/json') {
    return this.send(path, { query, accept }, signal);
  }

  /** Sends one request; resolves to the answer's JSON object, rejects with HttpStatusError on a non-2xx. */
  async send(path: string, request: ClusterRequest, signal: AbortSignal): Promise<unknown> {
    const res = await this.open(path, request, signal);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw new HttpStatusError(status, text, res.headers);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new BadBodyError(`the server's answer to ${path} is not JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new BadBodyError(`the server's answer to ${path} is not a JSON object`);
    return parsed;
  }

  /**
   * A watch (`watch=true` is added): calls `onEvent` with each event line's JSON as it arrives,
   * until `onEvent` returns true (the caller saw what it waited for), the server ends the
   * stream, or `signal` aborts. Resolves to whether the caller stopped it.
   */
  async watch(
    path: string,
    query: Readonly<Record<string, string>>,
    onEvent: (event: { type?: unknown; object?: unknown }) => boolean,
    signal: AbortSignal,
  ): Promise<boolean> {
    const stop = new AbortController();
    const both = AbortSignal.any([signal, stop.signal]);
    const res = await this.open(path, { query: { ...query, watch: 'true' } }, both, true);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      throw new HttpStatusError(status, Buffer.concat(chunks).toString('utf8'), res.headers);
    }
    let pending = '';
    try {
      for await (const chunk of res) {
        pending += (chunk as Buffer).toString('utf8');
        for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (!line) continue;
          let event: unknown;
          try {
            event = JSON.parse(line);
          } catch {
            throw new BadBodyError(`a watch event from ${path} is not JSON`);
          }
          if (typeof event === 'object' && event !== null && onEvent(event)) {
            stop.abort();
            return true;
          }
        }
      }
    } catch (err) {
      if (stop.signal.aborted) return true;
      throw err;
    }
    return false;
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
    this.watches?.destroy();
    this.watches = undefined;
  }

  private async open(
    path: string,
    request: ClusterRequest,
    signal: AbortSignal,
    streaming = false,
  ): Promise<IncomingMessage> {
    const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
    const headers: Record<string, string | number> = { Accept: request.accept ?? 'application/json' };
    if (body) {
      headers['Content-Type'] = request.contentType ?? 'application/json';
      headers['Content-Length'] = body.length;
    }
    const options: RequestOptions = { method: request.method ?? 'GET', headers };
    await this.kubeconfig.applyToHTTPSOptions(options);
    const url = new URL(this.server.href.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(request.query ?? {})) url.searchParams.set(k, v);
    // A watch holds its connection for as long as it waits: it gets one of its own, outside
    // the pool that bounds the cluster's requests, so waiting never starves the writes.
    const agent = this.proxied ? options.agent : streaming ? this.watchAgent() : this.keptAlive();
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    this.requests++;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { ...options, agent, signal }, resolve);
      req.on('error', reject);
      req.end(body);
    });
  }

  /**
   * One keep-alive agent for the cluster. The TLS material (CA, client certificate and key)
   * travels with each request's options, and the agent pools connections by it, so a renewed
   * client certificate gets a connection of its own.
   */
  private keptAlive(): HttpsAgent | HttpAgent {
    const options = { keepAlive: true, maxSockets: this.maxSockets };
    return (this.agent ??= this.server.protocol === 'http:' ? new HttpAgent(options) : new HttpsAgent(options));
  }

  private watchAgent(): HttpsAgent | HttpAgent {
    const options = { keepAlive: true };
    return (this.watches ??= this.server.protocol === 'http:' ? new HttpAgent(options) : new HttpsAgent(options));
  }
}
