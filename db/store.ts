import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { PGlite } from '@electric-sql/pglite';
import type { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type pg from 'pg';
import type { Secret } from '../scheduler/config/secret.js';
import { packageRoot } from '../regions/data/bundled.js';
import { describeHolder, tryLockFile, type FileLock, type LockHolder } from './file-lock.js';
import * as schema from './schema.js';
import { StoreError } from './store-error.js';
import { storeFault } from './store-fault.js';

/** Where the state lives: embedded PGlite (in a folder, or in memory for tests), or a server. */
export type StoreTarget =
  { readonly kind: 'pglite'; readonly dir?: string } | { readonly kind: 'postgres'; readonly url: Secret };

/** The drizzle database both drivers give: the same queries run on either. */
export type Database =
  ReturnType<typeof drizzlePglite<typeof schema>> | ReturnType<typeof drizzlePostgres<typeof schema>>;

export interface Store {
  readonly driver: 'pglite' | 'postgres';
  readonly target: StoreTarget;
  readonly db: Database;
  /**
   * The embedded database's folder lock, held from open to close: PGlite is one process's
   * database, so no second shisa process may open the folder meanwhile (readers included).
   */
  readonly lock?: FileLock;
  /** Runs `sql` with parameters on the underlying client (for advisory locks and tests). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A drizzle database or transaction: queries written against it run on either, on either driver. */
export type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'delete' | 'execute'>;

export interface OpenOptions {
  /** What this process is doing, written into the folder lock for whoever finds it held. */
  readonly holder?: string;
  /** Whether this process will run a rebalancing while it holds the store. */
  readonly rebalancing?: boolean;
  /** How long to wait for another process to let go of the embedded database (default: not at all). */
  readonly waitMs?: number;
  /** Whether to wait for this holder (default: any). */
  readonly waitFor?: (holder: LockHolder | undefined) => boolean;
  /** Told once, when waiting starts. */
  readonly onWait?: (holder: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Where a new embedded database is copied from: a folder `prepareDatabase` made (default:
   * the one the build made, `dist/db/prepared`); false runs initdb and every migration instead.
   */
  readonly prepared?: string | false;
}

/** Opened, or held by another process (who, as far as it said). */
export type StoreOpen =
  | { readonly ok: true; readonly store: Store }
  | { readonly ok: false; readonly dir: string; readonly holder: LockHolder | undefined; readonly message: string };

/** Runs `fn` in one transaction on either driver (their transaction APIs take the same callback). */
export function inTransaction<T>(store: Store, fn: (tx: Executor) => Promise<T>): Promise<T> {
  const db = store.db as unknown as { transaction<R>(f: (tx: Executor) => Promise<R>): Promise<R> };
  return db.transaction(fn);
}

export function migrationsFolder(): string {
  return join(packageRoot(), 'db', 'migrations');
}

/** The embedded database lives in `<dir>/db`; the folder lock is `<dir>/shisa.lock`. */
export const LOCK_FILE = 'shisa.lock';
const DATA = 'db';
const POLL_MS = 200;

/**
 * Opens the store and brings its schema up to date (migrations are idempotent: applied ones
 * are recorded and skipped). An embedded folder another process holds is an answer, not an
 * error; a database that cannot be reached is a StoreError with a stable code and a message
 * without credentials.
 */
export async function tryOpenStore(target: StoreTarget, options: OpenOptions = {}): Promise<StoreOpen> {
  if (target.kind === 'postgres') return { ok: true, store: await openServer(target) };
  if (!target.dir) return { ok: true, store: await openEmbedded(target, undefined, undefined, options) };
  const dir = target.dir;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw storeFault(err, `cannot create the embedded database folder ${dir}`, 'STORE_UNAVAILABLE');
  }
  const lockPath = join(dir, LOCK_FILE);
  const command = `${options.holder ?? 'shisa'}${options.rebalancing ? ' [rebalancing]' : ''}`;
  const deadline = Date.now() + (options.waitMs ?? 0);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let told = false;
  for (;;) {
    const attempt = await tryLockFile(lockPath, command);
    if (attempt.ok) {
      try {
        return { ok: true, store: await openEmbedded(target, dataFolder(dir), attempt.lock, options) };
      } catch (err) {
        attempt.lock.release();
        throw err;
      }
    }
    const waitable = options.waitFor ? options.waitFor(attempt.holder) : true;
    if (!waitable || Date.now() >= deadline)
      return { ok: false, dir, holder: attempt.holder, message: busyMessage(dir, attempt.holder) };
    if (!told)
      options.onWait?.(`waiting for ${describeHolder(attempt.holder)}, which has the embedded database in ${dir} open`);
    told = true;
    await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
  }
}

/** Opens the store, or throws STORE_BUSY when another process holds the embedded folder. */
export async function openStore(target: StoreTarget, options: OpenOptions = {}): Promise<Store> {
  const opened = await tryOpenStore(target, options);
  if (!opened.ok) throw new StoreError('STORE_BUSY', opened.message);
  return opened.store;
}

/** Whether a folder holder is running a rebalancing (as it said when it took the lock). */
export function isRebalancing(holder: LockHolder | undefined): boolean {
  return holder?.command.endsWith(' [rebalancing]') === true;
}

function busyMessage(dir: string, holder: LockHolder | undefined): string {
  return (
    `the embedded database in ${dir} is in use by ${describeHolder(holder)}; it is one process's database, ` +
    'so wait until that process ends, or keep state on a PostgreSQL server (DATABASE_URL) ' +
    'where any number of shisa processes can read it'
  );
}

/**
 * The folder's database, created whole or not at all: a new database is made in a scratch
 * folder and renamed into place, so a process killed while creating it leaves only scratch,
 * which the next opener removes. Folders from before the `db/` layout (the database directly
 * in the folder) are used where they are.
 */
function dataFolder(dir: string): { path: string; create?: string } {
  if (existsSync(join(dir, 'PG_VERSION'))) return { path: dir };
  for (const e of readdirSync(dir))
    if (e.startsWith(`${DATA}.new-`)) rmSync(join(dir, e), { recursive: true, force: true });
  const path = join(dir, DATA);
  if (existsSync(join(path, 'PG_VERSION'))) return { path };
  rmSync(path, { recursive: true, force: true });
  return { path, create: join(dir, `${DATA}.new-${process.pid}`) };
}

/**
 * Settings every embedded database starts with. PostgreSQL's defaults are a server's: 128 MB
 * of shared buffers, which PGlite zeroes (and so makes resident) on every start, for a
 * database one process uses briefly; its single backend needs no 100 connection slots.
 */
const EMBEDDED_SETTINGS = ['shared_buffers=16MB', 'max_connections=10'];

async function openEmbedded(
  target: StoreTarget,
  folder: { path: string; create?: string } | undefined,
  lock: FileLock | undefined,
  options: OpenOptions,
): Promise<Store> {
  const where = folder ? ` in ${folder.path}` : '';
  if (folder?.create) await createEmbedded(folder.create, folder.path, where, options.prepared);
  const client = await startPglite(folder?.path, where);
  const db = await migrateEmbedded(client, where);
  return {
    driver: 'pglite',
    target,
    db,
    ...(lock ? { lock } : {}),
    query: async <T>(sql: string, params?: unknown[]) => (await client.query<T>(sql, params)).rows,
    close: async () => {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/**
 * Makes a new database in `scratch` and renames it to `path`. It is a copy of the prepared
 * database when that fits (no initdb, PGlite started once; the open that follows applies
 * any migration newer than the copy), and made with initdb and every migration otherwise.
 */
async function createEmbedded(scratch: string, path: string, where: string, prepared: string | false | undefined) {
  const from = prepared === false ? undefined : preparedData(prepared ?? preparedFolder());
  try {
    if (from) cpSync(from, scratch, { recursive: true });
    else await initEmbedded(scratch, where);
    renameSync(scratch, path);
  } catch (err) {
    // Scratch is removed by the next opener anyway; a full disk wants the room back now.
    try {
      rmSync(scratch, { recursive: true, force: true });
    } catch {
      // the next opener removes it
    }
    throw storeFault(err, `cannot create the embedded database${where}`, 'STORE_UNAVAILABLE');
  }
}

/** A new database in `path`: initdb, every migration, shut down cleanly. */
async function initEmbedded(path: string, where: string): Promise<void> {
  const fresh = await startPglite(path, where);
  await migrateEmbedded(fresh, where);
  await fresh.close();
}

/** The build's prepared database: `npm run build` makes it (scripts/prepare-store.mjs). */
export function preparedFolder(): string {
  return join(packageRoot(), 'dist', 'db', 'prepared');
}

const PREPARED_DATA = 'pgdata';
const MANIFEST = 'manifest.json';

/** What a prepared database was made with: this PGlite, and these migrations in this order. */
interface Manifest {
  readonly pglite: string;
  readonly migrations: readonly { readonly when: number; readonly hash: string }[];
}

function currentManifest(): Manifest | undefined {
  const pglite = pgliteVersion();
  if (!pglite) return undefined;
  const migrations = readMigrationFiles({ migrationsFolder: migrationsFolder() });
  return { pglite, migrations: migrations.map((m) => ({ when: m.folderMillis, hash: m.hash })) };
}

function pgliteVersion(): string | undefined {
  try {
    // …/@electric-sql/pglite/dist/index.cjs
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const pkg = JSON.parse(readFileSync(join(dirname(dirname(entry)), 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The prepared database's data folder, when it was made by this PGlite with migrations that
 * are ours, in our order (the first ones, or all); otherwise (none, stale, unreadable) none.
 */
function preparedData(folder: string): string | undefined {
  let made: Partial<Manifest>;
  try {
    made = JSON.parse(readFileSync(join(folder, MANIFEST), 'utf8')) as Partial<Manifest>;
  } catch {
    return undefined;
  }
  let ours: Manifest | undefined;
  try {
    ours = currentManifest();
  } catch {
    return undefined; // the migrations folder itself is unreadable: the migrator will say so
  }
  const theirs: unknown = made.migrations;
  if (!ours || made.pglite !== ours.pglite || !Array.isArray(theirs)) return undefined;
  const prefix = (theirs as readonly (Partial<Manifest['migrations'][number]> | null)[]).every(
    (m, i) => ours.migrations[i]?.hash === m?.hash && ours.migrations[i]?.when === m?.when,
  );
  const data = join(folder, PREPARED_DATA);
  return prefix && existsSync(join(data, 'PG_VERSION')) ? data : undefined;
}

/**
 * Makes the prepared database in `dest`, replacing what is there: a new embedded database
 * with every migration applied, shut down cleanly, and a manifest of what it was made with.
 * The build runs this, so that a first open copies it instead of running initdb.
 */
export async function prepareDatabase(dest: string): Promise<void> {
  const manifest = currentManifest();
  if (!manifest) throw new StoreError('STORE_UNAVAILABLE', 'cannot find the installed PGlite version');
  const scratch = `${dest}.new-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  await initEmbedded(join(scratch, PREPARED_DATA), ` in ${scratch}`);
  writeFileSync(join(scratch, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(dest, { recursive: true, force: true });
  renameSync(scratch, dest);
}

async function startPglite(path: string | undefined, where: string): Promise<PGlite> {
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const options = { startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS.flatMap((s) => ['-c', s])] };
    return await baselineWasm(async () => {
      const client = path ? new PGlite(path, options) : new PGlite(options);
      await client.waitReady;
      return client;
    });
  } catch (err) {
    // PGlite says only "failed to initialize" when the disk is full; the folder says why.
    const full = path !== undefined && diskFull(dirname(path));
    throw storeFault(
      full ? Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }) : err,
      `cannot open the embedded database${where}`,
      'STORE_UNAVAILABLE',
    );
  }
}

/**
 * Runs `start` with V8 compiling WebAssembly with its baseline compiler only (Liftoff), then
 * turns that off again. A CLI's database lives for a second or two: optimising PGlite's hot
 * functions with TurboFan cost `shisa plan` more than it saved (about 40% of its CPU time and
 * 80 MB of memory). The flag is read when a module is compiled, so Z3, compiled later, is
 * optimised as before. Left alone when node was started with a choice of its own.
 */
async function baselineWasm<T>(start: () => Promise<T>): Promise<T> {
  if (process.execArgv.some((a) => a.includes('liftoff'))) return start();
  setFlagsFromString('--liftoff-only');
  try {
    return await start();
  } finally {
    setFlagsFromString('--no-liftoff-only');
  }
}

/** Whether the file system holding `dir` has (almost) no room left for a database to start in. */
function diskFull(dir: string): boolean {
  try {
    const fs = statfsSync(dir);
    return fs.bavail * fs.bsize < 1024 * 1024;
  } catch {
    return false;
  }
}

async function migrateEmbedded(client: PGlite, where: string) {
  const { drizzle } = await import('drizzle-orm/pglite');
  const db = drizzle(client, { schema });
  try {
    const folder = migrationsFolder();
    if (!(await upToDate(client, readMigrationFiles({ migrationsFolder: folder })))) {
      const { migrate } = await import('drizzle-orm/pglite/migrator');
      await migrate(db, { migrationsFolder: folder });
    }
  } catch (err) {
    await client.close().catch(() => undefined);
    throw storeFault(err, `cannot bring the embedded database${where} up to date`, 'STORE_UNAVAILABLE');
  }
  return db;
}

/**
 * Whether drizzle's migrator would apply nothing (it applies each migration newer than the
 * newest applied one), asked in one read instead of its four statements; a database without
 * the journal table is not up to date.
 */
async function upToDate(client: PGlite, migrations: readonly { folderMillis: number }[]): Promise<boolean> {
  let last: number;
  try {
    const { rows } = await client.query<{ last: string | null }>(
      'select max(created_at)::text as last from drizzle.__drizzle_migrations',
    );
    last = Number(rows[0]?.last ?? Number.NaN);
  } catch {
    return false;
  }
  return Number.isFinite(last) && migrations.every((m) => m.folderMillis <= last);
}

/** Replicas starting together would race to create the same tables: one migrates at a time. */
const MIGRATE_LOCK = 0x5_3415_3d6a;

async function migrateServer(pool: pg.Pool, db: ReturnType<typeof drizzlePostgres<typeof schema>>): Promise<void> {
  const { migrate: migratePostgres } = await import('drizzle-orm/node-postgres/migrator');
  const c = await pool.connect();
  try {
    await c.query('select pg_advisory_lock($1)', [MIGRATE_LOCK]);
    try {
      await migratePostgres(db, { migrationsFolder: migrationsFolder() });
    } finally {
      await c.query('select pg_advisory_unlock($1)', [MIGRATE_LOCK]);
    }
  } finally {
    c.release();
  }
}

async function openServer(target: Extract<StoreTarget, { kind: 'postgres' }>): Promise<Store> {
  // Each driver is loaded when it is used: an embedded run never loads the server's, and back.
  const [{ default: pg }, { drizzle: drizzlePostgres }] = await Promise.all([
    import('pg'),
    import('drizzle-orm/node-postgres'),
  ]);
  const pool = new pg.Pool({ connectionString: target.url.reveal(), max: 4, connectionTimeoutMillis: 5_000 });
  // An idle pooled connection the server drops (restart, failover) is emitted here; without a
  // listener that would crash the process. The next query takes a fresh connection.
  pool.on('error', () => undefined);
  try {
    const c = await pool.connect();
    c.release();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new StoreError(
      'STORE_UNAVAILABLE',
      `cannot reach the PostgreSQL server named by ${target.url.source}: ${target.url.scrub((err as Error).message)}`,
    );
  }
  const db = drizzlePostgres(pool, { schema });
  try {
    await migrateServer(pool, db);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw storeFault(
      err,
      `cannot bring the database named by ${target.url.source} up to date`,
      'STORE_UNAVAILABLE',
      (s) => target.url.scrub(s),
    );
  }
  return {
    driver: 'postgres',
    target,
    db,
    query: async <T>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as T[],
    close: () => pool.end(),
  };
}
