import { createServer, type Server } from 'node:http';
import { LoaderError } from './loader-error.js';

export interface StatusSource {
  status(): unknown;
  metrics(): string;
}

/**
 * The agent's HTTP endpoint: GET /status (JSON) and GET /metrics (Prometheus text).
 * Read-only; anything else is 404 or 405.
 */
export async function startStatusServer(
  source: StatusSource,
  host: string,
  port: number,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('only GET\n');
      return;
    }
    if (path === '/status') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(source.status(), null, 2) + '\n');
    } else if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(source.metrics());
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('shisa enforcer: GET /status or /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new LoaderError(
          'ENFORCER_LISTEN_FAILED',
          `cannot listen on ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`,
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}
