// Writes a new migration from the change to prisma/schema.prisma since the last commit:
//   npm run db:migration -w origin -- <name> [--from <old schema.prisma>]
// With no migrations yet it writes the whole schema. Review the SQL before committing it; the test
// origin/src/db/migrations.test.ts checks that the migrations and schema.prisma agree.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MIGRATIONS_DIR } from '../src/db/migrate.ts';
import { SCHEMA_PATH, schemaSqlBetween, schemaSqlFromEmpty } from '../src/db/schema-sql.ts';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { from: { type: 'string' } } });
const name = positionals[0];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('Usage: npm run db:migration -w origin -- <name_in_snake_case> [--from <old schema.prisma>]');
  process.exit(2);
}
let existing: string[];
try {
  existing = readdirSync(MIGRATIONS_DIR);
} catch {
  existing = [];
}
let sql: string;
if (existing.length === 0) {
  sql = await schemaSqlFromEmpty();
} else {
  let from = values.from;
  if (!from) {
    from = path.join(os.tmpdir(), `spherecast-head-schema-${process.pid}.prisma`);
    writeFileSync(from, execFileSync('git', ['show', 'HEAD:origin/prisma/schema.prisma']));
  }
  sql = await schemaSqlBetween(from, SCHEMA_PATH);
}
if (!/\S/.test(sql.replace(/^--.*$/gm, ''))) {
  console.log('schema.prisma has no changes that need a migration.');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'migration.sql'), sql);
console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
