/**
 * A real PostgreSQL server for tests, started by the test itself: `initdb` into a temporary
 * folder as an unprivileged user (PostgreSQL refuses to run as root), `pg_ctl` on a free
 * port on 127.0.0.1, torn down afterwards. Binaries come from PATH or Debian's
 * /usr/lib/postgresql/<version>/bin. Without them the suite may skip locally, loudly; with
 * CI=true it must run.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PostgresServer {
  readonly url: string;
  readonly version: string;
  stop(): void;
}

/** The folder holding initdb and pg_ctl, or undefined. */
export function postgresBin(): string | undefined {
  const onPath = (process.env.PATH ?? '')
    .split(':')
    .find((d) => d && existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `under`: the folder to make the server's folder in (default: the system's temporary folder). */
export async function startPostgres(options: { readonly under?: string } = {}): Promise<PostgresServer> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin');
  const dir = mkdtempSync(join(options.under ?? tmpdir(), 'shisa-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  // As root, run the server as `nobody`, which must own the folder.
  if (asRoot) {
    chownSync(dir, 65534, 65534);
    chmodSync(dir, 0o700);
  }
  const run = (cmd: string, args: string[]): string =>
    execFileSync(asRoot ? 'runuser' : join(bin, cmd), asRoot ? ['-u', 'nobody', '--', join(bin, cmd), ...args] : args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const port = await freePort();
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'shisa', '--no-sync', '-E', 'UTF8']);
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `could not start PostgreSQL from ${bin}: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`,
    );
  }
  const version = run('pg_ctl', ['--version']).trim();
  return {
    url: `postgres://shisa@127.0.0.1:${port}/postgres`,
    version,
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Whether the PostgreSQL suites run here: always in CI (a missing server is then a failure),
 * locally when the binaries exist; otherwise says so on stderr.
 */
export function postgresAvailable(): boolean {
  if (process.env.CI === 'true') return true;
  if (postgresBin()) return true;
  process.stderr.write(
    "\n*** SKIPPING the PostgreSQL store suite: initdb/pg_ctl not found (install Debian's postgresql package; CI runs it) ***\n\n",
  );
  return false;
}
