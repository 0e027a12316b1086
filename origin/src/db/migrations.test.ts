import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { applyMigrations, loadMigrations, MigrationError, type MigrationConnection } from './migrate.ts';
import { openDatabase } from './database.ts';
import { schemaSqlFromEmpty } from './schema-sql.ts';

function connection(db: PGlite): MigrationConnection {
  return {
    exec: async (sql) => {
      await db.exec(sql);
    },
    query: async <Row>(sql: string, params?: unknown[]) => (await db.query<Row>(sql, params)).rows,
  };
}

/** Everything Prisma models in the public schema, in a comparable form. */
async function catalog(db: PGlite) {
  const rows = async (sql: string) => (await db.query<Record<string, unknown>>(sql)).rows.map((row) => JSON.stringify(row));
  return {
    columns: await rows(`SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
      FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`),
    indexes: await rows(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`),
    constraints: await rows(`SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY conname`),
    enums: await rows(`SELECT t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY t.typname`),
  };
}

describe('migrations', () => {
  test('the migrations build exactly the database schema.prisma describes', async () => {
    const fromSchema = new PGlite();
    await fromSchema.exec(await schemaSqlFromEmpty());
    const fromMigrations = new PGlite();
    await applyMigrations(connection(fromMigrations), await loadMigrations());
    const expected = await catalog(fromSchema);
    const actual = await catalog(fromMigrations);
    for (const key of Object.keys(expected) as Array<keyof typeof expected>) {
      assert.deepEqual(actual[key], expected[key], `${key} differ: write a migration with \`npm run db:migration -w origin -- <name>\``);
    }
    await fromSchema.close();
    await fromMigrations.close();
  });

  test('start-up applies pending migrations once and records them; a second start applies none', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-migrate-'));
    const first = await openDatabase({ kind: 'pglite', dir });
    const total = (await loadMigrations()).length;
    assert.equal(first.migrations.applied.length, total);
    await first.prisma.user.create({ data: { username: 'kept', email: 'kept@example.test', passwordHash: 'x', displayName: 'Kept' } });
    await first.close();
    const second = await openDatabase({ kind: 'pglite', dir });
    assert.deepEqual(second.migrations, { applied: [], alreadyApplied: total });
    assert.equal(await second.prisma.user.count(), 1, 'data of the first run is kept');
    await second.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('an applied migration whose SQL changed is refused with a clear message', async () => {
    const db = new PGlite();
    const migrations = await loadMigrations();
    await applyMigrations(connection(db), migrations);
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: 'different' } : m));
    await assert.rejects(applyMigrations(connection(db), edited), (error: unknown) => {
      assert.ok(error instanceof MigrationError);
      assert.match(error.message, /was changed after it was applied/);
      return true;
    });
    await db.close();
  });

  test('a failing migration is rolled back whole and not recorded', async () => {
    const db = new PGlite();
    const good = await loadMigrations();
    await applyMigrations(connection(db), good);
    const bad = { name: '99999999999999_broken', sql: 'CREATE TABLE half_done (id int); SELECT * FROM no_such_table;', checksum: 'x' };
    await assert.rejects(applyMigrations(connection(db), [...good, bad]), /99999999999999_broken failed and was rolled back/);
    const tables = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`);
    assert.equal(tables.rows.length, 0);
    const recorded = await db.query(`SELECT 1 FROM spherecast_meta.migrations WHERE name = $1`, [bad.name]);
    assert.equal(recorded.rows.length, 0);
    await db.close();
  });
});
