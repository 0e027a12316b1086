import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { testDatabaseKinds } from '../../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

for (const kind of await testDatabaseKinds()) {
  describe(`content (${kind})`, () => {
    let t: TestOrigin;
    let owner: TestUser;
    let other: TestUser;
    let admin: TestUser;
    let viewer: TestUser;
    before(async () => {
      t = await startTestOrigin(kind);
      owner = await t.user('owner');
      other = await t.user('other');
      admin = await t.user('boss', 'admin');
      viewer = await t.user('watcher', 'viewer');
    });
    after(() => t.close());

    /** Content becomes visible to others only once ready; tests set that directly. */
    const makeReady = (id: string) => t.origin.services.prisma.content.update({ where: { id }, data: { status: 'ready', publishedAt: new Date() } });

    test('a creator creates content over REST with defaults and location', async () => {
      const response = await t.http('POST', '/api/content', {
        token: owner.token,
        body: { title: '  Dawn at Sintra ', tags: ['Timelapse', 'timelapse', 'castle'], location: { placeName: 'Sintra', latitude: 38.79, longitude: -9.39 } },
      });
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.title, 'Dawn at Sintra');
      assert.deepEqual(response.body.tags, ['timelapse', 'castle']);
      assert.equal(response.body.projection, 'equirectangular-mono');
      assert.equal(response.body.status, 'draft');
      assert.deepEqual(response.body.location, { placeName: 'Sintra', latitude: 38.79, longitude: -9.39 });
      assert.equal(response.body.owner.username, 'owner');
    });

    test('a viewer account cannot create content (403)', async () => {
      const response = await t.http('POST', '/api/content', { token: viewer.token, body: { title: 'Nope' } });
      assert.equal(response.status, 403);
    });

    test('bad content input is a 400 naming the field, and nothing is stored', async () => {
      const before = await t.origin.services.prisma.content.count();
      const cases: Array<[unknown, RegExp]> = [
        [{ title: 'x'.repeat(201) }, /^title: /],
        [{ title: '' }, /^title: /],
        [{ title: 42 }, /^title: /],
        [{ title: 'ok', projection: 'cubemap' }, /^projection: /],
        [{ title: 'ok', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, /^tags: /],
        [{ title: 'ok', tags: ['<script>'] }, /^tags\.0: /],
        [{ title: 'ok', location: { placeName: 'Nowhere', latitude: 91, longitude: 0 } }, /^location\.latitude: /],
        [{ title: 'ok', description: 'd'.repeat(5001) }, /^description: /],
        [{ title: 'ok', visibility: 'secret' }, /^visibility: /],
      ];
      for (const [body, message] of cases) {
        const response = await t.http('POST', '/api/content', { token: owner.token, body });
        assert.equal(response.status, 400, JSON.stringify(body).slice(0, 60));
        assert.match(response.body.message, message);
      }
      const malformed = await fetch(`${t.url}/api/content`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
        body: '{"title": ',
      });
      assert.equal(malformed.status, 400);
      assert.equal(await t.origin.services.prisma.content.count(), before);
    });

    test('only the owner or an admin may update or delete; others get 403', async () => {
      const content = await owner.caller.content.create({ title: 'Mine' });
      const byOther = await t.http('PATCH', `/api/content/${content.id}`, { token: other.token, body: { title: 'Stolen' } });
      assert.equal(byOther.status, 403);
      const deleteByOther = await t.http('DELETE', `/api/content/${content.id}`, { token: other.token });
      assert.equal(deleteByOther.status, 403);
      assert.equal((await t.http('POST', `/api/content/${content.id}/like`, { token: owner.token, body: {} })).status, 200);
      const byOwner = await t.http('PATCH', `/api/content/${content.id}`, { token: owner.token, body: { title: 'Still mine', tags: ['a'] } });
      assert.equal(byOwner.status, 200);
      assert.equal(byOwner.body.title, 'Still mine');
      assert.equal(byOwner.body.likedByMe, true, "the answer shows the caller's own like");
      const byAdmin = await t.http('PATCH', `/api/content/${content.id}`, { token: admin.token, body: { visibility: 'unlisted' } });
      assert.equal(byAdmin.status, 200);
      assert.equal(byAdmin.body.visibility, 'unlisted');
      const anonymous = await t.http('PATCH', `/api/content/${content.id}`, { body: { title: 'x' } });
      assert.equal(anonymous.status, 401);
      const row = await t.origin.services.prisma.content.findUniqueOrThrow({ where: { id: content.id } });
      assert.equal(row.title, 'Still mine');
    });

    test('unknown ids give 404 on get, update and delete', async () => {
      const unknown = '0190aaaa-0000-7000-8000-000000000000';
      assert.equal((await t.http('GET', `/api/content/${unknown}`)).status, 404);
      assert.equal((await t.http('PATCH', `/api/content/${unknown}`, { token: owner.token, body: { title: 'x' } })).status, 404);
      assert.equal((await t.http('DELETE', `/api/content/${unknown}`, { token: owner.token })).status, 404);
    });

    test('private content is visible to its owner only', async () => {
      const content = await owner.caller.content.create({ title: 'Secret', visibility: 'private' });
      await makeReady(content.id);
      assert.equal((await t.http('GET', `/api/content/${content.id}`, { token: owner.token })).status, 200);
      assert.equal((await t.http('GET', `/api/content/${content.id}`, { token: other.token })).status, 404);
      assert.equal((await t.http('GET', `/api/content/${content.id}`)).status, 404);
      const listed = await t.http('GET', `/api/users/${owner.id}/content`);
      assert.ok(!listed.body.items.some((item: { id: string }) => item.id === content.id));
      const ownList = await t.http('GET', `/api/users/${owner.id}/content`, { token: owner.token });
      assert.ok(ownList.body.items.some((item: { id: string }) => item.id === content.id));
    });

    test('list by creator pages with a cursor, newest first, without repeats', async () => {
      const author = await t.user('prolific');
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const content = await author.caller.content.create({ title: `Clip ${i}` });
        await makeReady(content.id);
        ids.push(content.id);
      }
      const first = await t.http('GET', `/api/users/${author.id}/content?limit=2`);
      assert.equal(first.body.items.length, 2);
      const second = await t.http('GET', `/api/users/${author.id}/content?limit=2&cursor=${first.body.nextCursor}`);
      const third = await t.http('GET', `/api/users/${author.id}/content?limit=2&cursor=${second.body.nextCursor}`);
      const seen = [...first.body.items, ...second.body.items, ...third.body.items].map((item: { title: string }) => item.title);
      assert.deepEqual(seen, ['Clip 4', 'Clip 3', 'Clip 2', 'Clip 1', 'Clip 0']);
      assert.equal(third.body.nextCursor, null);
      for (const cursor of ['not-a-cursor', Buffer.from(JSON.stringify(['yesterday', '0190aaaa-0000-7000-8000-000000000000'])).toString('base64url')]) {
        const forged = await t.http('GET', `/api/users/${author.id}/content?cursor=${cursor}`);
        assert.equal(forged.status, 400);
        assert.match(forged.body.message, /^cursor: /);
      }
    });

    test('tRPC and REST are the same procedures', async () => {
      const content = await owner.caller.content.create({ title: 'Both ways' });
      await makeReady(content.id);
      const trpc = await fetch(`${t.url}/trpc/content.get?input=${encodeURIComponent(JSON.stringify({ id: content.id }))}`);
      const body = (await trpc.json()) as { result: { data: { title: string } } };
      assert.equal(body.result.data.title, 'Both ways');
      const rest = await t.http('GET', `/api/content/${content.id}`);
      assert.equal(rest.body.title, 'Both ways');
    });

    test('GET /healthz answers 200 while the database is reachable; /openapi.json describes the REST face', async () => {
      assert.equal((await t.http('GET', '/healthz')).status, 200);
      const openapi = await t.http('GET', '/openapi.json');
      assert.equal(openapi.status, 200);
      assert.ok(openapi.body.paths['/content/{id}'].get);
      assert.ok(openapi.body.paths['/search'].get);
      assert.ok(openapi.body.paths['/auth/login'].post);
    });
  });
}

