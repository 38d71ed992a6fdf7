import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit, canonicalJson, verifyAudit } from './audit-log.js';
import { Secret } from '../scheduler/config/secret.js';
import { postgresForFile } from '../test/db/postgres-for-file.js';
import { openStore, type Store } from './store.js';

let store: Store;
const t0 = Date.UTC(2026, 10, 22, 12);

// Both drivers: embedded PGlite and a real PostgreSQL server the test starts (see
// test/db/postgres-server.ts). One database per driver for the file; each test starts from an
// empty chain of five entries.
const postgres = postgresForFile();

describe.each([
  { driver: 'PGlite', skip: false, open: () => openStore({ kind: 'pglite' }) },
  {
    driver: 'PostgreSQL',
    skip: !postgres.available,
    open: () => openStore({ kind: 'postgres', url: new Secret(postgres.url(), 'DATABASE_URL') }),
  },
])('on $driver', ({ skip, open }) => {
  beforeAll(async () => {
    if (!skip) store = await open();
  }, 60_000);
  afterAll(async () => {
    if (!skip) await store.close();
  });

  beforeEach(async () => {
    if (skip) return;
    await store.query('truncate audit_log, audit_head');
    for (let k = 0; k < 5; k++) {
      await appendAudit(store, new Date(t0 + k * 1000), {
        actor: 'scheduler',
        action: 'run.recorded',
        subject: `run ${k + 1}`,
        payload: { moves: k, zones: ['JP-TK', 'FR'], nested: { b: 1, a: [k, null] } },
      });
    }
  });

  describe.skipIf(skip)('the audit chain', () => {
    it('numbers entries 1… and verifies intact', async () => {
      expect(await verifyAudit(store)).toEqual({ entries: 5 });
      const rows = await store.query<{ seq: string }>('select seq from audit_log order by seq');
      expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
    });

    it('hashes the same content the same whatever the key order', () => {
      expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
        '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
      );
    });

    const edits: [string, string][] = [
      ['actor', `update audit_log set actor = 'mallory' where seq = 3`],
      ['action', `update audit_log set action = 'run.deleted' where seq = 3`],
      ['subject', `update audit_log set subject = 'run 99' where seq = 3`],
      ['payload', `update audit_log set payload = jsonb_set(payload, '{moves}', '7') where seq = 3`],
      ['at', `update audit_log set at = at + interval '1 second' where seq = 3`],
      ['prev_hash', `update audit_log set prev_hash = repeat('a', 64) where seq = 3`],
      ['hash', `update audit_log set hash = repeat('b', 64) where seq = 3`],
    ];
    for (const [field, sql] of edits) {
      it(`detects an edit of ${field}, at the entry edited`, async () => {
        await store.query(sql);
        const r = await verifyAudit(store);
        expect(r.broken?.seq).toBe(3);
      });
    }

    it('detects a deleted entry in the middle', async () => {
      await store.query('delete from audit_log where seq = 2');
      expect((await verifyAudit(store)).broken).toEqual({ seq: 3, problem: 'entry 2 is missing (found 3 next)' });
    });

    it('detects entries removed from the end (the head names the last entry)', async () => {
      await store.query('delete from audit_log where seq = 5');
      expect((await verifyAudit(store)).broken?.problem).toMatch(/head names entry 5, but the log ends at 4/);
    });

    it('detects reordered entries', async () => {
      // Swap the content of entries 2 and 4 (numbers stay in place).
      await store.query(`update audit_log set seq = -2 where seq = 2`);
      await store.query(`update audit_log set seq = 2 where seq = 4`);
      await store.query(`update audit_log set seq = 4 where seq = -2`);
      expect((await verifyAudit(store)).broken?.seq).toBe(2);
    });
  });
});

describe('migrations', () => {
  it('apply to an empty database and again without change (idempotent)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shisa-db-'));
    try {
      const a = await openStore({ kind: 'pglite', dir });
      const tables = await a.query<{ tablename: string }>(
        `select tablename from pg_tables where schemaname = 'public' order by tablename`,
      );
      expect(tables.map((t) => t.tablename)).toEqual([
        'audit_head',
        'audit_log',
        'carbon_readings',
        'decisions',
        'exceptions',
        'migrations',
        'outbox',
        'runs',
        'schedule_ticks',
      ]);
      await appendAudit(a, new Date(t0), { actor: 'test', action: 'x', subject: 'y', payload: {} });
      await a.close();
      const b = await openStore({ kind: 'pglite', dir });
      expect(await verifyAudit(b)).toEqual({ entries: 1 });
      const applied = await b.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
      // Every migration in db/migrations, each applied once.
      const journal = JSON.parse(readFileSync('db/migrations/meta/_journal.json', 'utf8')) as { entries: unknown[] };
      expect(applied[0]?.n).toBe(journal.entries.length);
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
