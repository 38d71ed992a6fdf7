import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Secret } from '../scheduler/config/secret.js';
import { packageRoot } from '../regions/data/bundled.js';
import * as schema from './schema.js';
import { StoreError } from './store-error.js';

/** Where the state lives: embedded PGlite (in a folder, or in memory for tests), or a server. */
export type StoreTarget = { readonly kind: 'pglite'; readonly dir?: string } | { readonly kind: 'postgres'; readonly url: Secret };

/** The drizzle database both drivers give: the same queries run on either. */
export type Database = ReturnType<typeof drizzlePglite<typeof schema>> | ReturnType<typeof drizzlePostgres<typeof schema>>;

export interface Store {
  readonly driver: 'pglite' | 'postgres';
  readonly db: Database;
  /** Runs `sql` with parameters on the underlying client (for advisory locks and tests). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A drizzle database or transaction: queries written against it run on either, on either driver. */
export type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'delete' | 'execute'>;

/** Runs `fn` in one transaction on either driver (their transaction APIs take the same callback). */
export function inTransaction<T>(store: Store, fn: (tx: Executor) => Promise<T>): Promise<T> {
  const db = store.db as unknown as { transaction<R>(f: (tx: Executor) => Promise<R>): Promise<R> };
  return db.transaction(fn);
}

export function migrationsFolder(): string {
  return join(packageRoot(), 'db', 'migrations');
}

/**
 * Opens the store and brings its schema up to date (migrations are idempotent: applied ones
 * are recorded and skipped). A database that cannot be reached is a StoreError with a stable
 * code and a message without credentials.
 */
export async function openStore(target: StoreTarget): Promise<Store> {
  if (target.kind === 'pglite') {
    if (target.dir) mkdirSync(target.dir, { recursive: true });
    let client: PGlite;
    try {
      client = target.dir ? new PGlite(target.dir) : new PGlite();
      await client.waitReady;
    } catch (err) {
      throw new StoreError('STORE_UNAVAILABLE', `cannot open the embedded database${target.dir ? ` in ${target.dir}` : ''}: ${(err as Error).message}`);
    }
    const db = drizzlePglite(client, { schema });
    await migratePglite(db, { migrationsFolder: migrationsFolder() });
    return {
      driver: 'pglite',
      db,
      query: async <T>(sql: string, params?: unknown[]) => (await client.query<T>(sql, params)).rows,
      close: () => client.close(),
    };
  }
  const pool = new pg.Pool({ connectionString: target.url.reveal(), max: 4, connectionTimeoutMillis: 5_000 });
  try {
    const c = await pool.connect();
    c.release();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new StoreError('STORE_UNAVAILABLE', `cannot reach the PostgreSQL server named by ${target.url.source}: ${target.url.scrub((err as Error).message)}`);
  }
  const db = drizzlePostgres(pool, { schema });
  await migratePostgres(db, { migrationsFolder: migrationsFolder() });
  return {
    driver: 'postgres',
    db,
    query: async <T>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as T[],
    close: () => pool.end(),
  };
}
