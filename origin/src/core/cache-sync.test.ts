import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hashPassword } from '../domains/auth/passwords.ts';
import { createOrigin, type Origin } from '../origin.ts';
import { createServerDatabase, testDatabaseKinds } from '../test-support/databases.ts';
import { createSession } from './sessions.ts';

// Two origin processes' worth of origins (each with its own pool, caches and LISTEN connection) on one PostgreSQL.
const kinds = (await testDatabaseKinds()).filter((kind) => kind === 'postgres');

for (const kind of kinds) {
  describe(`several origins on one database (${kind})`, () => {
    let server: { url: string; drop: () => Promise<void> };
    let dir: string;
    const origins: Origin[] = [];

    before(async () => {
      server = await createServerDatabase();
      dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-two-origins-'));
      for (const name of ['a', 'b']) {
        origins.push(
          await createOrigin({
            port: 0,
            host: '127.0.0.1',
            dataDir: path.join(dir, name),
            databaseUrl: server.url,
            seedDemo: false,
            trackerUrl: 'ws://127.0.0.1:1/tracker',
            logLevel: 'warn',
            // Long enough that only an invalidation can explain a page changing within the test.
            searchCacheMs: 600_000,
          }),
        );
      }
    });
    after(async () => {
      for (const origin of origins) await origin.close();
      await server?.drop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test('a video made private through one origin leaves the search results of the other at once (LISTEN/NOTIFY), with no sticky sessions', async () => {
      const [a, b] = origins as [Origin, Origin];
      const { prisma } = a.services;
      const owner = await prisma.user.create({
        data: { username: 'two-origins', email: 'two@example.test', displayName: 'Two', role: 'creator', passwordHash: await hashPassword('password-123') },
        select: { id: true },
      });
      const session = await createSession(prisma, owner.id, 3600_000, new Date());
      const call = async (origin: Origin, method: string, pathname: string, body?: unknown) => {
        const response = await fetch(`${origin.url}${pathname}`, {
          method,
          headers: { authorization: `Bearer ${session.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        assert.ok(response.ok, `${method} ${pathname} on ${origin.url}: ${response.status} ${await response.clone().text()}`);
        return (await response.json()) as { id?: string; items?: { id: string }[] };
      };
      // Created through origin A, published (straight in the database, as finalize would).
      const created = await call(a, 'POST', '/api/content', { title: 'Aurora over the fjord' });
      await prisma.content.update({
        where: { id: created.id! },
        data: { status: 'ready', publishedPath: `${created.id!}/p1`, masterFile: 'master.m3u8', publishedAt: new Date(), durationSeconds: 30 },
      });
      a.services.searchCache.invalidate();
      const search = async (origin: Origin) => ((await call(origin, 'GET', '/api/search?q=aurora')).items ?? []).map((item) => item.id);
      // Let the notice of that invalidation reach B before B caches its page.
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(await search(b), [created.id], 'B finds it (and caches the page)');
      assert.deepEqual(await search(b), [created.id]);

      await call(a, 'PATCH', `/api/content/${created.id!}`, { id: created.id, visibility: 'private' });
      // The notice crosses PostgreSQL: B's cached page must be gone within a generous deadline.
      const deadline = Date.now() + 10_000;
      let found = await search(b);
      while (found.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        found = await search(b);
      }
      assert.deepEqual(found, [], "B no longer lists it (its cache was dropped by A's notice)");
    });
  });
}
