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

/**
 * GETs of one cluster's API as plain JSON, with the credentials and TLS settings the region's
 * `KubeConfig` gives (`applyToHTTPSOptions`: CA, client certificate, bearer token, exec and
 * auth-provider plugins, basic auth, impersonation), applied afresh to every request so that
 * expiring credentials are renewed as client-node renews them.
 *
 * Why not the typed client: it builds a model object for every field of every item
 * (ObjectSerializer) and opens a new TLS connection for every call; for 15,000 pods that was
 * most of the time a read took. Here connections are kept alive (at most `maxSockets` per
 * server and credentials, the cluster's request limit) and the body is parsed once with JSON.parse. A kubeconfig with a
 * `proxy-url` goes through client-node's own proxy agent, as before.
 */
export class ClusterGetter {
  private agent: HttpsAgent | HttpAgent | undefined;
  private readonly server: URL;
  private readonly proxied: boolean;

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
  async get(
    path: string,
    query: Readonly<Record<string, string>>,
    signal: AbortSignal,
    accept = 'application/json',
  ): Promise<unknown> {
    const options: RequestOptions = { method: 'GET', headers: { Accept: accept } };
    await this.kubeconfig.applyToHTTPSOptions(options);
    const url = new URL(this.server.href.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const agent = this.proxied ? options.agent : this.keptAlive();
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { ...options, agent, signal }, resolve);
      req.on('error', reject);
      req.end();
    });
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

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
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
}