describe('tracker URL handed to players', () => {
  test('without TRACKER_URL, players get the embedded tracker on the host name they reached the origin by', async () => {
    const [kind] = await testDatabaseKinds();
    const t = await startTestOrigin(kind!, { trackerUrl: undefined, embeddedTrackerPort: 8123 });
    try {
      const owner = await t.user('lan_creator');
      const content = await owner.caller.content.create({ title: 'On the LAN' });
      await t.origin.services.prisma.content.update({
        where: { id: content.id },
        data: { status: 'ready', publishedPath: `${content.id}/v1`, masterFile: 'master.m3u8', publishedAt: new Date() },
      });
      const port = new URL(t.url).port;
      for (const host of ['localhost', '192.168.1.20']) {
        // fetch() may not set Host; a headset on the LAN does, so send it with node:http.
        const body = await new Promise<string>((resolve, reject) => {
          http
            .get({ host: '127.0.0.1', port, path: `/api/streaming/${content.id}`, headers: { host: `${host}:${port}` } }, (response) => {
              let text = '';
              response.setEncoding('utf8');
              response.on('data', (chunk: string) => (text += chunk));
              response.on('end', () => resolve(text));
            })
            .on('error', reject);
        });
        const detail = JSON.parse(body) as { trackerUrl: string; masterUrl: string }; // the playback payload
        assert.equal(detail.trackerUrl, `ws://${host}:8123`);
        assert.equal(detail.masterUrl, `http://${host}:${port}/media/${content.id}/v1/master.m3u8`);
      }
    } finally {
      await t.close();
    }
  });
});
