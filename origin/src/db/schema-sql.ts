import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const originDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCHEMA_PATH = path.join(originDir, 'prisma', 'schema.prisma');
const CONFIG_PATH = path.join(originDir, 'prisma', 'tools', 'prisma6.config.ts');

/**
 * prisma@6 (as `prisma6`) can still diff schemas offline with its JS engine, while Prisma 7's
 * migrate needs a downloaded engine. Its validator wants a datasource `url`, which Prisma 7 forbids
 * in the schema, so it reads a copy with a placeholder url added.
 */
async function withPrisma6Schema<T>(schemaPaths: string[], fn: (copies: string[]) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-schema-'));
  try {
    const copies = await Promise.all(
      schemaPaths.map(async (source, index) => {
        const text = await readFile(source, 'utf8');
        const copy = path.join(dir, `schema${index}.prisma`);
        await writeFile(copy, text.replace(/provider\s*=\s*"postgresql"/, '$&\n  url = "postgresql://unused"'));
        return copy;
      }),
    );
    return await fn(copies);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function prisma6(args: string[]): Promise<string> {
  const cli = createRequire(import.meta.url).resolve('prisma6/build/index.js');
  const { stdout } = await run(process.execPath, [cli, ...args, '--config', CONFIG_PATH], {
    cwd: originDir,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      // Any existing file: stops prisma@6 from trying to download engines it does not use here.
      PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
      PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
  return stdout;
}

/** The SQL that creates the schema in `schemaPath` from an empty database. */
export function schemaSqlFromEmpty(schemaPath = SCHEMA_PATH): Promise<string> {
  return withPrisma6Schema([schemaPath], ([copy]) => prisma6(['migrate', 'diff', '--from-empty', '--to-schema-datamodel', copy!, '--script']));
}

/** The SQL that turns a database shaped like `fromSchema` into one shaped like `toSchema`. */
export function schemaSqlBetween(fromSchema: string, toSchema: string): Promise<string> {
  return withPrisma6Schema([fromSchema, toSchema], ([from, to]) =>
    prisma6(['migrate', 'diff', '--from-schema-datamodel', from!, '--to-schema-datamodel', to!, '--script']),
  );
}
