import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { openDatabase } from '../../db/database.ts';
import { createOrigin, type Origin } from '../../origin.ts';
import { testDatabaseKinds, TEST_SERVER_URL } from '../../test-support/databases.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const SCRIPT = path.join(ROOT, 'origin/scripts/admin.ts');

/** Runs `npm run admin -- <args>` as an operator would (the same command, without npm's banner). */
function admin(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const { DATABASE_URL: _inherited, DATA_DIR: _dataDir, ...base } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: ROOT, env: { ...base, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run admin on the embedded database (PGlite in DATA_DIR/db)', () => {
  let dataDir: string;
  let origin: Origin | null = null;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-admin-'));
  });
  after(async () => {
    await origin?.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const env = () => ({ DATA_DIR: dataDir });
  const roleOf = async (username: string) => {
    const database = await openDatabase({ kind: 'pglite', dir: path.join(dataDir, 'db') });
    try {
      return (await database.prisma.user.findUniqueOrThrow({ where: { username }, select: { role: true } })).role;
    } finally {
      await database.close();
    }
  };

  test('bad usage is exit 2 with the usage; no database yet is exit 1 saying what to do', async () => {
    for (const args of [[], ['promote', 'ana'], ['grant'], ['grant', 'ana', 'bob'], ['grant', 'not a name!']]) {
      const result = await admin(args, env());
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /Usage: npm run admin -- grant <username>|is not a username/);
    }
    const empty = await admin(['grant', 'ana'], env());
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /There is no database in .*db yet\. Start the origin once/);
  });

  test('while the origin runs on the same data folder the script refuses (exit 3) and touches nothing', async () => {
    origin = await createOrigin({ port: 0, host: '127.0.0.1', dataDir, seedDemo: false, trackerUrl: 'ws://127.0.0.1:1/tracker', databaseUrl: undefined });
    const registered = await fetch(`${origin.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'first_admin', email: 'first@example.test', password: 'a long passphrase' }),
    });
    assert.equal(registered.status, 200);
    const busy = await admin(['grant', 'first_admin'], env());
    assert.equal(busy.code, 3, busy.stderr);
    assert.match(busy.stderr, /is in use: an origin is running on it.*stop the origin/);
    const stillServing = await fetch(`${origin.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'first_admin', password: 'a long passphrase' }),
    });
    assert.equal(stillServing.status, 200, 'the running origin was not disturbed');
    await origin.close();
    origin = null;
  });

  test('grant and revoke with the origin stopped; unknown users are exit 1; the new admin can post announcements', async () => {
    const granted = await admin(['grant', 'First_Admin'], env());
    assert.equal(granted.code, 0, granted.stderr);
    assert.match(granted.stdout, /first_admin is now an admin \(was creator\)/);
    assert.equal(await roleOf('first_admin'), 'admin');
    const again = await admin(['grant', 'first_admin'], env());
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already an admin/);
    const unknown = await admin(['grant', 'nobody_here'], env());
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /There is no account named "nobody_here"/);

    origin = await createOrigin({ port: 0, host: '127.0.0.1', dataDir, seedDemo: false, trackerUrl: 'ws://127.0.0.1:1/tracker', databaseUrl: undefined });
    const login = await fetch(`${origin.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'first_admin', password: 'a long passphrase' }),
    });
    const { token } = (await login.json()) as { token: string };
    const announcement = await fetch(`${origin.url}/api/announcements`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ title: 'Welcome', body: 'First announcement', startsAt: '2020-01-01T00:00:00Z', endsAt: '2099-01-01T00:00:00Z' }),
    });
    assert.equal(announcement.status, 200, await announcement.text());
    await origin.close();
    origin = null;

    const revoked = await admin(['revoke', 'first_admin'], env());
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /no longer an admin/);
    assert.equal(await roleOf('first_admin'), 'creator');
  });
});

const kinds = await testDatabaseKinds();
describe('npm run admin on PostgreSQL (DATABASE_URL)', { skip: kinds.includes('postgres') ? false : 'no PostgreSQL server' }, () => {
  const name = `spherecast_admin_${randomBytes(6).toString('hex')}`;
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  before(async () => {
    const client = new pg.Client({ connectionString: TEST_SERVER_URL });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
  });
  after(async () => {
    const client = new pg.Client({ connectionString: TEST_SERVER_URL });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  });

  test('applies the migrations of an empty database, then grants and revokes while another process holds the database open', async () => {
    const missing = await admin(['grant', 'ops'], { DATABASE_URL: url.toString() });
    assert.equal(missing.code, 1, missing.stderr);
    assert.match(missing.stderr, /There is no account named "ops" in the PostgreSQL database/);
    const database = await openDatabase({ kind: 'postgres', url: url.toString() });
    try {
      assert.equal(database.migrations.applied.length, 0, 'the script had already applied every migration');
      await database.prisma.user.create({ data: { username: 'ops', email: 'ops@example.test', displayName: 'Ops', passwordHash: 'x', role: 'viewer' } });
      const granted = await admin(['grant', 'ops'], { DATABASE_URL: url.toString() });
      assert.equal(granted.code, 0, granted.stderr);
      assert.match(granted.stdout, /ops is now an admin \(was viewer\)/);
      assert.equal((await database.prisma.user.findUniqueOrThrow({ where: { username: 'ops' }, select: { role: true } })).role, 'admin');
      const revoked = await admin(['revoke', 'ops'], { DATABASE_URL: url.toString() });
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.equal((await database.prisma.user.findUniqueOrThrow({ where: { username: 'ops' }, select: { role: true } })).role, 'creator');
    } finally {
      await database.close();
    }
  });
});
