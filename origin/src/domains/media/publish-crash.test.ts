import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createSession } from '../../core/sessions.ts';
import type { FaultStep } from '../../core/fault-injection.ts';
import { openDatabase, type Database } from '../../db/database.ts';
import { createServerDatabase, testDatabaseKinds } from '../../test-support/databases.ts';
import { killOriginProcess, startOriginProcess, type OriginProcess } from '../../test-support/origin-process.ts';
import { makeTinyLadder, uploadLadder } from '../../test-support/hls-fixture.ts';

// Kills a real origin (SIGKILL, from inside, at a named step: SPHERECAST_FAULT_AT) at every step of
// publishing, restarts it on the same PostgreSQL database and media folder, and checks what a crash
// may leave: the previous version still serves, nothing half-done is visible, and a retry publishes.
// PostgreSQL only: an embedded PGlite folder is the origin's own and is not shared with the test.

const PUBLISH_STEPS: FaultStep[] = ['publish-after-intent', 'publish-after-prune', 'publish-after-rename', 'publish-after-commit'];
const hasPostgres = (await testDatabaseKinds()).includes('postgres');

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('publishing survives SIGKILL at every step (PostgreSQL)', { skip: hasPostgres ? false : 'needs PostgreSQL' }, () => {
  let server: Awaited<ReturnType<typeof createServerDatabase>> | undefined;
  let dbUrl: string;
  let database: Database;
  let dataDir: string;
  let ladderDir: string;
  let ladderFiles: string[];
  let token: string;
  let running: OriginProcess | null = null;

  const start = async (fault?: FaultStep): Promise<OriginProcess> => {
    running = await startOriginProcess({ DATABASE_URL: dbUrl, DATA_DIR: dataDir, SPHERECAST_FAULT_AT: fault ?? '' });
    return running;
  };
  const stop = async () => {
    if (!running) return;
    await killOriginProcess(running);
    running = null;
  };
  const api = async (origin: OriginProcess, method: string, pathname: string, body?: unknown) => {
    const response = await fetch(`${origin.url}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  const publishedFolders = async (contentId: string) => (await readdir(path.join(dataDir, 'media', 'published', contentId)).catch(() => [] as string[])).sort();

  before(async () => {
    server = await createServerDatabase('spherecast_crash');
    dbUrl = server.url;
    database = await openDatabase({ kind: 'postgres', url: dbUrl });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-crash-'));
    ladderDir = path.join(dataDir, 'ladder');
    ladderFiles = await makeTinyLadder(ladderDir, 2);
    const user = await database.prisma.user.create({
      data: { username: 'crasher', email: 'crasher@example.test', displayName: 'crasher', role: 'creator', passwordHash: 'x' },
    });
    token = (await createSession(database.prisma, user.id, 3600_000, new Date())).token;
  });
  after(async () => {
    await stop();
    await database?.close();
    await server?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  for (const step of PUBLISH_STEPS) {
    test(`killed at ${step}: the previous version keeps serving, no half state, a retry publishes`, async () => {
      // The clean origin the previous test left running, so each step costs two starts, not three.
      let origin = running ?? (await start());
      const { prisma } = database;
      const id = (await api(origin, 'POST', '/api/content', { title: `crash at ${step}` })).body.id as string;
      await uploadLadder(origin.url, token, id, ladderDir, ladderFiles);
      assert.equal((await api(origin, 'POST', `/api/content/${id}/finalize`, { master: 'master.m3u8' })).status, 200);
      const v1 = (await prisma.content.findUniqueOrThrow({ where: { id } })).publishedPath!;
      // Version 2: the same ladder again, plus a file no playlist names.
      await uploadLadder(origin.url, token, id, ladderDir, ladderFiles);
      const junk = await fetch(`${origin.url}/media/${id}/junk.bin`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: 'junk' });
      assert.equal(junk.status, 201);
      await stop();

      origin = await start(step);
      await assert.rejects(api(origin, 'POST', `/api/content/${id}/finalize`, { master: 'master.m3u8' }), 'the origin dies mid-publish');
      assert.equal(await origin.exited, 'SIGKILL');
      running = null;

      origin = await start();
      const content = await prisma.content.findUniqueOrThrow({ where: { id } });
      assert.equal(await prisma.publishAttempt.count({ where: { contentId: id } }), 0, 'the interrupted publish is settled');
      if (step === 'publish-after-commit') {
        assert.notEqual(content.publishedPath, v1);
        assert.equal(content.previousPublishedPath, v1);
      } else {
        assert.equal(content.publishedPath, v1, 'an uncommitted publish changes nothing viewers see');
      }
      for (const folder of [content.publishedPath!, v1]) {
        const master = await fetch(`${origin.url}/media/${folder}/master.m3u8`);
        assert.equal(master.status, 200, `${folder} serves`);
      }
      // Nothing on disk that no row refers to, no upload in progress, every staged row backed by its file.
      const expectedFolders = [...new Set([content.publishedPath!, content.previousPublishedPath ?? v1])].map((p) => p.split('/')[1]!).sort();
      assert.deepEqual(await publishedFolders(id), expectedFolders);
      assert.deepEqual(
        (await walk(path.join(dataDir, 'media'))).filter((f) => f.includes('.part-')),
        [],
      );
      const staged = (await api(origin, 'GET', `/api/content/${id}/uploads`)).body.files.map((f: { path: string }) => f.path).sort();
      const onDisk = (await walk(path.join(dataDir, 'media', 'staging', id))).map((f) => path.relative(path.join(dataDir, 'media', 'staging', id), f));
      for (const file of staged) assert.ok(onDisk.includes(file), `staged row ${file} has its file`);
      if (step === 'publish-after-commit') assert.deepEqual(staged, []);
      else
        assert.deepEqual(
          staged.filter((f: string) => f !== 'junk.bin'),
          ladderFiles,
          'the uploads are kept for the retry',
        );

      // The studio's resumable publish: upload what is not staged, then finalize.
      await uploadLadder(
        origin.url,
        token,
        id,
        ladderDir,
        ladderFiles.filter((f) => !staged.includes(f)),
      );
      const retry = await api(origin, 'POST', `/api/content/${id}/finalize`, { master: 'master.m3u8' });
      assert.equal(retry.status, 200, JSON.stringify(retry.body));
      const after = await prisma.content.findUniqueOrThrow({ where: { id } });
      assert.equal((await fetch(`${origin.url}/media/${after.publishedPath}/master.m3u8`)).status, 200);
      assert.equal((await fetch(`${origin.url}/media/${after.publishedPath}/junk.bin`)).status, 404, 'files no playlist names are not published');
    });
  }

  test('killed mid-upload: the partial file is never listed nor published, and is gone after restart', async () => {
    let origin = running ?? (await start());
    const id = (await api(origin, 'POST', '/api/content', { title: 'crash mid-upload' })).body.id as string;
    await uploadLadder(
      origin.url,
      token,
      id,
      ladderDir,
      ladderFiles.filter((f) => f !== 'master.m3u8'),
    );
    await stop();
    origin = await start('upload-before-rename');
    await assert.rejects(fetch(`${origin.url}/media/${id}/master.m3u8`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: '#EXTM3U\n' }));
    assert.equal(await origin.exited, 'SIGKILL');
    running = null;
    assert.equal((await walk(path.join(dataDir, 'media', 'staging', id))).filter((f) => f.includes('.part-')).length, 1, 'the crash left a partial file');
    origin = await start();
    assert.deepEqual(
      (await walk(path.join(dataDir, 'media', 'staging', id))).filter((f) => f.includes('.part-')),
      [],
    );
    const staged = (await api(origin, 'GET', `/api/content/${id}/uploads`)).body.files.map((f: { path: string }) => f.path);
    assert.ok(!staged.includes('master.m3u8'));
    const finalize = await api(origin, 'POST', `/api/content/${id}/finalize`, { master: 'master.m3u8' });
    assert.equal(finalize.status, 400);
    assert.match(finalize.body.message, /master\.m3u8 has not been uploaded/);
    await uploadLadder(origin.url, token, id, ladderDir, ['master.m3u8']);
    assert.equal((await api(origin, 'POST', `/api/content/${id}/finalize`, { master: 'master.m3u8' })).status, 200);
    await stop();
  });
});
