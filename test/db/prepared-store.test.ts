/**
 * A new embedded database is a copy of one prepared at build time (already migrated), not a
 * fresh initdb. The copy must be the same database a fresh initdb and every migration make;
 * a prepared database older than the migrations is brought up to date on open; one that does
 * not fit (another PGlite, migrations we do not have) is not used; and a copy that fails
 * leaves nothing behind.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsFolder, openStore, prepareDatabase, type OpenOptions } from '../../db/store.js';
import { StoreError } from '../../db/store-error.js';

const tmp = mkdtempSync(join(tmpdir(), 'shisa-prepared-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }), 120_000);

/** Everything migrations make, as text: tables and columns, constraints, indexes, functions, triggers, types. */
const SCHEMA_QUERIES = [
  `select table_schema, table_name, column_name, ordinal_position, data_type, is_nullable, column_default
     from information_schema.columns where table_schema in ('public', 'drizzle') order by 1, 2, 4`,
  `select n.nspname, c.conname, pg_get_constraintdef(c.oid) as def from pg_constraint c
     join pg_namespace n on n.oid = c.connamespace where n.nspname in ('public', 'drizzle') order by 1, 2`,
  `select schemaname, tablename, indexname, indexdef from pg_indexes
     where schemaname in ('public', 'drizzle') order by 1, 2, 3`,
  `select p.proname, pg_get_functiondef(p.oid) as def from pg_proc p
     join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' order by 1`,
  `select tgname, pg_get_triggerdef(t.oid) as def from pg_trigger t where not tgisinternal order by 1`,
  `select t.typname, e.enumlabel from pg_enum e join pg_type t on t.oid = e.enumtypid order by 1, e.enumsortorder`,
  `select sequence_schema, sequence_name, data_type from information_schema.sequences
     where sequence_schema in ('public', 'drizzle') order by 1, 2`,
  `select id, hash, created_at::text from drizzle.__drizzle_migrations order by id`,
];

async function schemaOf(dir: string, options: OpenOptions): Promise<unknown[]> {
  const store = await openStore({ kind: 'pglite', dir }, options);
  try {
    const out: unknown[] = [];
    for (const q of SCHEMA_QUERIES) out.push(await store.query(q));
    return out;
  } finally {
    await store.close();
  }
}

const migrations = (
  JSON.parse(readFileSync(join(migrationsFolder(), 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  }
).entries;

describe('a new embedded database copied from the prepared one', () => {
  const prepared = join(tmp, 'prepared');
  let fromScratch: unknown[];
  beforeAll(async () => {
    await prepareDatabase(prepared);
    fromScratch = await schemaOf(join(tmp, 'scratch'), { prepared: false });
  }, 300_000);

  it('is the database initdb and every migration make: same schema, same migrations applied', async () => {
    const manifest = JSON.parse(readFileSync(join(prepared, 'manifest.json'), 'utf8')) as { migrations: unknown[] };
    expect(manifest.migrations).toHaveLength(migrations.length);
    const copied = join(tmp, 'copied');
    expect(await schemaOf(copied, { prepared })).toEqual(fromScratch);
    expect((fromScratch.at(-1) as unknown[]).length).toBe(migrations.length);
    // Renamed into place: no scratch folder left beside it.
    expect(readdirSync(copied).sort()).toEqual(['db', 'shisa.lock']);
    // Opened again, it is used where it is and stays the same.
    expect(await schemaOf(copied, { prepared })).toEqual(fromScratch);
  }, 300_000);

  it('brings a prepared database older than the migrations up to date on open', async () => {
    // A prepared database made before the newest migration existed: all but the last applied.
    const older = join(tmp, 'older');
    const folder = join(tmp, 'older-migrations');
    cpSync(migrationsFolder(), folder, { recursive: true });
    const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    writeFileSync(
      join(folder, 'meta', '_journal.json'),
      JSON.stringify({ ...journal, entries: journal.entries.slice(0, -1) }),
    );
    mkdirSync(older);
    const pg = new PGlite(join(older, 'pgdata'));
    await migrate(drizzle(pg), { migrationsFolder: folder });
    await pg.close();
    const manifest = JSON.parse(readFileSync(join(prepared, 'manifest.json'), 'utf8')) as { migrations: unknown[] };
    writeFileSync(
      join(older, 'manifest.json'),
      JSON.stringify({ ...manifest, migrations: manifest.migrations.slice(0, -1) }),
    );
    expect(await schemaOf(join(tmp, 'from-older'), { prepared: older })).toEqual(fromScratch);
  }, 300_000);

  it('is not used when it was made by another PGlite or with migrations we do not have', async () => {
    const manifest = JSON.parse(readFileSync(join(prepared, 'manifest.json'), 'utf8')) as {
      pglite: string;
      migrations: { when: number; hash: string }[];
    };
    for (const [name, changed] of [
      ['other-pglite', { ...manifest, pglite: '0.0.1' }],
      ['other-migration', { ...manifest, migrations: [{ when: 1, hash: 'not ours' }, ...manifest.migrations] }],
    ] as const) {
      const bad = join(tmp, name);
      // A prepared data folder that would be caught if copied: it has no tables at all.
      mkdirSync(join(bad, 'pgdata'), { recursive: true });
      writeFileSync(join(bad, 'pgdata', 'PG_VERSION'), '17\n');
      writeFileSync(join(bad, 'manifest.json'), JSON.stringify(changed));
      expect(await schemaOf(join(tmp, `from-${name}`), { prepared: bad })).toEqual(fromScratch);
    }
  }, 300_000);

  it('fails a copy that cannot be made as STORE_UNAVAILABLE and leaves nothing behind; the next open makes it', async () => {
    const broken = join(tmp, 'broken');
    cpSync(prepared, broken, { recursive: true });
    // Node's copy refuses a FIFO: the copy fails half-way through.
    execFileSync('mkfifo', [join(broken, 'pgdata', 'zz-fifo')]);
    const dir = join(tmp, 'after-broken');
    const err = (await openStore({ kind: 'pglite', dir }, { prepared: broken }).catch((e: unknown) => e)) as StoreError;
    expect(err).toBeInstanceOf(StoreError);
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.message).toMatch(/^cannot create the embedded database in .*: /);
    expect(readdirSync(dir)).toEqual(['shisa.lock']);
    rmSync(broken, { recursive: true, force: true });
    expect(await schemaOf(dir, { prepared })).toEqual(fromScratch);
  }, 300_000);

  it('removes the scratch of a creation that was killed half-way, and creates the database', async () => {
    const dir = join(tmp, 'killed');
    mkdirSync(join(dir, 'db.new-999999', 'base'), { recursive: true });
    writeFileSync(join(dir, 'db.new-999999', 'PG_VERSION'), '17\n');
    expect(await schemaOf(dir, { prepared })).toEqual(fromScratch);
    expect(existsSync(join(dir, 'db.new-999999'))).toBe(false);
  }, 300_000);
});
