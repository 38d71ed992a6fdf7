import { afterAll, beforeAll } from 'vitest';
import { postgresAvailable, startPostgres, type PostgresServer } from './postgres-server.js';

/**
 * One PostgreSQL server for the calling test file, started before its tests and stopped after
 * them (when PostgreSQL is available; see postgresAvailable). `url()` is valid inside tests.
 */
export function postgresForFile(): { readonly available: boolean; url(): string; version(): string } {
  const available = postgresAvailable();
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    if (available) server = await startPostgres();
  }, 60_000);
  afterAll(() => server?.stop());
  const running = (): PostgresServer => {
    if (!server) throw new Error('the PostgreSQL server for this file is not running');
    return server;
  };
  return { available, url: () => running().url, version: () => running().version };
}
