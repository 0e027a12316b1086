// Makes an account an admin (or takes that back), for the first admin of a fresh install:
//   npm run admin -- grant <username>
//   npm run admin -- revoke <username>
// It opens the origin's database as the origin would (DATABASE_URL, else embedded PGlite in
// DATA_DIR/db), applying pending migrations first. Exit codes: 0 done (or nothing to change),
// 1 no such user or no database yet, 2 bad usage or configuration, 3 the embedded database is in use.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { usernameSchema } from '@spherecast/shared';
import { ConfigError, loadOriginConfig } from '../src/core/config.ts';
import { openDatabase, type DatabaseOptions } from '../src/db/database.ts';

const USAGE = `Usage: npm run admin -- grant <username>     make an account an admin
       npm run admin -- revoke <username>    make an admin a creator again
Options: --force   open the embedded database even though it looks in use (only after a crash)
Uses DATABASE_URL when set, else the embedded database in DATA_DIR/db (default ./data/db).`;

const EXIT = { ok: 0, notFound: 1, usage: 2, inUse: 3 } as const;

/** Stops with a message and an exit code, after `finally` blocks have closed the database. */
class AdminExit extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

function fail(message: string, code: number): never {
  throw new AdminExit(message, code);
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { force: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`, EXIT.usage);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  const [action, rawName, ...extra] = parsed.positionals;
  if (action !== 'grant' && action !== 'revoke') fail(`${action ? `Unknown command "${action}".` : 'Say grant or revoke.'}\n\n${USAGE}`, EXIT.usage);
  if (!rawName || extra.length > 0) fail(`${rawName ? 'Give exactly one username.' : 'Give the username of the account.'}\n\n${USAGE}`, EXIT.usage);
  const username = usernameSchema.safeParse(rawName);
  if (!username.success) fail(`"${rawName}" is not a username: ${username.error.issues[0]?.message ?? 'invalid'}.`, EXIT.usage);

  let config;
  try {
    config = loadOriginConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, EXIT.usage);
    throw error;
  }

  let options: DatabaseOptions;
  let where: string;
  if (config.databaseUrl) {
    options = { kind: 'postgres', url: config.databaseUrl };
    where = 'the PostgreSQL database in DATABASE_URL';
  } else {
    const dir = path.join(config.dataDir, 'db');
    where = `the embedded database in ${dir}`;
    if (!existsSync(path.join(dir, 'PG_VERSION'))) {
      fail(
        `There is no database in ${dir} yet. Start the origin once (npm start), register the account in the player, stop the origin, then run this again (set DATA_DIR if your data lives elsewhere).`,
        EXIT.notFound,
      );
    }
    // PGlite is PostgreSQL in this one process: a second process opening the same folder would
    // corrupt it. PGlite keeps postmaster.pid there while it is open.
    if (existsSync(path.join(dir, 'postmaster.pid')) && !parsed.values.force) {
      fail(
        `${where} is in use: an origin is running on it (npm start). The embedded database can be opened by one process only, so stop the origin (Ctrl+C), run this again, then start the origin again.\n` +
          'If no origin is running (it was killed and left its lock file behind), add --force.',
        EXIT.inUse,
      );
    }
    options = { kind: 'pglite', dir };
  }

  const database = await openDatabase(options);
  try {
    const user = await database.prisma.user.findUnique({ where: { username: username.data }, select: { id: true, username: true, role: true } });
    if (!user) {
      fail(
        `There is no account named "${username.data}" in ${where}. Register it first (in the player, or POST /api/auth/register), then run this again.`,
        EXIT.notFound,
      );
    }
    if (action === 'grant') {
      if (user.role === 'admin') {
        console.log(`${user.username} is already an admin.`);
        return EXIT.ok;
      }
      await database.prisma.user.update({ where: { id: user.id }, data: { role: 'admin' }, select: { id: true } });
      console.log(`${user.username} is now an admin (was ${user.role}). They can post announcements; no new sign-in is needed.`);
    } else {
      if (user.role !== 'admin') {
        console.log(`${user.username} is not an admin (${user.role}); nothing to change.`);
        return EXIT.ok;
      }
      await database.prisma.user.update({ where: { id: user.id }, data: { role: 'creator' }, select: { id: true } });
      console.log(`${user.username} is no longer an admin (now a creator).`);
    }
    return EXIT.ok;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof AdminExit) {
      console.error(error.message);
      process.exit(error.code);
    }
    console.error(`admin: ${(error as Error).message}`);
    process.exit(1);
  },
);
